/**
 * The trace controller: a worker thread of its own (workers/trace-controller.ts), never a
 * pCPU's, that watches a threads-engine run through the buffer. While the run goes on it only
 * copies the pCPUs' trace rings into the binary spool (trace/drain.ts), waking rarely: when the
 * busiest ring should be about half full, at most every `DRAIN_MAX_MS`; it formats the JSON
 * after the engine has stopped (`finish`), so that the run's pCPU threads do not share the
 * host's cores with the formatting. It reads the counters for progress snapshots. The main thread drives it through comlink (engine/trace-controller-client.ts):
 * start, snapshot, finish; the pCPUs never hear of it, bar the ring's tail word.
 */
import { parseScenario, type Config } from '../config/schema.js';
import { CTRL, CTRL_F64, Machine } from '../shm/layout.js';
import { TraceWriter, type TraceSummary } from '../trace/chrome-trace.js';
import { TraceDrain } from '../trace/drain.js';
import type { TraceSetup } from '../trace/options.js';
import { clockNs } from './pcpu-loop.js';
import { readProgress } from './progress.js';
import type { RunProgress } from './run-output.js';

/**
 * The drain's pace. The first drain comes `DRAIN_FIRST_MS` after the start; each next one when
 * the busiest ring, at the rate it filled since the last drain, would be `DRAIN_FILL` full, but
 * no sooner than `DRAIN_MIN_MS` and no later than `DRAIN_MAX_MS` (every wake-up of a thread
 * beside the pCPUs costs them on a host with few cores).
 */
const DRAIN_FIRST_MS = 20;
const DRAIN_MIN_MS = 5;
const DRAIN_MAX_MS = 100;
const DRAIN_FILL = 0.5;
/**
 * How far behind the clock a drain hands records over: a pCPU stamps a record with its step's
 * clock and writes it within the step (µs); one preempted by the host in between for longer
 * than this would bring a record older than ones already written out.
 */
const DRAIN_MARGIN_MS = 10;

export interface ControllerStart {
  readonly buffer: SharedArrayBuffer;
  /** The scenario, as the pCPU tasks get it. */
  readonly scenario: unknown;
  readonly traceRecords: number;
  /** The trace to write; null: progress snapshots only. */
  readonly trace: TraceSetup | null;
}

/** What the controller answers (the comlink API). */
export interface ControllerApi {
  start(setup: ControllerStart): void;
  snapshot(): RunProgress;
  /** Stops draining, writes out the rest and completes the file (null when untraced). */
  finish(endNs: number, stoppedEarly: boolean): TraceSummary | null;
  /** A failed run: drops the unfinished file. */
  abandon(): void;
}

export class TraceController implements ControllerApi {
  private machine: Machine | null = null;
  private config: Config | null = null;
  private trace: TraceSetup | null = null;
  private drain: TraceDrain | null = null;
  private timer: NodeJS.Timeout | undefined;
  private lastDrainNs = 0;

  start(setup: ControllerStart): void {
    this.config = parseScenario(setup.scenario);
    this.machine = Machine.attach(this.config, setup.buffer, { traceRecords: setup.traceRecords });
    this.trace = setup.trace;
    if (setup.trace !== null) this.timer = setTimeout(() => this.tick(), DRAIN_FIRST_MS);
  }

  snapshot(): RunProgress {
    const machine = this.need();
    const elapsedMs = this.started() ? (clockNs() - machine.f64[machine.layout.controlF64(CTRL_F64.startNs)]!) / 1e6 : 0;
    return readProgress(machine, elapsedMs, this.drain?.dropped() ?? 0);
  }

  finish(endNs: number, stoppedEarly: boolean): TraceSummary | null {
    clearTimeout(this.timer);
    if (this.trace === null) return null;
    const drain = this.drain ?? this.open();
    return drain.finish(endNs, stoppedEarly);
  }

  abandon(): void {
    clearTimeout(this.timer);
    this.drain?.abandon();
    this.drain = null;
  }

  private tick(): void {
    if (!this.started()) {
      this.timer = setTimeout(() => this.tick(), DRAIN_FIRST_MS);
      return;
    }
    const now = clockNs();
    const drain = this.drain ?? this.open();
    drain.drain(now - DRAIN_MARGIN_MS * 1e6);
    // Records per ms of the busiest ring since the last drain, and when it will be DRAIN_FILL full.
    const rate = drain.lastMostNew / Math.max(1e-3, (now - this.lastDrainNs) / 1e6);
    this.lastDrainNs = now;
    const dueMs = (DRAIN_FILL * this.need().layout.traceRecords) / Math.max(rate, 1e-9);
    this.timer = setTimeout(() => this.tick(), Math.min(DRAIN_MAX_MS, Math.max(DRAIN_MIN_MS, dueMs)));
  }

  /** The file opens once the run has started: its time 0 is the run's start. */
  private open(): TraceDrain {
    const { i32, f64, layout } = this.need();
    const writer = new TraceWriter(this.trace!.file, layout, this.trace!.info, this.trace!.bounds, f64[layout.controlF64(CTRL_F64.startNs)]!);
    this.drain = new TraceDrain(i32, layout, writer);
    this.lastDrainNs = f64[layout.controlF64(CTRL_F64.startNs)]!;
    return this.drain;
  }

  private started(): boolean {
    const { i32, layout } = this.need();
    // Partner: the `go` store after the start time's (engine/pcpu-loop.ts).
    return Atomics.load(i32, layout.controlWord(CTRL.go)) === 1;
  }

  private need(): Machine {
    if (this.machine === null) throw new Error('trace controller: not started');
    return this.machine;
  }
}
