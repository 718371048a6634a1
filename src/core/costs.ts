/**
 * Relative costs of what a core step does, in cost units (one unit = one guest work unit).
 * They bound how much a step does before it returns to its engine, and they interpolate time
 * inside a step (event time = step start + cost so far × ns per cost unit), so the core reads
 * no clock per lock operation. Values: an Atomics operation in Node 20 costs 8-20 ns
 * uncontended and a work unit (xorshift32's six dependent operations) about 1.6 ns on the
 * 2-core development machine (bench/micro), so a lock step is worth about 20 work units.
 */
export const COST = {
  WORK_UNIT: 1,
  /** One lock step: one atomic operation or one poll of a lock word. */
  LOCK_STEP: 20,
  /** Work a core step may do before it hands control back (≈ 14 µs of real time measured). */
  STEP_BUDGET: 8192,
} as const;
