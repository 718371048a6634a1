/**
 * What the virtual engine hands out while it runs, on its own thread, between steps: the trace
 * rings drained into the spool every `DRAIN_STEPS` steps (a step writes a handful of records at
 * most, a ring holds thousands, so fewer records than a ring holds come in between), and a
 * progress report every `progressEveryMs` of host time. Neither changes anything in the run.
 *
 * The drain falls on steps counted across the step loop's slices, so it falls on the same steps
 * in every run of a scenario; the progress report is made between two slices, when the engine
 * gives the event loop a turn.
 */
import type { Machine } from '../../shm/layout.js';
import type { TraceDrain } from '../../trace/drain.js';
import { readProgress } from '../progress.js';
import type { RunProgress } from '../run-output.js';

/** Steps between two drains of the trace rings. */
const DRAIN_STEPS = 1024;
/** Host time between two progress reports by default, ms. */
export const PROGRESS_EVERY_MS = 250;

/** A traced run's drain, made every `DRAIN_STEPS` steps. */
export class DrainPacer {
  /** Steps since the last drain. */
  private sinceDrain = 0;

  constructor(private readonly drain: TraceDrain) {}

  /** Before the step at `now`: drain the rings with `now` as the cutoff if this is the step for it. */
  beforeStep(now: number): void {
    if (++this.sinceDrain === DRAIN_STEPS) {
      this.sinceDrain = 0;
      this.drain.drain(now);
    }
  }
}

/** Progress reports to `onProgress`, at most one every `everyMs` of host time. */
export class ProgressReports {
  private lastMs = performance.now();

  constructor(
    private readonly machine: Machine,
    private readonly drain: TraceDrain | null,
    private readonly onProgress: (progress: RunProgress) => void,
    private readonly everyMs: number,
  ) {}

  /** Between two slices of steps, the virtual time reached `nowNs`: a report if one is due. */
  between(nowNs: number): void {
    if (performance.now() - this.lastMs < this.everyMs) return;
    this.lastMs = performance.now();
    this.onProgress(readProgress(this.machine, nowNs / 1e6, this.drain?.dropped() ?? 0));
  }
}
