/**
 * Draining the pCPUs' trace rings (shm/layout.ts `TRACE_RING`) into a trace file: the only
 * reader of every ring, on a thread that is not a pCPU's (the trace controller, workers/
 * trace-controller.ts, on the threads engine; the engine's own thread between steps on the
 * virtual engine).
 *
 * Each ring is in time order (core/trace-record.ts); the rings are merged by time, ties by
 * pCPU. A record is handed to the writer only once no ring can still bring an earlier one:
 * records at or after `cutoffNs` wait for the next drain. The virtual engine's cutoff is its
 * clock (every later step, and so every later record, is at or after it); the controller's is
 * its clock less a margin (a record is written within its step, microseconds after its time,
 * unless the host preempts the pCPU's thread that long). `finish` hands over the rest.
 */
import { TRACE_RECORD, TRACE_RING, type Layout } from '../shm/layout.js';
import type { TraceSummary, TraceWriter } from './chrome-trace.js';

const FIELDS = 5;

/** The records drained from one ring and not yet handed to the writer. */
class Pending {
  times = new Float64Array(1024);
  fields = new Int32Array(1024 * FIELDS);
  start = 0;
  end = 0;

  /** Room for `n` more at the end: moves the live records to the front, and grows if need be. */
  reserve(n: number): void {
    if (this.end + n <= this.times.length) return;
    const live = this.end - this.start;
    let capacity = this.times.length;
    while (live + n > capacity) capacity *= 2;
    const times = capacity === this.times.length ? this.times : new Float64Array(capacity);
    const fields = capacity === this.times.length ? this.fields : new Int32Array(capacity * FIELDS);
    times.set(this.times.subarray(this.start, this.end));
    fields.set(this.fields.subarray(this.start * FIELDS, this.end * FIELDS));
    this.times = times;
    this.fields = fields;
    this.start = 0;
    this.end = live;
  }
}

export class TraceDrain {
  private readonly pending: Pending[] = [];
  private readonly tails: Int32Array;
  /** Records handed to the writer so far. */
  records = 0;

  constructor(
    private readonly i32: Int32Array,
    private readonly f64: Float64Array,
    private readonly layout: Layout,
    private readonly writer: TraceWriter,
  ) {
    for (let p = 0; p < layout.pcpus; p++) this.pending.push(new Pending());
    this.tails = new Int32Array(layout.pcpus);
  }

  /** Reads every ring and hands the writer, in time order, every record before `cutoffNs`. */
  drain(cutoffNs: number): void {
    for (let p = 0; p < this.layout.pcpus; p++) this.read(p);
    this.merge(cutoffNs);
  }

  /** Records the pCPUs dropped so far because a ring was full. */
  dropped(): number {
    let sum = 0;
    for (let p = 0; p < this.layout.pcpus; p++) sum += Atomics.load(this.i32, this.layout.traceRingBase(p) + TRACE_RING.dropped);
    return sum;
  }

  /** Drops the unfinished file (the run failed). */
  abandon(): void {
    this.writer.abandon();
  }

  /** Hands over every record left and completes the file (the run ended at `endNs`). */
  finish(endNs: number, stoppedEarly: boolean): TraceSummary {
    this.drain(Infinity);
    return this.writer.finish(endNs, this.dropped(), stoppedEarly);
  }

  private read(p: number): void {
    const { i32, f64, layout } = this;
    const ring = layout.traceRingBase(p);
    // Partner: the pCPU's store of `head` after the record's words (core/trace-record.ts).
    const head = Atomics.load(i32, ring + TRACE_RING.head);
    const tail = this.tails[p]!;
    const n = (head - tail) | 0;
    if (n <= 0) return;
    const pending = this.pending[p]!;
    pending.reserve(n);
    const { times, fields } = pending;
    let at = pending.end;
    for (let i = 0; i < n; i++, at++) {
      const base = layout.traceRecordBase(p, tail + i);
      times[at] = f64[base >> 1]!;
      const f = at * FIELDS;
      fields[f] = i32[base + TRACE_RECORD.kind]!;
      fields[f + 1] = i32[base + TRACE_RECORD.pcpu]!;
      fields[f + 2] = i32[base + TRACE_RECORD.vcpu]!;
      fields[f + 3] = i32[base + TRACE_RECORD.lock]!;
      fields[f + 4] = i32[base + TRACE_RECORD.arg]!;
    }
    pending.end = at;
    this.tails[p] = head;
    // The slots are the pCPU's again. Partner: its load of `tail` when the ring looks full.
    Atomics.store(i32, ring + TRACE_RING.tail, head);
  }

  private merge(cutoffNs: number): void {
    const pending = this.pending;
    const writer = this.writer;
    for (;;) {
      // The ring with the earliest next record (ties: the lowest pCPU), and the next after it.
      let best = -1;
      let bestTime = Infinity;
      let other = -1;
      let otherTime = Infinity;
      for (let p = 0; p < pending.length; p++) {
        const q = pending[p]!;
        if (q.start === q.end) continue;
        const t = q.times[q.start]!;
        if (t < bestTime) {
          other = best;
          otherTime = bestTime;
          best = p;
          bestTime = t;
        } else if (t < otherTime) {
          other = p;
          otherTime = t;
        }
      }
      if (best < 0 || !(bestTime < cutoffNs)) return;
      // Its records go in a row up to the other ring's next one (a tie goes to the lower pCPU).
      const q = pending[best]!;
      const { times, fields } = q;
      const limit = Math.min(otherTime, cutoffNs);
      const tieGoesHere = other < 0 || best < other;
      while (q.start < q.end) {
        const t = times[q.start]!;
        if (!(t < limit || (t === otherTime && tieGoesHere && t < cutoffNs))) break;
        const f = q.start * FIELDS;
        writer.record(t, fields[f]!, fields[f + 1]!, fields[f + 2]!, fields[f + 3]!, fields[f + 4]!);
        q.start++;
        this.records++;
      }
    }
  }
}
