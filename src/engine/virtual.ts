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
 * Spinners are parked, not stepped. A poll that failed will fail again until some pCPU makes a
 * lock step on the same lock, so the spinner's next poll steps (on a grid spinNs apart) are
 * skipped up to the first that must really run: the first after such a lock step, at its
 * slice end, at the run's end, or the one the spin-wait policy answers with a hypercall. The
 * skipped polls are then accounted at once (PcpuCore.skipSpins), every count exactly as if
 * they had run; a test compares the two.
 *
 * Idle pCPUs leave the agenda and sleep; the scheduler's wake-up puts one back `wakeNs` later.
 */
import type { Config } from '../config/schema.js';
import { closeRun, initMachine, openRun } from '../core/init.js';
import { PcpuCore, STEP } from '../core/pcpu-core.js';
import type { Platform } from '../hv/platform.js';
import { CTRL, Machine } from '../shm/layout.js';
import { EventHeap } from './event-heap.js';
import type { RunOutput } from './run-output.js';

export interface VirtualEngineOptions {
  /** Fast-forward failed polls (default true); off only to check that it changes nothing. */
  readonly fastForwardSpins?: boolean;
}

/**
 * Costs rounded to 1/1024 ns: every virtual time is then a binary fraction well inside a
 * double's exact range (2^43 ns, over the schema's longest run), so sums are exact and the
 * fast-forward's `first + j × spinNs` equals the step-by-step sum of j polls to the bit.
 */
const quantize = (ns: number): number => Math.max(1, Math.round(ns * 1024)) / 1024;

/** The smallest j ≥ 0 with from + j × step ≥ limit (exact: all values are binary fractions). */
function firstGridIndex(from: number, step: number, limit: number): number {
  if (from >= limit) return 0;
  let j = Math.ceil((limit - from) / step);
  while (j > 0 && from + (j - 1) * step >= limit) j--;
  while (from + j * step < limit) j++;
  return j;
}

/** Tie-break key of a pCPU's step number `step`: a hash of the seed, the pCPU and the step. */
function tieKey(seed: number, pcpu: number, step: number): number {
  let z = (seed + Math.imul(pcpu + 1, 0x9e3779b9) + Math.imul(step + 1, 0x632be5ab)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return z ^ (z >>> 16);
}

export class VirtualEngine implements Platform {
  private machine!: Machine;
  private heap!: EventHeap;
  /** Sleeping pCPUs, in the order they fell asleep: the first is woken first. */
  private sleepers: number[] = [];
  /** Per pCPU, the number of its next step (made or skipped): the tie-break's input. */
  private stepNumbers = new Float64Array(0);
  /** Per pCPU, the time and key of its live agenda entry; any other entry of it is stale. */
  private dueTime = new Float64Array(0);
  private dueKey = new Int32Array(0);
  /** Per parked pCPU: the lock it polls (-1 when not parked), its first skipped poll's time and step number, the polls it may skip. */
  private parkedLock = new Int32Array(0);
  private parkedFrom = new Float64Array(0);
  private parkedStep = new Float64Array(0);
  private parkedMax = new Float64Array(0);
  /** Per global lock, the pCPUs parked polling it. */
  private watchers: number[][] = [];
  private spinNs = 0;
  private seed = 0;
  private now = 0;
  private wakeNs = 0;
  /** Core steps made in the last run (fast-forwarded polls not included): the engine's speed. */
  steps = 0;

  constructor(private readonly options: VirtualEngineOptions = {}) {}

  async run(config: Config): Promise<RunOutput> {
    const hostStart = performance.now();
    const machine = Machine.allocate(config);
    initMachine(machine);
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
    this.wakeNs = costs.wakeNs;
    this.sleepers = [];
    this.seed = config.seed;
    this.stepNumbers = new Float64Array(config.pcpus);
    this.dueTime = new Float64Array(config.pcpus);
    this.dueKey = new Int32Array(config.pcpus);
    this.parkedLock = new Int32Array(config.pcpus).fill(-1);
    this.parkedFrom = new Float64Array(config.pcpus);
    this.parkedStep = new Float64Array(config.pcpus);
    this.parkedMax = new Float64Array(config.pcpus);
    this.watchers = Array.from({ length: machine.layout.locks }, () => []);
    this.spinNs = costs.spinNs;
    this.heap = new EventHeap(2 * config.pcpus);
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
    const heap = this.heap;
    let steps = 0;
    while (heap.peekTime() < durationNs) {
      const now = heap.peekTime();
      const key = heap.peekKey();
      const pcpu = heap.pop();
      if (now !== this.dueTime[pcpu] || key !== this.dueKey[pcpu]) continue; // stale
      this.now = now;
      const core = cores[pcpu]!;
      if (this.parkedLock[pcpu] >= 0) this.unpark(pcpu, core);
      const status = core.step(now);
      steps++;
      if (status === STEP.RAN) {
        const r = core.stepReport;
        const next = now + r.workUnits * costs.workUnitNs + (r.lockSteps - r.spins) * costs.atomicNs + r.spins * costs.spinNs + r.exits * costs.exitNs;
        // A lock step that was not a failed poll may have written what spinners parked on
        // that lock are polling (a failed poll, even a failed CAS, writes nothing).
        if (r.lock >= 0 && r.lockSteps > r.spins && this.watchers[r.lock]!.length > 0) this.wakeWatchers(r.lock, pcpu, now, key);
        const skippable = fastForward ? core.skippableSpins() : 0;
        if (skippable > 0) this.park(pcpu, r.lock, next, skippable, Math.min(core.sliceEndNs, durationNs));
        else this.schedule(pcpu, next);
      } else if (status === STEP.SWITCHED) {
        const end = now + costs.switchNs;
        // A switch still going at the run's end is hypervisor time up to the end only; the
        // vCPU's run would otherwise start after the end and be charged negative run time.
        core.switchDone(end < durationNs ? end : durationNs);
        this.schedule(pcpu, end);
      } else {
        // Partner: the scheduler's idle check before it calls wakeIdlePcpu.
        Atomics.add(machine.i32, machine.layout.controlWord(CTRL.idle), 1);
        this.sleepers.push(pcpu);
      }
    }
    // Parked spinners' polls before the end ran, step by step; account them.
    for (let p = 0; p < config.pcpus; p++) {
      if (this.parkedLock[p]! < 0) continue;
      const polls = Math.min(this.parkedMax[p]!, firstGridIndex(this.parkedFrom[p]!, costs.spinNs, durationNs));
      this.parkedMax[p] = polls;
      this.unpark(p, cores[p]!);
    }
    for (const core of cores) core.finish(durationNs);
    closeRun(machine, durationNs);
    this.steps = steps;
    return { engine: 'virtual', machine, wallMs: config.durationMs, graceMs: 0, hostMs: performance.now() - hostStart, warnings: [] };
  }

  private schedule(pcpu: number, time: number): void {
    const step = this.stepNumbers[pcpu]!;
    this.stepNumbers[pcpu] = step + 1;
    this.enter(pcpu, time, tieKey(this.seed, pcpu, step));
  }

  private enter(pcpu: number, time: number, key: number): void {
    this.dueTime[pcpu] = time;
    this.dueKey[pcpu] = key;
    this.heap.push(pcpu, time, key);
  }

  /**
   * Parks a pCPU whose step ended on a failed poll of `lock`: its poll steps come at `first`,
   * `first + spinNs`, …; at most `skippable` of them may be skipped, and none at or after
   * `until` (its slice end or the run's end). It is due at the first poll it cannot skip.
   */
  private park(pcpu: number, lock: number, first: number, skippable: number, until: number): void {
    const step = this.stepNumbers[pcpu]!;
    const polls = Math.min(skippable, firstGridIndex(first, this.spinNs, until));
    if (polls === 0) return this.schedule(pcpu, first);
    const time = first + polls * this.spinNs;
    this.parkedLock[pcpu] = lock;
    this.parkedFrom[pcpu] = first;
    this.parkedStep[pcpu] = step;
    this.parkedMax[pcpu] = polls;
    this.watchers[lock]!.push(pcpu);
    this.stepNumbers[pcpu] = step + polls + 1;
    this.enter(pcpu, time, tieKey(this.seed, pcpu, step + polls));
  }

  /** A lock step on `lock` by `writer` at (now, key): each parked poller's first poll after it must run. */
  private wakeWatchers(lock: number, writer: number, now: number, key: number): void {
    const watchers = this.watchers[lock]!;
    for (let i = watchers.length - 1; i >= 0; i--) {
      const pcpu = watchers[i]!;
      if (pcpu === writer) continue;
      const step = this.parkedStep[pcpu]!;
      const max = this.parkedMax[pcpu]!;
      // Polls before the lock step (earlier, or at the same time with a smaller key) saw the old word.
      const from = this.parkedFrom[pcpu]!;
      let polls = firstGridIndex(from, this.spinNs, now);
      if (polls < max && from + polls * this.spinNs === now && tieKey(this.seed, pcpu, step + polls) < key) polls++;
      if (polls >= max) continue; // already due no later than that
      const time = from + polls * this.spinNs;
      this.parkedMax[pcpu] = polls;
      this.stepNumbers[pcpu] = step + polls + 1;
      this.enter(pcpu, time, tieKey(this.seed, pcpu, step + polls));
    }
  }

  /** A parked pCPU is due: account the polls it skipped, and stop watching. */
  private unpark(pcpu: number, core: PcpuCore): void {
    const lock = this.parkedLock[pcpu]!;
    const watchers = this.watchers[lock]!;
    watchers.splice(watchers.indexOf(pcpu), 1);
    this.parkedLock[pcpu] = -1;
    const skipped = this.parkedMax[pcpu]!;
    if (skipped > 0) core.skipSpins(skipped);
  }

  /** Platform: a vCPU became runnable; the longest sleeper wakes `wakeNs` from now. */
  wakeIdlePcpu(): void {
    const pcpu = this.sleepers.shift();
    if (pcpu === undefined) return;
    // Partner: the add when the pCPU fell asleep; the scheduler reads the count to decide to wake.
    Atomics.sub(this.machine.i32, this.machine.layout.controlWord(CTRL.idle), 1);
    this.schedule(pcpu, this.now + this.wakeNs);
  }

  async close(): Promise<void> {}
}
