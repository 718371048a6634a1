/**
 * The threads engine: every pCPU is a worker thread, `now` is the real clock. One piscina task
 * per pCPU (minThreads = maxThreads = pool size, one task per worker, no queue, so a task
 * that cannot get its own thread fails at once instead of deadlocking the start barrier).
 * The buffer travels in the task data (shared, never transferred). The main thread sleeps
 * during a run: one wait for the start, one timer for the end.
 */
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Config } from '../config/schema.js';
import { closeRun, initMachine } from '../core/init.js';
import { clockNs } from './pcpu-loop.js';
import { Machine } from '../shm/layout.js';
import { CTRL } from '../shm/layout.js';
import { RunInterrupted, type RunControl } from './run-control.js';
import { pcpuFailed } from './run-fault.js';
import type { RunOutput } from './run-output.js';
import { armTermination } from './test-fault.js';
import { watchPcpus, type Watchdog } from './watchdog.js';
import { workerEntry } from './worker-url.js';

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
   * `control.signal` stops every pCPU at once; the run then ends as at its duration, marked
   * interrupted. A pCPU that fails (its task throws, its thread dies) or stops making steps
   * (watchdog.ts) stops the run: a `RunFault` naming it, and the pool's threads are ended.
   */
  async run(config: Config, control: RunControl = {}): Promise<RunOutput> {
    const hostStart = performance.now();
    const machine = Machine.allocate(config);
    initMachine(machine);
    const pool = await this.poolFor(config.pcpus);
    const warnings: string[] = [];
    const warning = oversubscriptionWarning(config.pcpus);
    if (warning) warnings.push(warning);

    const { i32, layout } = machine;
    const disarm = armTermination(() => pool.threads);
    const tasks: Promise<unknown>[] = [];
    for (let pcpu = 0; pcpu < config.pcpus; pcpu++)
      tasks.push(
        pool.run({ buffer: machine.buffer, scenario: config, pcpu }).catch((cause: unknown) => {
          throw pcpuFailed(pcpu, cause);
        }),
      );
    const all = Promise.all(tasks);
    const abort = onAbort(control.signal);
    let watchdog: Watchdog | undefined;
    try {
      // Wait for the start barrier without blocking the main thread. Partner: the `go` store in pcpu-loop.
      const started = Atomics.waitAsync(i32, layout.controlWord(CTRL.go), 0);
      if (started.async) await Promise.race([started.value, all, abort.aborted]);
      // Stopped while the threads were still starting: nothing ran (the catch below ends them).
      if (Atomics.load(i32, layout.controlWord(CTRL.go)) === 0) throw new RunInterrupted();
      const startedAt = performance.now();
      control.onStarted?.();
      watchdog = watchPcpus(machine);
      if (!abort.isAborted()) await raceTimer(config.durationMs, all, abort.aborted, watchdog.stalled);
      const interrupted = abort.isAborted();
      const stopNs = clockNs();
      this.stop(machine);
      const grace = graceMs(config);
      if (!(await raceTimer(config.durationMs + 10 * grace + 10_000, all, watchdog.stalled)))
        throw new Error(`threads engine: the pCPU threads did not stop within ${10 * grace + 10_000} ms of the stop word`);
      closeRun(machine, stopNs);
      const end = performance.now();
      return { engine: 'threads', machine, wallMs: end - startedAt, graceMs: grace, hostMs: end - hostStart, warnings, interrupted };
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
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
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
