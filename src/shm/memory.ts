/**
 * The memory-access seam: the five operations every shared structure (guest locks, run queues,
 * the vCPU state word, the halt records) makes on the machine's i32 words. Each structure is
 * written once, against `SharedMemory`; the engine picks the implementation when it builds the
 * machine:
 *
 *   atomicMemory  the threads engine: every operation is an `Atomics` call, sequentially
 *                 consistent, because pCPU threads race on these words for real.
 *   plainMemory   the virtual engine: one thread steps every pCPU, so an operation is a plain
 *                 typed-array access. The same values result, in the same order, without the
 *                 10-20 ns that each `Atomics` call costs in Node 20's optimised code.
 *
 * Every operation takes the word array first, as `Atomics` does. A process builds its machines
 * with one implementation per thread in practice (a pCPU worker only ever sees atomicMemory;
 * the virtual engine's thread only plainMemory, bar the machine a test or the threads engine's
 * main side initialises), so each call site stays monomorphic and V8 inlines it.
 *
 * `i32` is exposed for the few reads that are deliberately plain in both engines (a relaxed
 * first read that a compare-and-swap then validates); each such read says so where it is made.
 */
export interface SharedMemory {
  readonly i32: Int32Array;
  // Function-valued fields, not methods: none uses `this` (the Atomics builtins ignore it), so a
  // caller may hold one on its own.
  readonly load: (i32: Int32Array, index: number) => number;
  readonly store: (i32: Int32Array, index: number, value: number) => void;
  /** Adds `delta` (wrapping as an int32) and returns the old value. */
  readonly add: (i32: Int32Array, index: number, delta: number) => number;
  /** Stores `value` and returns the old value. */
  readonly exchange: (i32: Int32Array, index: number, value: number) => number;
  /** Stores `replacement` if the word equals `expected`; returns the value seen. */
  readonly compareExchange: (i32: Int32Array, index: number, expected: number, replacement: number) => number;
  /** Ands `mask` into the word and returns the old value. */
  readonly and: (i32: Int32Array, index: number, mask: number) => number;
}

/**
 * Every operation an `Atomics` call, for words that real threads share: the operations are the
 * `Atomics` builtins themselves, not wrappers around them, so a call costs what a direct
 * `Atomics` call costs (a wrapper added about 10% to a vCPU switch).
 */
export function atomicMemory(i32: Int32Array): SharedMemory {
  return {
    i32,
    load: Atomics.load,
    store: Atomics.store,
    add: Atomics.add,
    exchange: Atomics.exchange,
    compareExchange: Atomics.compareExchange,
    and: Atomics.and,
  };
}

/**
 * Every operation a plain access, for a machine that one thread steps (the virtual engine).
 * Int32Array stores wrap to int32 as the atomic operations do, so results are identical.
 */
export function plainMemory(i32: Int32Array): SharedMemory {
  return {
    i32,
    load: (a, index) => a[index]!,
    store: (a, index, value) => {
      a[index] = value;
    },
    add: (a, index, delta) => {
      const old = a[index]!;
      a[index] = old + delta;
      return old;
    },
    exchange: (a, index, value) => {
      const old = a[index]!;
      a[index] = value;
      return old;
    },
    compareExchange: (a, index, expected, replacement) => {
      const old = a[index]!;
      // Atomics.compareExchange compares the int32 conversion of `expected`.
      if (old === (expected | 0)) a[index] = replacement;
      return old;
    },
    and: (a, index, mask) => {
      const old = a[index]!;
      a[index] = old & mask;
      return old;
    },
  };
}

/** Which implementation a machine's structures use. */
export type MemoryAccess = 'atomics' | 'plain';
