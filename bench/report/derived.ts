/**
 * The few figures the HTML report needs that bench/suite/derive.ts does not provide. Each is a
 * thin layer over derive.ts's own figures (ratioOf, spread, the rows and series), so the report
 * and the terminal tables never compute the same thing two ways.
 */
import { medianAcq, ratioOf, type MechanismBars, type OvercommitRow, type ScalingSeries } from '../suite/derive.js';
import { isBaseline } from '../suite/mechanisms.js';
import type { Spread } from '../suite/model.js';

/**
 * The ideal linear-scaling line of a scaling series: the 1-pCPU throughput times pCPUs.
 * The reference is bare metal at 1 pCPU (the VM's at 1 pCPU when bare metal did not run).
 */
export function idealScaling(series: ScalingSeries): { readonly pcpus: number; readonly acquisitionsPerSec: number }[] {
  const one = series.points.find((p) => p.pcpus === 1);
  const reference = medianAcq(one?.bare) ?? medianAcq(one?.vm) ?? Number.NaN;
  return series.points.map((p) => ({ pcpus: p.pcpus, acquisitionsPerSec: reference * p.pcpus }));
}

/** The points of a scaling series where both the VM and bare metal ran (so vmOverBare is finite). */
export const comparedPoints = (series: ScalingSeries) => series.points.filter((p) => Number.isFinite(p.vmOverBare));

/** A bar's whiskers: the min and max of its case's runs, in the bars' unit (the baseline's 1× median). */
export const barRange = (bars: MechanismBars, s: Spread | undefined): { readonly lo: number; readonly hi: number } => ({
  lo: ratioOf(s?.min, bars.reference),
  hi: ratioOf(s?.max, bars.reference),
});

/** How many times `mechanism`'s bar is the baseline's, at the bars' i-th ratio (NaN where either is missing). */
export function overBaseline(bars: MechanismBars, mechanism: string, i: number): number {
  const baseline = bars.bars.find(isBaseline);
  const other = bars.bars.find((b) => b.mechanism === mechanism);
  return ratioOf(other?.relative[i], baseline?.relative[i]);
}

/** At one overcommit ratio: a mechanism's lowest per-VM share of the fair share over the rows, and the row it is in. */
export function worstFairShare(rows: readonly OvercommitRow[], mechanism: string, ratio: number): { readonly value: number; readonly row?: OvercommitRow } {
  let value = Number.NaN;
  let worst: OvercommitRow | undefined;
  for (const row of rows) {
    if (row.mechanism !== mechanism) continue;
    const cell = row.cells.find((c) => c.params.ratio === ratio);
    const v = cell?.perVmVsFairShare.mean;
    if (v === undefined || !Number.isFinite(v)) continue;
    if (!(v >= value)) [value, worst] = [v, row];
  }
  return { value, ...(worst ? { row: worst } : {}) };
}
