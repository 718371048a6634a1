/**
 * The threads engine: every pCPU is a worker thread, `now` is the real clock. One piscina task
 * per pCPU (minThreads = maxThreads = pool size, one task per worker, no queue, so a task
 * that cannot get its own thread fails at once instead of deadlocking the start barrier).
 * The buffer travels in the task data (shared, never transferred). The main thread sleeps
 * during a run: one wait for the start, one timer for the end, and with a trace or a progress
 * display a trace controller thread beside the pCPUs (engine/trace-controller.ts), asked for a
 * progress snapshot every PROGRESS_EVERY_MS.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Config } from '../config/schema.js';
import { closeRun, initMachine } from '../core/init.js';
import { clockNs } from './pcpu-loop.js';
import { Machine } from '../shm/layout.js';
import { CTRL } from '../shm/layout.js';
import type { EngineRunOptions, RunOutput } from './run-output.js';
import { RunInterrupted } from './run-control.js';
import { pcpuFailed } from './run-fault.js';
import { armTermination } from './test-fault.js';
import { startController, type ControllerHandle } from './trace-controller-client.js';
import { watchPcpus, type Watchdog } from './watchdog.js';
import { workerEntry } from './worker-url.js';
import { traceRecordsFor } from '../trace/options.js';
import type { TraceSummary } from '../trace/chrome-trace.js';

/** How often the main thread asks for progress: rarely, as every wake-up of it costs the pCPU threads. */
const PROGRESS_EVERY_MS = 250;

/** How long past its duration a run may take to stop (the host may delay a pCPU thread). */
function graceMs(config: Config): number {
  return 250 + Math.ceil(config.durationMs / 10);
}

/** The warning a scenario earns before it runs: only the threads engine depends on the host's cores. */
export function hostWarning(config: Config): string | null {
  return config.engine === 'threads' ? oversubscriptionWarning(config.pcpus) : null;
}

export function oversubscriptionWarning(pcpus: number, cores = availableParallelism()): string | null {
  if (pcpus <= cores) return null;
  return `${pcpus} pCPUs on ${cores} host cores: the host will preempt pCPU threads themselves, so spinning, steal and throughput figures are distorted`;
}

export class ThreadsEngine {
  private pool: Piscina | null = null;
  private poolSize = 0;

  /**
   * Runs one simulation. Reuses the pool's threads across runs of up to its size. An aborted
   * `options.signal` stops every pCPU at once; the run then ends as at its duration, marked
   * interrupted (its trace, if any, completed). A pCPU that fails (its task throws, its thread
   * dies) or stops making steps (watchdog.ts) stops the run: a `RunFault` naming it, and the
   * pool's threads are ended.
   */
  async run(config: Config, options: EngineRunOptions = {}): Promise<RunOutput> {
    const hostStart = performance.now();
    const traceRecords = options.trace ? traceRecordsFor(config) : 0;
    const machine = Machine.allocate(config, 'atomics', { traceRecords });
    initMachine(machine);
    const pool = await this.poolFor(config.pcpus);
    let controller: ControllerHandle | null = null;
    if (options.trace || options.onProgress) {
      controller = startController();
      await controller.api.start({ buffer: machine.buffer, scenario: config, traceRecords, trace: options.trace ?? null });
    }
    try {
      return await this.runWith(config, machine, pool, controller, options, hostStart);
    } catch (error) {
      await controller?.api.abandon();
      throw error;
    } finally {
      await controller?.close();
    }
  }

  private async runWith(
    config: Config,
    machine: Machine,
    pool: Piscina,
    controller: ControllerHandle | null,
    options: EngineRunOptions,
    hostStart: number,
  ): Promise<RunOutput> {
    const warnings: string[] = [];
    const warning = oversubscriptionWarning(config.pcpus);
    if (warning) warnings.push(warning);

    const { i32, layout } = machine;
    const disarm = armTermination(() => pool.threads);
    const tasks: Promise<unknown>[] = [];
    const traceRecords = machine.layout.traceRecords;
    for (let pcpu = 0; pcpu < config.pcpus; pcpu++)
      tasks.push(
        pool.run({ buffer: machine.buffer, scenario: config, pcpu, traceRecords }).catch((cause: unknown) => {
          throw pcpuFailed(pcpu, cause);
        }),
      );
    const all = Promise.all(tasks);
    const abort = onAbort(options.signal);
    let watchdog: Watchdog | undefined;
    try {
      // Wait for the start barrier without blocking the main thread. Partner: the `go` store in pcpu-loop.
      const started = Atomics.waitAsync(i32, layout.controlWord(CTRL.go), 0);
      if (started.async) await Promise.race([started.value, all, abort.aborted]);
      // Stopped while the threads were still starting: nothing ran (the catch below ends them).
      if (Atomics.load(i32, layout.controlWord(CTRL.go)) === 0) throw new RunInterrupted();
      const startedAt = performance.now();
      options.onStarted?.();
      watchdog = watchPcpus(machine);
      const onProgress = options.onProgress;
      const progress =
        controller && onProgress
          ? setInterval(() => void controller.api.snapshot().then(onProgress, () => undefined), options.progressEveryMs ?? PROGRESS_EVERY_MS)
          : undefined;
      try {
        if (!abort.isAborted()) await raceTimer(config.durationMs, all, abort.aborted, watchdog.stalled);
      } finally {
        clearInterval(progress);
      }
      const interrupted = abort.isAborted();
      const stopNs = clockNs();
      this.stop(machine);
      const grace = graceMs(config);
      if (!(await raceTimer(config.durationMs + 10 * grace + 10_000, all, watchdog.stalled)))
        throw new Error(`threads engine: the pCPU threads did not stop within ${10 * grace + 10_000} ms of the stop word`);
      closeRun(machine, stopNs);
      let trace: TraceSummary | undefined;
      if (options.trace && controller) trace = (await controller.api.finish(stopNs, interrupted)) ?? undefined;
      const end = performance.now();
      return { engine: 'threads', machine, wallMs: end - startedAt, graceMs: grace, hostMs: end - hostStart, warnings, trace, interrupted };
    } catch (error) {
      // A pCPU failed (or hung): release the others from the barrier and the run, and drop the
      // pool, whose threads may be stuck; the next run starts fresh ones.
      Atomics.store(i32, layout.controlWord(CTRL.go), 1);
      Atomics.notify(i32, layout.controlWord(CTRL.go));
      this.stop(machine);
      await this.close();
      throw error;
    } finally {
      watchdog?.stop();
      abort.dispose();
      disarm();
    }
  }

  /** Sets the stop word and wakes every sleeping pCPU. Partner: the loop condition in runPcpu. */
  private stop(machine: Machine): void {
    const { i32, layout } = machine;
    Atomics.store(i32, layout.controlWord(CTRL.stop), 1);
    for (let p = 0; p < layout.pcpus; p++) {
      const word = layout.pcpuSleepWord(p);
      Atomics.store(i32, word, 0);
      Atomics.notify(i32, word);
    }
  }

  private async poolFor(pcpus: number): Promise<Piscina> {
    if (this.pool && this.poolSize >= pcpus) return this.pool;
    await this.close();
    const entry = workerEntry('pcpu');
    this.pool = new Piscina({
      filename: entry.filename,
      execArgv: entry.execArgv,
      minThreads: pcpus,
      maxThreads: pcpus,
      concurrentTasksPerWorker: 1,
      maxQueue: 0,
      idleTimeout: 60_000,
    });
    this.poolSize = pcpus;
    return this.pool;
  }

  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    this.poolSize = 0;
    if (pool) await pool.destroy();
  }
}

/** Waits for any of `promises` or `ms`, whichever comes first; true if a promise settled first (a rejection throws). Clears its timer. */
async function raceTimer(ms: number, ...promises: Promise<unknown>[]): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([...promises.map((promise) => promise.then(() => true)), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** A signal's abort as a promise that resolves (never rejects), with its listener removed by `dispose`. */
function onAbort(signal: AbortSignal | undefined): { aborted: Promise<void>; isAborted(): boolean; dispose(): void } {
  let dispose = (): void => undefined;
  const aborted = new Promise<void>((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) {
      resolve();
      return;
    }
    const listener = () => {
      resolve();
    };
    signal.addEventListener('abort', listener, { once: true });
    dispose = () => signal.removeEventListener('abort', listener);
  });
  return { aborted, isAborted: () => signal?.aborted === true, dispose: () => dispose() };
}
