/**
 * Stopping a run early. A caller (the CLI on Ctrl-C or SIGTERM, the bench) hands an engine an
 * `AbortSignal`; when it fires the engine stops every pCPU as it would at the run's end, closes
 * the books at the time reached and returns the machine as it is, marked `interrupted`.
 *
 * The threads engine's main thread sleeps during a run, so the signal reaches it at once. The
 * virtual engine runs on the main thread: it gives the event loop a turn every
 * `VIRTUAL_HOST_SLICE_MS` of host time (looking at the clock every `VIRTUAL_CLOCK_CHECK_STEPS`
 * steps), which is when a signal handler, a timer or a progress bar gets to run.
 */

/** What a caller may pass to an engine's `run`. */
export interface RunControl {
  /** Aborted: stop the run now and return what it has so far. */
  readonly signal?: AbortSignal | undefined;
  /** Called once when the run starts: every pCPU is past the start barrier (threads), or the first step is next (virtual). */
  readonly onStarted?: (() => void) | undefined;
}

/** Host time the virtual engine runs before it gives the event loop a turn, in ms. */
export const VIRTUAL_HOST_SLICE_MS = 5;

/**
 * Steps between two reads of the host clock in the virtual engine: a step costs 50-300 ns of
 * host time, so 1024 steps are well under a millisecond, and one `performance.now()` (about
 * 60 ns) per 1024 steps is under 0.1 ns a step.
 */
export const VIRTUAL_CLOCK_CHECK_STEPS = 1024;

/** Resolves after the event loop has run its pending callbacks once (I/O and signals included). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Stopped before the run started (the pCPU threads were still starting): there is nothing to report. */
export class RunInterrupted extends Error {
  override readonly name = 'RunInterrupted';
  constructor(message = 'interrupted before the run started: nothing to report') {
    super(message);
  }
}
