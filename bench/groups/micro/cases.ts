/** The micro-benchmarks (tinybench, batched) as one job of the suite. */
import type { MicroJob, PlanContext } from '../../suite/job.js';

/** Measuring time per benchmark, ms; tinybench adds a third of it as warm-up. */
const MICRO_TIME_MS = { full: 1000, quick: 100 } as const;

export function microJobs(context: PlanContext): MicroJob[] {
  const timeMs = context.quick ? MICRO_TIME_MS.quick : MICRO_TIME_MS.full;
  // About 16 benchmarks, each timed for timeMs plus a third as warm-up, plus the checks.
  return [{ kind: 'micro', id: 'micro', group: 'micro', label: 'micro-benchmarks', timeMs, filters: [], estimateMs: 16 * timeMs * 1.4 + 500 }];
}
