/**
 * The virtual engine: one thread advances every pCPU of the scenario in virtual-time order,
 * driving the same core step, guest locks, spin-wait policies and scheduler as the threads
 * engine. Each step is charged its cost from the scenario's `virtualCosts`; the next step of
 * that pCPU happens that much later. The pCPU with the earliest next step always goes first,
 * ties broken by a key drawn from the seed, the pCPU and the step's number, so a run depends
 * on nothing but the scenario: same seed, same result, on any machine.
 *
 * This file sets a run up, gives the event loop a turn between slices of steps and ends the
 * run; the work is in files named after it:
 *   step-loop.ts        the loop: the earliest pCPU steps, its cost is charged, chained private steps
 *   agenda.ts           when each pCPU steps next, and the step numbers ties are broken by
 *                       (event-heap.ts: the tournament tree under it)
 *   spinner-parking.ts  failed polls skipped, and accounted at once
 *   platform.ts         the Platform the hypervisor gets: sleeping pCPUs, wake-ups, extra charges
 *   costs.ts            the quantized virtual costs
 *   reports.ts          the trace drain and the progress reports
 */
import type { Config } from '../../config/schema.js';
import type { VirtualEnginePort } from '../../core/engine-port.js';
import { closeRun, initMachine, openRun } from '../../core/init.js';
import { PcpuCore } from '../../core/pcpu-core.js';
import { Machine } from '../../shm/layout.js';
import { TraceWriter } from '../../trace/chrome-trace.js';
import { TraceDrain } from '../../trace/drain.js';
import { traceRecordsFor } from '../../trace/options.js';
import { VIRTUAL_HOST_SLICE_MS, yieldToEventLoop } from '../run-control.js';
import type { EngineRunOptions, RunOutput } from '../run-output.js';
import { Agenda } from './agenda.js';
import { schedulerChargesSteps, virtualCosts } from './costs.js';
import { VirtualPlatform } from './platform.js';
import { DrainPacer, PROGRESS_EVERY_MS, ProgressReports } from './reports.js';
import { SpinnerParking } from './spinner-parking.js';
import { StepLoop } from './step-loop.js';

export interface VirtualEngineOptions {
  /** Fast-forward failed polls (default true); off only to check that it changes nothing. */
  readonly fastForwardSpins?: boolean;
  /**
   * Make a pCPU's private steps (guest work only) right after its previous step, on a lean
   * path, instead of through the agenda (default true); off only to check that it changes nothing.
   */
  readonly chainPrivateSteps?: boolean;
}

export class VirtualEngine {
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
    // as the cutoff (trace/drain.ts, reports.ts). The JSON is written after the run, from the
    // spool, as on threads.
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
    const costs = virtualCosts(config);
    const agenda = new Agenda(config.pcpus, config.seed);
    const platform = new VirtualPlatform(machine, agenda, costs.wakeNs);
    const cores: VirtualEnginePort[] = [];
    for (let p = 0; p < config.pcpus; p++) {
      // Interpolation inside a step: a cost unit is a work unit's worth of time.
      const core = new PcpuCore(machine, p, platform, {
        calibrate: false,
        executeWork: false,
        stepBudget: costs.stepBudget,
        fineSteps: true,
        nsPerCost: costs.workUnitNs,
      });
      core.start(0);
      cores.push(core);
      agenda.schedule(p, 0);
    }
    const durationNs = config.durationMs * 1e6;
    const shortcuts = { fastForwardSpins: this.options.fastForwardSpins ?? true, chainPrivateSteps: this.options.chainPrivateSteps ?? true };
    const parking = new SpinnerParking(cores, agenda, machine.layout, costs.spinNs);
    const pacer = drain === null ? null : new DrainPacer(drain);
    const stepLoop = new StepLoop(cores, agenda, parking, platform, costs, shortcuts, schedulerChargesSteps(machine.config), pacer, durationNs);
    this.steps = 0;
    const progress = onProgress === undefined ? null : new ProgressReports(machine, drain, onProgress, progressEveryMs);
    // The run ends at its duration, or at the virtual time reached when the signal came. A turn
    // for the event loop between two steps changes nothing in the run (run-control.ts).
    let endNs = durationNs;
    let interrupted = false;
    options.onStarted?.();
    while (!stepLoop.runUntil(performance.now() + VIRTUAL_HOST_SLICE_MS)) {
      this.steps = stepLoop.steps;
      progress?.between(platform.now);
      await yieldToEventLoop();
      if (options.signal?.aborted) {
        endNs = stepLoop.nextStepNs();
        interrupted = true;
        break;
      }
    }
    this.steps = stepLoop.steps;
    stepLoop.finish(endNs);
    closeRun(machine, endNs);
    const traced = drain === null ? undefined : drain.finish(endNs, interrupted);
    const hostMs = performance.now() - hostStart;
    return { engine: 'virtual', machine, wallMs: interrupted ? endNs / 1e6 : config.durationMs, graceMs: 0, hostMs, warnings: [], trace: traced, interrupted };
  }

  async close(): Promise<void> {}
}
