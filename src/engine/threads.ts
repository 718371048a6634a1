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
import { startController, type ControllerHandle } from './trace-controller-client.js';
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

  /** Runs one simulation. Reuses the pool's threads across runs of up to its size. */
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
    const tasks: Promise<unknown>[] = [];
    const traceRecords = machine.layout.traceRecords;
    for (let pcpu = 0; pcpu < config.pcpus; pcpu++) tasks.push(pool.run({ buffer: machine.buffer, scenario: config, pcpu, traceRecords }));
    const all = Promise.all(tasks);
    try {
      // Wait for the start barrier without blocking the main thread. Partner: the `go` store in pcpu-loop.
      const started = Atomics.waitAsync(i32, layout.controlWord(CTRL.go), 0);
      if (started.async) await Promise.race([started.value, all]);
      const startedAt = performance.now();
      const onProgress = options.onProgress;
      const progress =
        controller && onProgress
          ? setInterval(() => void controller.api.snapshot().then(onProgress, () => undefined), options.progressEveryMs ?? PROGRESS_EVERY_MS)
          : undefined;
      let stoppedEarly = false;
      try {
        stoppedEarly = !(await raceTimer(config.durationMs, all, options.signal)) && options.signal?.aborted === true;
      } finally {
        clearInterval(progress);
      }
      const stopNs = clockNs();
      this.stop(machine);
      const grace = graceMs(config);
      if (!(await raceTimer(config.durationMs + 10 * grace + 10_000, all)))
        throw new Error(`threads engine: the pCPU threads did not stop within ${10 * grace + 10_000} ms of the stop word`);
      closeRun(machine, stopNs);
      let trace: TraceSummary | undefined;
      if (options.trace && controller) trace = (await controller.api.finish(stopNs, stoppedEarly)) ?? undefined;
      const end = performance.now();
      return { engine: 'threads', machine, wallMs: end - startedAt, graceMs: grace, hostMs: end - hostStart, warnings, trace, stoppedEarly };
    } catch (error) {
      // A pCPU failed (or hung): release the others from the barrier and the run, and drop the
      // pool, whose threads may be stuck; the next run starts fresh ones.
      Atomics.store(i32, layout.controlWord(CTRL.go), 1);
      Atomics.notify(i32, layout.controlWord(CTRL.go));
      this.stop(machine);
      await this.close();
      throw error;
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

/**
 * Waits for `promise` or `ms`, whichever comes first, or until `signal` aborts; true if the
 * promise settled first. Clears its timer and listener.
 */
async function raceTimer(ms: number, promise: Promise<unknown>, signal?: AbortSignal): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
    onAbort = () => resolve(false);
    if (signal?.aborted) resolve(false);
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
}
