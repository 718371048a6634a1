/** Where a run ran: recorded in every results file so figures can be compared honestly. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, platform, arch, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export interface Environment {
  readonly node: string;
  readonly v8: string;
  readonly platform: string;
  readonly arch: string;
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGiB: number;
  /** The spinvisor checkout's git revision, or null outside a git checkout. */
  readonly gitRevision: string | null;
}

let cachedRevision: string | null | undefined;
function gitRevision(): string | null {
  if (cachedRevision !== undefined) return cachedRevision;
  try {
    const here = fileURLToPath(new URL('.', import.meta.url));
    cachedRevision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    cachedRevision = null;
  }
  return cachedRevision;
}

export function environment(): Environment {
  return {
    node: process.versions.node,
    v8: process.versions.v8,
    platform: platform(),
    arch: arch(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    gitRevision: gitRevision(),
  };
}

/**
 * Above this 1-minute load average per core, real-thread timings are noisy: other work is
 * preempting our threads. Well above half the cores, because the load average lags and still
 * shows the benchmark's own last run for a while.
 */
const BUSY_LOAD_PER_CORE = 0.75;

/** Whether a 1-minute load average means the host is too busy for clean real-thread figures. */
export const hostIsBusy = (loadAverage: number, cores = availableParallelism()): boolean => loadAverage > cores * BUSY_LOAD_PER_CORE;
