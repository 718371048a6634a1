/**
 * Relative costs of what a core step does, in cost units (one unit = one guest work unit).
 * They bound how much a step does before it returns to its engine, and they interpolate time
 * inside a step (event time = step start + cost so far × ns per cost unit), so the core reads
 * no clock per lock operation. Values: an uncontended Atomics operation in Node 20 costs
 * 10-20 ns and a work unit about 0.7 ns on this machine (DESIGN.md's measured facts).
 */
export const COST = {
  WORK_UNIT: 1,
  /** One lock step: one atomic operation or one poll of a lock word. */
  LOCK_STEP: 20,
  /** Work a core step may do before it hands control back (≈ 5-10 µs of real time). */
  STEP_BUDGET: 8192,
} as const;
