/**
 * The memory-access seam: the five operations every shared structure (guest locks, run queues,
 * the vCPU state word, the halt records) makes on the machine's i32 words. Each structure is
 * written once, against `SharedMemory`; the engine picks the implementation when it builds the
 * machine:
 *
 *   AtomicMemory  the threads engine: every operation is an `Atomics` call, sequentially
 *                 consistent, because pCPU threads race on these words for real.
 *   PlainMemory   the virtual engine: one thread steps every pCPU, so an operation is a plain
 *                 typed-array access. The same values result, in the same order, without the
 *                 10-20 ns that each `Atomics` call costs in Node 20's optimised code.
 *
 * A process builds its machines with one implementation per thread in practice (a pCPU worker
 * only ever sees AtomicMemory; the virtual engine's thread only PlainMemory, bar the machine a
 * test or the threads engine's main side initialises), so each call site stays monomorphic
 * and V8 inlines it.
 *
 * `i32` is exposed for the few reads that are deliberately plain in both engines (a relaxed
 * first read that a compare-and-swap then validates); each such read says so where it is made.
 */
export interface SharedMemory {
  readonly i32: Int32Array;
  load(index: number): number;
  store(index: number, value: number): void;
  /** Adds `delta` (wrapping as an int32) and returns the old value. */
  add(index: number, delta: number): number;
  /** Stores `value` and returns the old value. */
  exchange(index: number, value: number): number;
  /** Stores `replacement` if the word equals `expected`; returns the value seen. */
  compareExchange(index: number, expected: number, replacement: number): number;
  /** Ands `mask` into the word and returns the old value. */
  and(index: number, mask: number): number;
}

/** Every operation an `Atomics` call: for words that real threads share. */
export class AtomicMemory implements SharedMemory {
  constructor(readonly i32: Int32Array) {}
  load(index: number): number {
    return Atomics.load(this.i32, index);
  }
  store(index: number, value: number): void {
    Atomics.store(this.i32, index, value);
  }
  add(index: number, delta: number): number {
    return Atomics.add(this.i32, index, delta);
  }
  exchange(index: number, value: number): number {
    return Atomics.exchange(this.i32, index, value);
  }
  compareExchange(index: number, expected: number, replacement: number): number {
    return Atomics.compareExchange(this.i32, index, expected, replacement);
  }
  and(index: number, mask: number): number {
    return Atomics.and(this.i32, index, mask);
  }
}

/**
 * Every operation a plain access: for a machine that one thread steps (the virtual engine).
 * Int32Array stores wrap to int32 as the atomic operations do, so results are identical.
 */
export class PlainMemory implements SharedMemory {
  constructor(readonly i32: Int32Array) {}
  load(index: number): number {
    return this.i32[index]!;
  }
  store(index: number, value: number): void {
    this.i32[index] = value;
  }
  add(index: number, delta: number): number {
    const old = this.i32[index]!;
    this.i32[index] = old + delta;
    return old;
  }
  exchange(index: number, value: number): number {
    const old = this.i32[index]!;
    this.i32[index] = value;
    return old;
  }
  compareExchange(index: number, expected: number, replacement: number): number {
    const old = this.i32[index]!;
    // Atomics.compareExchange compares the int32 conversion of `expected`.
    if (old === (expected | 0)) this.i32[index] = replacement;
    return old;
  }
  and(index: number, mask: number): number {
    const old = this.i32[index]!;
    this.i32[index] = old & mask;
    return old;
  }
}

/** Which implementation a machine's structures use. */
export type MemoryAccess = 'atomics' | 'plain';
