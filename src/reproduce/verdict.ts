/**
 * Whether a simulated ratio agrees with a published one: in direction (both up, both down, or
 * both flat) and in order of magnitude (their effects within a factor of 10 of each other).
 *
 * A ratio's effect is how far it is from "no effect": for a slowdown or a speed-up, from 1, made
 * symmetric so that a slowdown of 2× (+1) and a speed-up of 0.5× (−1) mirror each other; for a
 * share, the share itself (no effect is 0). An effect smaller than the tolerance is flat.
 */

/** What a row's ratio is about: time taken over a baseline's, throughput over a baseline's, or a share of time. */
export const RATIO_KINDS = ['slowdown', 'speedup', 'share'] as const;
export type RatioKind = (typeof RATIO_KINDS)[number];

export type Direction = 'up' | 'down' | 'flat';

export interface Verdict {
  readonly publishedDirection: Direction;
  readonly simulatedDirection: Direction;
  /** Both effects in the same direction (both flat counts). */
  readonly direction: boolean;
  /** The same direction, and the larger effect at most 10× the smaller (both flat counts). */
  readonly magnitude: boolean;
}

/** An order of magnitude. */
const MAGNITUDE_FACTOR = 10;

/** How far a ratio is from no effect: r − 1 above 1, −(1/r − 1) below; a share is its own effect. */
export function effectOf(kind: RatioKind, ratio: number): number {
  if (kind === 'share') return ratio;
  return ratio >= 1 ? ratio - 1 : -(1 / ratio - 1);
}

export function directionOf(effect: number, tolerance: number): Direction {
  if (Math.abs(effect) < tolerance) return 'flat';
  return effect > 0 ? 'up' : 'down';
}

/**
 * The verdict on a simulated ratio against a published one. `tolerance` is the smallest effect
 * that counts as a direction (0.05: a 5% slowdown or speed-up, or a share of 5%). A ratio that is
 * not a positive finite number (a run that did nothing) agrees with nothing.
 */
export function judge(kind: RatioKind, published: number, simulated: number, tolerance: number): Verdict {
  const valid = (r: number) => Number.isFinite(r) && (kind === 'share' ? r >= 0 : r > 0);
  const pub = effectOf(kind, published);
  const sim = effectOf(kind, simulated);
  const publishedDirection = directionOf(pub, tolerance);
  const simulatedDirection = directionOf(sim, tolerance);
  if (!valid(published) || !valid(simulated)) return { publishedDirection, simulatedDirection, direction: false, magnitude: false };
  const direction = publishedDirection === simulatedDirection;
  const both = [Math.abs(pub), Math.abs(sim)].sort((a, b) => a - b);
  const magnitude = direction && (publishedDirection === 'flat' || both[1]! <= MAGNITUDE_FACTOR * both[0]!);
  return { publishedDirection, simulatedDirection, direction, magnitude };
}
