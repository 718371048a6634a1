/**
 * The guest's unit of work: one xorshift32 round on a register. Native code would do the same
 * three shifts and xors; the result feeds the next call so the loop cannot be optimised away.
 * The simulator calls exactly this function; the micro-benchmark compares it called plainly
 * with it called through the core step.
 */
export function guestWork(x: number, units: number): number {
  for (let i = 0; i < units; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
  }
  return x;
}
