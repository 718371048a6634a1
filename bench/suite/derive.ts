/**
 * The figures every group derives with: a case's spread over its runs, medians, ratios that stay
 * NaN rather than made up, and the hypervisor's own cost over the cases that speak for it. Each
 * group's own figures (scaling curves, the overcommit matrix, sweep knees, …) are in its folder,
 * bench/groups/NAME/derive.ts; the terminal tables and the HTML report both render those, so the
 * two never disagree.
 */
import type { CaseResult, Spread } from './model.js';

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

/** (max − min) / median: how far a case's runs disagree. */
export const relativeSpread = (s: Spread): number => (s.median !== 0 ? (s.max - s.min) / s.median : Number.NaN);

/** Acquisitions per second, median over a case's runs. */
export const medianAcq = (c: CaseResult | undefined): number | undefined => c?.metrics.acquisitionsPerSec.median;

/** a / b, or NaN when b is 0 or either is missing: rendered as "–", never as a made-up number. */
export const ratioOf = (a: number | undefined, b: number | undefined): number => (a === undefined || b === undefined || !(b !== 0) ? Number.NaN : a / b);

/** A case's params when it is of `kind`. */
export const paramsOf = <K extends CaseResult['params']['kind']>(c: CaseResult, kind: K) =>
  c.params.kind === kind ? (c.params as Extract<CaseResult['params'], { kind: K }>) : undefined;

// ───────────────────────────── hypervisor cost ─────────────────────────────

/** Whether the case ran under the hypervisor (every case but bare-metal scaling ones). */
const isVirtualized = (c: CaseResult): boolean => !(c.params.kind === 'scaling' && c.params.mode === 'bare');

export interface HypervisorShare {
  /** Virtualized cases counted. */
  readonly cases: number;
  /** Spread over those cases of each case's median hv share. */
  readonly share: Spread;
  /** The case with the largest median hv share. */
  readonly worst?: CaseResult;
}

/**
 * The share of pCPU time spent in the hypervisor's own code, over the virtualized cases at the
 * scenarios' own settings: sweep cases push a knob to its extremes on purpose (a notify every 64
 * spins is mostly hypercalls), so they do not speak for the scheduler's cost; nor do the
 * schedulers group's cases, which run a global-lock baseline and short slices on purpose (that
 * group states its own figures: schedulerRows), nor the systems group's, whose hypervisor time
 * is mostly each host's own reaction to spinning (PLE exits and directed yields; systemsMatrices),
 * nor the reproduce group's, which run published setups (other schedulers, PLE) at their own
 * settings.
 */
export function hypervisorShare(cases: readonly CaseResult[]): HypervisorShare {
  const virtualized = cases.filter(
    (c) =>
      c.group !== 'sweep' &&
      c.group !== 'schedulers' &&
      c.group !== 'systems' &&
      c.group !== 'reproduce' &&
      isVirtualized(c) &&
      Number.isFinite(c.metrics.hvFraction.median),
  );
  const worst = virtualized.reduce<CaseResult | undefined>((a, c) => (!a || c.metrics.hvFraction.median > a.metrics.hvFraction.median ? c : a), undefined);
  return { cases: virtualized.length, share: spread(virtualized.map((c) => c.metrics.hvFraction.median)), ...(worst ? { worst } : {}) };
}

export const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;
