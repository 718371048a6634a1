/**
 * The per-vCPU random stream: xorshift32, state kept in the vCPU's context so a vCPU draws
 * the same sequence whichever pCPU runs it.
 */

/** Next state of a xorshift32 stream (never 0 for a non-zero state). */
export function xorshift32(x: number): number {
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  return x | 0;
}

/** A state in [0, 1) from a stream state. */
export function unitInterval(state: number): number {
  return (state >>> 0) / 4294967296;
}

/** A non-zero seed for one vCPU from the scenario seed (splitmix32-style mixing). */
export function seedFor(seed: number, vcpu: number): number {
  let z = (seed + Math.imul(vcpu + 1, 0x9e3779b9)) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  return z === 0 ? 0x2545f491 : z | 0;
}
