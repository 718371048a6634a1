/**
 * A per-pCPU run queue: Vyukov's bounded multi-producer multi-consumer ring on shared memory.
 * Any pCPU may push (a preempted vCPU, a wake-up); the owner pops and idle pCPUs steal with the
 * same dequeue. No lock: each operation claims a position with one compare-and-swap and
 * publishes the cell with a sequence store.
 *
 * Contract: `push` returns false only when the ring is full; `pop` returns a value pushed
 * earlier exactly once, or -1 when the ring looks empty (a push whose claim is made but whose
 * cell is not yet published reads as empty; the caller simply looks elsewhere).
 *
 * Cell protocol (per cell: seq, value). For position pos and cell c = pos & mask:
 *   seq == pos          the cell is free for the producer of pos
 *   seq == pos + 1      the cell holds the value of pos, ready for its consumer
 *   seq == pos + cap    freed by the consumer of pos, free for the producer of pos + cap
 * Positions are int32 and wrap; comparisons use the wrapped difference `(a - b) | 0`.
 */
import { QUEUE } from '../shm/layout.js';
import type { SharedMemory } from '../shm/memory.js';

export class RunQueue {
  private readonly mask: number;
  private readonly i32: Int32Array;
  constructor(
    private readonly memory: SharedMemory,
    private readonly base: number,
    private readonly capacity: number,
  ) {
    this.mask = capacity - 1;
    this.i32 = memory.i32;
  }

  /** Sets every cell's sequence to its index (all free). Before any thread uses the queue. */
  init(): void {
    const { i32, base } = this;
    i32[base + QUEUE.enqueuePos] = 0;
    i32[base + QUEUE.dequeuePos] = 0;
    for (let c = 0; c < this.capacity; c++) i32[base + QUEUE.cells + QUEUE.cellWords * c + QUEUE.cellSeq] = c;
  }

  push(value: number): boolean {
    const { i32, memory } = this;
    const base = this.base;
    // A plain first read in both engines, as in Vyukov's original (a relaxed load): a stale
    // position fails the cell check or the CAS below, and every retry reads with a real load.
    let pos = i32[base + QUEUE.enqueuePos]!;
    for (;;) {
      const cell = base + QUEUE.cells + QUEUE.cellWords * (pos & this.mask);
      // Partner: the consumer's seq store in pop() that frees the cell.
      const seq = memory.load(i32, cell + QUEUE.cellSeq);
      const dif = (seq - pos) | 0;
      if (dif === 0) {
        const seen = memory.compareExchange(i32, base + QUEUE.enqueuePos, pos, (pos + 1) | 0);
        if (seen === pos) {
          i32[cell + QUEUE.cellValue] = value;
          // Publishes the value (seq-cst store orders the plain write before it). Partner: pop()'s seq load.
          memory.store(i32, cell + QUEUE.cellSeq, (pos + 1) | 0);
          return true;
        }
        pos = seen;
      } else if (dif < 0) {
        return false;
      } else {
        pos = memory.load(i32, base + QUEUE.enqueuePos);
      }
    }
  }

  pop(): number {
    const { i32, memory } = this;
    const base = this.base;
    // Plain first read; see push().
    let pos = i32[base + QUEUE.dequeuePos]!;
    for (;;) {
      const cell = base + QUEUE.cells + QUEUE.cellWords * (pos & this.mask);
      // Partner: push()'s publishing seq store.
      const seq = memory.load(i32, cell + QUEUE.cellSeq);
      const dif = (seq - ((pos + 1) | 0)) | 0;
      if (dif === 0) {
        const seen = memory.compareExchange(i32, base + QUEUE.dequeuePos, pos, (pos + 1) | 0);
        if (seen === pos) {
          const value = i32[cell + QUEUE.cellValue]!;
          // Frees the cell for the producer one lap later. Partner: push()'s seq load.
          memory.store(i32, cell + QUEUE.cellSeq, (pos + this.mask + 1) | 0);
          return value;
        }
        pos = seen;
      } else if (dif < 0) {
        return -1;
      } else {
        pos = memory.load(i32, base + QUEUE.dequeuePos);
      }
    }
  }

  /**
   * The values between the dequeue and enqueue positions, oldest first. Only for a queue no
   * thread is using (the end-of-run self-check): it reads cells without the protocol.
   */
  quiescentEntries(): number[] {
    const { i32, base } = this;
    const out: number[] = [];
    const tail = i32[base + QUEUE.enqueuePos]!;
    for (let pos = i32[base + QUEUE.dequeuePos]!; pos !== tail; pos = (pos + 1) | 0)
      out.push(i32[base + QUEUE.cells + QUEUE.cellWords * (pos & this.mask) + QUEUE.cellValue]!);
    return out;
  }

  /** Entries claimed and not yet taken (a racy snapshot, for reports and self-checks). */
  size(): number {
    const n = (this.memory.load(this.memory.i32, this.base + QUEUE.enqueuePos) - this.memory.load(this.memory.i32, this.base + QUEUE.dequeuePos)) | 0;
    return n < 0 ? 0 : n;
  }
}
