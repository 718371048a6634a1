/**
 * Draining the pCPUs' trace rings (shm/layout.ts `TRACE_RING`) into a trace file, in two halves
 * so that the run pays only for the first:
 *
 * - While the run goes on, `drain` copies each ring's new records out as they are (32-byte
 *   binary records, one or two block copies per ring, no per-record work) into a spool file
 *   next to the trace (io/output-file.ts `SpoolFile`), through a staging buffer written out in
 *   large appends, and gives the slots back to the pCPU. It is the only reader of every ring, on
 *   a thread that is not a pCPU's (the trace controller, workers/trace-controller.ts, on the
 *   threads engine; the engine's own thread between steps on the virtual engine).
 * - After the run, `finish` reads the spool back in large reads, merges the rings by time and
 *   hands the records to the JSON writer (trace/chrome-trace.ts), then removes the spool.
 *   `abandon` removes it too.
 *
 * The merge keeps the drains' cutoffs: each drain ends with a cutoff mark in the spool, and
 * the conversion hands a record over only once no ring can still bring an earlier one, i.e.
 * records at or after the mark's `cutoffNs` wait for the next mark, exactly as if the merge
 * had run at that drain. Ties go to the lower pCPU. The virtual engine's cutoff is its clock
 * (every later step, and so every later record, is at or after it); the controller's is its
 * clock less a margin (a record is written within its step, microseconds after its time,
 * unless the host preempts the pCPU's thread that long).
 *
 * The spool is a sequence of 32-byte units: a records header (`UNIT.records`, the pCPU, n)
 * followed by that ring's n records as the ring holds them, or a cutoff mark (`UNIT.cutoff`,
 * the cutoff in ns as the unit's third float64).
 */
import { performance } from 'node:perf_hooks';
import { SpoolFile } from '../io/output-file.js';
import { TRACE_RECORD, TRACE_RECORD_BYTES, TRACE_RING, type Layout } from '../shm/layout.js';
import type { TraceSummary, TraceWriter } from './chrome-trace.js';

const FIELDS = 5;
const UNIT = { records: 1, cutoff: 2 } as const;
const UNIT_I32 = TRACE_RECORD_BYTES / 4;
/** Staging buffer for the spool's appends and reads: 1 MiB (a whole number of units). */
const STAGE_BYTES = 1 << 20;

/** The records read back from one ring's chunks and not yet handed to the writer. */
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
  private readonly bytes: Uint8Array;
  private readonly spool: SpoolFile;
  private readonly stage = new Uint8Array(STAGE_BYTES);
  private readonly stageI32 = new Int32Array(this.stage.buffer);
  private readonly stageF64 = new Float64Array(this.stage.buffer);
  private fill = 0;
  /** Records handed to the writer so far. */
  records = 0;
  /** The most records one ring brought in the last drain (the controller paces its drains by it). */
  lastMostNew = 0;

  constructor(
    private readonly i32: Int32Array,
    private readonly layout: Layout,
    private readonly writer: TraceWriter,
  ) {
    for (let p = 0; p < layout.pcpus; p++) this.pending.push(new Pending());
    this.tails = new Int32Array(layout.pcpus);
    this.bytes = new Uint8Array(i32.buffer);
    try {
      this.spool = new SpoolFile(writer.file, 'trace');
    } catch (error) {
      writer.abandon();
      throw error;
    }
  }

  /** Copies every ring's new records to the spool, then a cutoff mark: records before `cutoffNs` may be written out. */
  drain(cutoffNs: number): void {
    let most = 0;
    for (let p = 0; p < this.layout.pcpus; p++) most = Math.max(most, this.copy(p));
    this.lastMostNew = most;
    this.unit(UNIT.cutoff, 0, 0, cutoffNs);
  }

  /** Records the pCPUs dropped so far because a ring was full. */
  dropped(): number {
    let sum = 0;
    for (let p = 0; p < this.layout.pcpus; p++) sum += Atomics.load(this.i32, this.layout.traceRingBase(p) + TRACE_RING.dropped);
    return sum;
  }

  /** Drops the unfinished file and the spool (the run failed). */
  abandon(): void {
    this.spool.remove();
    this.writer.abandon();
  }

  /**
   * Copies what is left, converts the spool to the trace file and completes it (the run ended
   * at `endNs`); the spool is removed whatever happens.
   */
  finish(endNs: number, stoppedEarly: boolean): TraceSummary {
    const started = performance.now();
    try {
      this.drain(Infinity);
      this.flushStage();
      this.convert();
      const summary = this.writer.finish(endNs, this.dropped(), stoppedEarly);
      return { ...summary, spoolBytes: this.spool.bytes, conversionMs: performance.now() - started };
    } catch (error) {
      this.writer.abandon();
      throw error;
    } finally {
      this.spool.remove();
    }
  }

  /** Copies ring `p`'s new records to the spool; returns how many. */
  private copy(p: number): number {
    const { i32, layout } = this;
    const ring = layout.traceRingBase(p);
    // Partner: the pCPU's store of `head` after the record's words (core/trace-record.ts).
    const head = Atomics.load(i32, ring + TRACE_RING.head);
    const tail = this.tails[p]!;
    const n = (head - tail) | 0;
    if (n <= 0) return 0;
    this.unit(UNIT.records, p, n);
    // The records in ring order: from the tail's slot to the ring's end, then from its start.
    const slots = layout.traceRecords;
    let seq = tail;
    let left = n;
    while (left > 0) {
      const run = Math.min(left, slots - (seq & (slots - 1)));
      const from = i32.byteOffset + layout.traceRecordBase(p, seq) * 4;
      this.put(from, run * TRACE_RECORD_BYTES);
      seq = (seq + run) | 0;
      left -= run;
    }
    this.tails[p] = head;
    // The slots are the pCPU's again. Partner: its load of `tail` when the ring looks full.
    Atomics.store(i32, ring + TRACE_RING.tail, head);
    return n;
  }

  /** A header or mark unit at the stage's end. */
  private unit(kind: number, pcpu: number, n: number, cutoffNs = 0): void {
    if (this.fill === STAGE_BYTES) this.flushStage();
    const at = this.fill / 4;
    this.stageI32.fill(0, at, at + UNIT_I32);
    this.stageI32[at] = kind;
    this.stageI32[at + 1] = pcpu;
    this.stageI32[at + 2] = n;
    this.stageF64[at / 2 + 2] = cutoffNs;
    this.fill += TRACE_RECORD_BYTES;
  }

  /** Copies `length` bytes of the buffer from byte `from` to the stage, appending it to the spool as it fills. */
  private put(from: number, length: number): void {
    while (length > 0) {
      if (this.fill === STAGE_BYTES) this.flushStage();
      const k = Math.min(STAGE_BYTES - this.fill, length);
      this.stage.set(this.bytes.subarray(from, from + k), this.fill);
      this.fill += k;
      from += k;
      length -= k;
    }
  }

  private flushStage(): void {
    if (this.fill === 0) return;
    this.spool.append(this.stage.subarray(0, this.fill));
    this.fill = 0;
  }

  /** Reads the spool back, unit by unit, merging at every cutoff mark. */
  private convert(): void {
    const { stage, stageI32, stageF64 } = this;
    let position = 0;
    let pcpu = 0;
    let left = 0;
    for (;;) {
      const got = this.spool.read(stage, position);
      if (got === 0) break;
      position += got;
      for (let at = 0; at < got; at += TRACE_RECORD_BYTES) {
        const w = at / 4;
        if (left > 0) {
          // One of ring `pcpu`'s records (shm/layout.ts `TRACE_RECORD`).
          const q = this.pending[pcpu]!;
          q.times[q.end] = stageF64[w / 2 + TRACE_RECORD.timeF64]!;
          const f = q.end * FIELDS;
          q.fields[f] = stageI32[w + TRACE_RECORD.kind]!;
          q.fields[f + 1] = stageI32[w + TRACE_RECORD.pcpu]!;
          q.fields[f + 2] = stageI32[w + TRACE_RECORD.vcpu]!;
          q.fields[f + 3] = stageI32[w + TRACE_RECORD.lock]!;
          q.fields[f + 4] = stageI32[w + TRACE_RECORD.arg]!;
          q.end++;
          left--;
        } else if (stageI32[w] === UNIT.records) {
          pcpu = stageI32[w + 1]!;
          left = stageI32[w + 2]!;
          this.pending[pcpu]!.reserve(left);
        } else if (stageI32[w] === UNIT.cutoff) {
          this.merge(stageF64[w / 2 + 2]!);
        } else {
          throw new Error(`trace: spool unit ${stageI32[w]} at byte ${position - got + at} is neither records nor a cutoff`);
        }
      }
    }
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
