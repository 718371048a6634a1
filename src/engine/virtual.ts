/**
 * The virtual engine: one thread advances every pCPU of the scenario in virtual-time order,
 * driving the same core step, guest locks, spin-wait policies and scheduler as the threads
 * engine. Each step is charged its cost from the scenario's `virtualCosts`; the next step of
 * that pCPU happens that much later. The pCPU with the earliest next step always goes first,
 * ties broken by a key drawn from the seed, the pCPU and the step's number, so a run depends
 * on nothing but the scenario: same seed, same result, on any machine.
 *
 * Steps are fine: each lock step (one shared-memory operation) opens a step of its own, so
 * every shared-memory operation of every pCPU happens in time order, and a vCPU can be
 * preempted between any two of them.
 *
 * Spinners are parked, not stepped. A poll that failed writes nothing and fails again until
 * some pCPU makes a lock step on the same lock that lets it through (after each such lock step
 * the lock says, from its words as they now are, whether the spinner's next poll would still
 * fail: SpinLock.wouldSpin), so the spinner's next poll steps (on a grid spinNs apart) are
 * skipped up to the first that must really run: the first after a lock step that may let it
 * through, at its slice end, at the run's end, or the one the spin-wait policy answers with a
 * hypercall. The skipped polls are then accounted at once (PcpuCore.skipSpins), every count
 * exactly as if they had run; a test compares the two. (Without the lock's answer every lock
 * step woke every spinner of the lock, and all but one polled and failed again: with 256
 * pCPUs on 16 ticket locks, four made steps in five were such polls.)
 *
 * Private steps are made in a row. A step that only does guest work (no lock step, no write to
 * guest memory, no scheduling decision: PcpuCore.stepIsPrivate says which) reads and writes
 * only words of its own pCPU and vCPU, which no other pCPU touches meanwhile, so it commutes
 * with every other pCPU's step. Such steps are made right after the step before them, each at
 * the time and with the step number the agenda would have given it, and the pCPU goes back on
 * the agenda for its next shared step only: same words, same values, and every shared-memory
 * operation in the same order; a test compares runs with and without.
 *
 * Idle pCPUs leave the agenda and sleep; the scheduler's wake-up puts one back `wakeNs` later.
 */
import type { Config } from '../config/schema.js';
import { SCHEDULERS } from '../config/scheduler-registry.js';
import { closeRun, initMachine, openRun } from '../core/init.js';
import { PcpuCore, STEP } from '../core/pcpu-core.js';
import { waitsInRelease } from '../core/fast-forward.js';
import type { Platform } from '../hv/platform.js';
import { CTRL, Machine } from '../shm/layout.js';
import { TraceWriter } from '../trace/chrome-trace.js';
import { TraceDrain } from '../trace/drain.js';
import { traceRecordsFor } from '../trace/options.js';
import { EventHeap, tieKey } from './event-heap.js';
import { readProgress } from './progress.js';
import { VIRTUAL_CLOCK_CHECK_STEPS, VIRTUAL_HOST_SLICE_MS, yieldToEventLoop } from './run-control.js';
import type { EngineRunOptions, RunOutput } from './run-output.js';

export interface VirtualEngineOptions {
  /** Fast-forward failed polls (default true); off only to check that it changes nothing. */
  readonly fastForwardSpins?: boolean;
  /**
   * Make a pCPU's private steps (guest work only) right after its previous step, on a lean
   * path, instead of through the agenda (default true); off only to check that it changes nothing.
   */
  readonly chainPrivateSteps?: boolean;
}

/**
 * Costs rounded to 1/1024 ns: every virtual time is then a binary fraction well inside a
 * double's exact range (2^43 ns, over the schema's longest run), so sums are exact and the
 * fast-forward's `first + j × spinNs` equals the step-by-step sum of j polls to the bit.
 */
/** The virtual costs of one run, quantized (see below). */
interface Costs {
  readonly workUnitNs: number;
  readonly atomicNs: number;
  readonly spinNs: number;
  readonly switchNs: number;
  readonly exitNs: number;
  readonly wakeNs: number;
  readonly stepBudget: number;
}

const quantize = (ns: number): number => Math.max(1, Math.round(ns * 1024)) / 1024;

/** The smallest j ≥ 0 with from + j × step ≥ limit (exact: all values are binary fractions). */
function firstGridIndex(from: number, step: number, limit: number): number {
  if (from >= limit) return 0;
  let j = Math.ceil((limit - from) / step);
  while (j > 0 && from + (j - 1) * step >= limit) j--;
  while (from + j * step < limit) j++;
  return j;
}

/**
 * Steps between two drains of the trace rings (a step writes a handful of records at most, a
 * ring holds thousands) and two looks at the host clock for a progress report.
 */
const DRAIN_STEPS = 1024;
/** Host time between two progress reports by default, ms. */
const PROGRESS_EVERY_MS = 250;

export class VirtualEngine implements Platform {
  private machine!: Machine;
  private heap!: EventHeap;
  /** Sleeping pCPUs, in the order they fell asleep: the first is woken first. */
  private sleepers: number[] = [];
  /** Per pCPU, the number of its next step (made or skipped): the tie-break's input. */
  private stepNumbers = new Float64Array(0);
  /** Per parked pCPU: the lock it polls (-1 when not parked), its first skipped poll's time and step number, the polls it may skip. */
  private parkedLock = new Int32Array(0);
  private parkedFrom = new Float64Array(0);
  private parkedStep = new Float64Array(0);
  private parkedMax = new Float64Array(0);
  /** Per parked pCPU: its vCPU's context base and id, and 1 when it waits in a release, not an acquire: what SpinLock.wouldSpin reads. */
  private parkedCtx = new Int32Array(0);
  private parkedVcpu = new Int32Array(0);
  private parkedReleasing = new Uint8Array(0);
  /**
   * Per global lock, the pCPUs parked polling it: an intrusive doubly linked list (first
   * watcher per lock, next and previous per pCPU, -1 for none), so parking and unparking
   * cost O(1) and allocate nothing. Which order a wake-up visits them in does not matter:
   * each watcher's new entry depends only on its own park and the lock step.
   */
  private firstWatcher = new Int32Array(0);
  private nextWatcher = new Int32Array(0);
  private previousWatcher = new Int32Array(0);
  private spinNs = 0;
  private seed = 0;
  private now = 0;
  /** The traced run's drain of the trace rings, or null; and the steps since its last drain (kept across `runUntil` calls). */
  private drain: TraceDrain | null = null;
  private sinceDrain = 0;
  private wakeNs = 0;
  /** What the step being made costs beyond its kind (Platform.chargeStepNs: the global-lock scheduler's lock); reset every step. */
  private stepExtraNs = 0;
  /** Core steps made in the last run (chained private steps included, fast-forwarded polls not): the engine's speed. */
  steps = 0;

  constructor(private readonly options: VirtualEngineOptions = {}) {}

  /**
   * Runs one simulation on this thread, giving the event loop a turn every few ms of host time
   * (run-control.ts): then the progress report is made, and an aborted `options.signal` ends the
   * run at the virtual time reached.
   */
  async run(config: Config, options: EngineRunOptions = {}): Promise<RunOutput> {
    const hostStart = performance.now();
    // One thread steps every pCPU: shared structures use plain accesses (shm/memory.ts).
    const trace = options.trace;
    const machine = Machine.allocate(config, 'plain', { traceRecords: trace ? traceRecordsFor(config) : 0 });
    initMachine(machine);
    // Traced: this thread drains the rings itself, between steps, into the spool with its clock
    // as the cutoff (trace/drain.ts), every DRAIN_STEPS steps: fewer records than a ring holds
    // come in between. The JSON is written after the run, from the spool, as on threads.
    const drain = trace ? new TraceDrain(machine.i32, machine.layout, new TraceWriter(trace.file, machine.layout, trace.info, trace.bounds, 0)) : null;
    try {
      return await this.loop(config, machine, drain, hostStart, options);
    } catch (error) {
      drain?.abandon();
      throw error;
    }
  }

  private async loop(config: Config, machine: Machine, drain: TraceDrain | null, hostStart: number, options: EngineRunOptions): Promise<RunOutput> {
    const { onProgress, progressEveryMs = PROGRESS_EVERY_MS } = options;
    openRun(machine, 0);
    this.machine = machine;
    const costs = {
      workUnitNs: quantize(config.virtualCosts.workUnitNs),
      atomicNs: quantize(config.virtualCosts.atomicNs),
      spinNs: quantize(config.virtualCosts.spinNs),
      switchNs: quantize(config.virtualCosts.switchNs),
      exitNs: quantize(config.virtualCosts.exitNs),
      wakeNs: quantize(config.virtualCosts.wakeNs),
      stepBudget: config.virtualCosts.stepBudget,
    };
    const fastForward = this.options.fastForwardSpins ?? true;
    const chainPrivate = this.options.chainPrivateSteps ?? true;
    this.wakeNs = costs.wakeNs;
    this.sleepers = [];
    this.seed = config.seed;
    this.stepNumbers = new Float64Array(config.pcpus);
    this.parkedLock = new Int32Array(config.pcpus).fill(-1);
    this.parkedFrom = new Float64Array(config.pcpus);
    this.parkedStep = new Float64Array(config.pcpus);
    this.parkedMax = new Float64Array(config.pcpus);
    this.parkedCtx = new Int32Array(config.pcpus);
    this.parkedVcpu = new Int32Array(config.pcpus);
    this.parkedReleasing = new Uint8Array(config.pcpus);
    this.firstWatcher = new Int32Array(machine.layout.locks).fill(-1);
    this.nextWatcher = new Int32Array(config.pcpus).fill(-1);
    this.previousWatcher = new Int32Array(config.pcpus).fill(-1);
    this.spinNs = costs.spinNs;
    this.heap = new EventHeap(config.pcpus, config.seed);
    const cores: PcpuCore[] = [];
    for (let p = 0; p < config.pcpus; p++) {
      const core = new PcpuCore(machine, p, this, { calibrate: false, executeWork: false, stepBudget: costs.stepBudget, fineSteps: true });
      // Interpolation inside a step: a cost unit is a work unit's worth of time.
      core.nsPerCost = costs.workUnitNs;
      core.start(0);
      cores.push(core);
      this.schedule(p, 0);
    }

    const durationNs = config.durationMs * 1e6;
    this.stepExtraNs = 0;
    this.steps = 0;
    this.sinceDrain = 0;
    this.drain = drain;
    let lastProgress = performance.now();
    // The run ends at its duration, or at the virtual time reached when the signal came. A turn
    // for the event loop between two steps changes nothing in the run (run-control.ts).
    let endNs = durationNs;
    let interrupted = false;
    options.onStarted?.();
    while (!this.runUntil(cores, costs, durationNs, fastForward, chainPrivate, performance.now() + VIRTUAL_HOST_SLICE_MS)) {
      if (onProgress !== undefined && performance.now() - lastProgress >= progressEveryMs) {
        lastProgress = performance.now();
        onProgress(readProgress(machine, this.now / 1e6, drain?.dropped() ?? 0));
      }
      await yieldToEventLoop();
      if (options.signal?.aborted) {
        const next = this.heap.top();
        if (next >= 0) endNs = Math.min(this.heap.timeOf(next), durationNs);
        interrupted = true;
        break;
      }
    }
    // Parked spinners' polls before the end ran, step by step; account them.
    for (let p = 0; p < config.pcpus; p++) {
      if (this.parkedLock[p]! < 0) continue;
      const polls = Math.min(this.parkedMax[p]!, firstGridIndex(this.parkedFrom[p]!, costs.spinNs, endNs));
      this.parkedMax[p] = polls;
      this.unpark(p, cores[p]!);
    }
    for (const core of cores) core.finish(endNs);
    closeRun(machine, endNs);
    const trace = drain === null ? undefined : drain.finish(endNs, interrupted);
    const hostMs = performance.now() - hostStart;
    return { engine: 'virtual', machine, wallMs: interrupted ? endNs / 1e6 : config.durationMs, graceMs: 0, hostMs, warnings: [], trace, interrupted };
  }

  /**
   * Makes steps until the run's end (true) or until the host clock passes `deadlineMs` (false;
   * the next call goes on from the same step). A plain method called again and again, not the
   * body of the async `run`, so that V8 optimises its loop (it does not swap a running async
   * function's frame for optimised code); everything the loop reads is a parameter or a local.
   */
  private runUntil(cores: readonly PcpuCore[], costs: Costs, durationNs: number, fastForward: boolean, chainPrivate: boolean, deadlineMs: number): boolean {
    const machine = this.machine;
    const heap = this.heap;
    const drain = this.drain;
    // Locals, not fields, in the loop: V8 would reload and recheck each field per step.
    const { stepNumbers, parkedLock, firstWatcher } = this;
    const { workUnitNs, atomicNs, spinNs, exitNs, switchNs } = costs;
    // Only a scheduler whose registry entry says so charges steps extra time (Platform.chargeStepNs).
    const extraCosts = SCHEDULERS[machine.config.scheduler.policy].chargesStepTime;
    let steps = 0;
    let untilClockCheck = VIRTUAL_CLOCK_CHECK_STEPS;
    let sinceDrain = this.sinceDrain;
    for (;;) {
      // The pCPU with the earliest step keeps its entry while it steps; what the step schedules
      // (a woken pCPU, a woken poller) is due no earlier, and the step's end moves the entry
      // (by id, wherever it then sits) to the pCPU's next step.
      const pcpu = heap.top();
      if (pcpu < 0) break;
      const now = heap.timeOf(pcpu);
      if (!(now < durationNs)) break;
      if (--untilClockCheck === 0) {
        untilClockCheck = VIRTUAL_CLOCK_CHECK_STEPS;
        if (performance.now() >= deadlineMs) {
          this.steps += steps;
          this.sinceDrain = sinceDrain;
          return false;
        }
      }
      const stepNumber = heap.stepOf(pcpu);
      this.now = now;
      // Traced: the rings are drained every DRAIN_STEPS steps, counted across calls, so that the drains fall on the same steps in every run.
      if (drain !== null && ++sinceDrain === DRAIN_STEPS) {
        sinceDrain = 0;
        drain.drain(now);
      }
      const core = cores[pcpu]!;
      if (parkedLock[pcpu]! >= 0) this.unpark(pcpu, core);
      const status = core.step(now);
      steps++;
      // The global lock's wait and hold in this step (an IDLE step's is idle time: the pCPU sleeps).
      let extra = 0;
      if (extraCosts) {
        extra = this.stepExtraNs;
        this.stepExtraNs = 0;
      }
      if (status === STEP.RAN) {
        const r = core.stepReport;
        let next = now + r.workUnits * workUnitNs + (r.lockSteps - r.spins) * atomicNs + r.spins * spinNs + r.exits * exitNs + extra;
        // A lock step that was not a failed poll may have written what spinners parked on
        // that lock are polling (a failed poll, even a failed CAS, writes nothing).
        if (r.lock >= 0 && r.lockSteps > r.spins && firstWatcher[r.lock]! >= 0) this.wakeWatchers(r.lock, pcpu, now, stepNumber, core);
        const skippable = fastForward ? core.skippableSpins() : 0;
        if (skippable > 0) {
          this.park(pcpu, core, r.lock, next, skippable, Math.min(core.sliceEndNs, durationNs));
          continue;
        }
        // Private steps (guest work only) commute with every other pCPU's steps: make them now,
        // in a row, each at the time and with the step number it would have had in the agenda.
        if (chainPrivate && next < durationNs && core.stepIsPrivate(next)) {
          next = core.makePrivateSteps(next, durationNs, workUnitNs);
          stepNumbers[pcpu]! += core.privateStepsMade;
          steps += core.privateStepsMade;
        }
        this.schedule(pcpu, next);
      } else if (status === STEP.SWITCHED) {
        // Hypervisor time: the switch, and the global lock's wait and hold if any.
        const end = now + switchNs + extra;
        // A switch still going at the run's end is hypervisor time up to the end only; the
        // vCPU's run would otherwise start after the end and be charged negative run time.
        core.switchDone(end < durationNs ? end : durationNs);
        this.schedule(pcpu, end);
      } else {
        heap.remove(pcpu);
        // Partner: the scheduler's idle check before it calls wakeIdlePcpu.
        machine.memory.add(machine.memory.i32, machine.layout.controlWord(CTRL.idle), 1);
        this.sleepers.push(pcpu);
      }
    }
    this.steps += steps;
    this.sinceDrain = sinceDrain;
    return true;
  }

  private schedule(pcpu: number, time: number): void {
    const step = this.stepNumbers[pcpu]!;
    this.stepNumbers[pcpu] = step + 1;
    this.heap.set(pcpu, time, step);
  }

  /**
   * Parks a pCPU whose step ended on a failed poll of `lock`: its poll steps come at `first`,
   * `first + spinNs`, …; at most `skippable` of them may be skipped, and none at or after
   * `until` (its slice end or the run's end). It is due at the first poll it cannot skip.
   */
  private park(pcpu: number, core: PcpuCore, lock: number, first: number, skippable: number, until: number): void {
    const step = this.stepNumbers[pcpu]!;
    const polls = Math.min(skippable, firstGridIndex(first, this.spinNs, until));
    if (polls === 0) {
      this.schedule(pcpu, first);
      return;
    }
    const time = first + polls * this.spinNs;
    this.parkedLock[pcpu] = lock;
    this.parkedFrom[pcpu] = first;
    this.parkedStep[pcpu] = step;
    this.parkedMax[pcpu] = polls;
    this.parkedCtx[pcpu] = core.ctx;
    this.parkedVcpu[pcpu] = core.current;
    this.parkedReleasing[pcpu] = waitsInRelease(core) ? 1 : 0;
    const head = this.firstWatcher[lock]!;
    this.nextWatcher[pcpu] = head;
    this.previousWatcher[pcpu] = -1;
    if (head >= 0) this.previousWatcher[head] = pcpu;
    this.firstWatcher[lock] = pcpu;
    this.stepNumbers[pcpu] = step + polls + 1;
    this.heap.set(pcpu, time, step + polls);
  }

  /**
   * A lock step on `lock` by `writer` at `now`, its step number `writerStep`: each parked
   * poller's first poll after it must run, unless the lock's words as they now are would fail
   * it too (then a later lock step decides, and the polls before it stay skipped).
   */
  private wakeWatchers(lock: number, writer: number, now: number, writerStep: number, writerCore: PcpuCore): void {
    const nextWatcher = this.nextWatcher;
    // Every watcher of a lock runs a vCPU of the lock's VM, as the writer does: one lock object.
    const spinLock = writerCore.guest.lock;
    const lockBase = this.machine.layout.lockBase(lock);
    for (let pcpu = this.firstWatcher[lock]!; pcpu >= 0; pcpu = nextWatcher[pcpu]!) {
      if (pcpu === writer) continue;
      if (spinLock.wouldSpin(lockBase, this.parkedCtx[pcpu]!, this.parkedVcpu[pcpu]!, this.parkedReleasing[pcpu] === 1)) continue;
      const step = this.parkedStep[pcpu]!;
      const max = this.parkedMax[pcpu]!;
      // Polls before the lock step (earlier, or at the same time with a smaller key) saw the old
      // word; a poll at the same time with the same key comes after it (the writer has already run).
      const from = this.parkedFrom[pcpu]!;
      let polls = firstGridIndex(from, this.spinNs, now);
      if (polls < max && from + polls * this.spinNs === now && tieKey(this.seed, pcpu, step + polls) < tieKey(this.seed, writer, writerStep)) polls++;
      if (polls >= max) continue; // already due no later than that
      const time = from + polls * this.spinNs;
      this.parkedMax[pcpu] = polls;
      this.stepNumbers[pcpu] = step + polls + 1;
      this.heap.set(pcpu, time, step + polls);
    }
  }

  /** A parked pCPU is due: account the polls it skipped, and stop watching. */
  private unpark(pcpu: number, core: PcpuCore): void {
    const lock = this.parkedLock[pcpu]!;
    const next = this.nextWatcher[pcpu]!;
    const previous = this.previousWatcher[pcpu]!;
    if (previous >= 0) this.nextWatcher[previous] = next;
    else this.firstWatcher[lock] = next;
    if (next >= 0) this.previousWatcher[next] = previous;
    this.parkedLock[pcpu] = -1;
    const skipped = this.parkedMax[pcpu]!;
    if (skipped > 0) core.skipSpins(skipped);
  }

  /** Platform: the step being made costs `ns` more (the global-lock scheduler's modelled lock). */
  chargeStepNs(ns: number): void {
    this.stepExtraNs += ns;
  }

  /** Platform: a vCPU became runnable; the longest sleeper wakes `wakeNs` from now. */
  wakeIdlePcpu(): void {
    const pcpu = this.sleepers.shift();
    if (pcpu === undefined) return;
    // Partner: the add when the pCPU fell asleep; the scheduler reads the count to decide to wake.
    this.machine.memory.add(this.machine.memory.i32, this.machine.layout.controlWord(CTRL.idle), -1);
    this.schedule(pcpu, this.now + this.wakeNs);
  }

  async close(): Promise<void> {}
}
