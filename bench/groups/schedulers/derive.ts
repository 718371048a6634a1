/** The schedulers group's figures: rr against global-lock per engine, pCPUs and slice, and the claim in words. */
import type { EngineKind } from '../../../src/config/schema.js';
import { medianAcq, paramsOf, ratioOf } from '../../suite/derive.js';
import type { CaseResult, SchedulerParams } from '../../suite/model.js';

export interface SchedulerRow {
  readonly engine: EngineKind;
  readonly pcpus: number;
  readonly sliceUs: number;
  readonly rr?: CaseResult;
  readonly globalLock?: CaseResult;
  /** global-lock's hv share minus rr's (medians): what the lock costs, in shares of pCPU time; NaN where either is missing. */
  readonly hvDelta: number;
  /** global-lock's throughput over rr's (medians). */
  readonly throughputRatio: number;
}

/** One row per engine, pCPUs and slice that has a scheduler case: engines as first seen, then pCPUs and slices ascending. */
export function schedulerRows(cases: readonly CaseResult[]): SchedulerRow[] {
  const rows = new Map<string, { engine: EngineKind; pcpus: number; sliceUs: number; rr?: CaseResult; globalLock?: CaseResult }>();
  const engines: EngineKind[] = [];
  for (const c of cases) {
    const p = paramsOf(c, 'scheduler');
    if (!p) continue;
    if (!engines.includes(c.engine)) engines.push(c.engine);
    const key = `${c.engine}/${p.pcpus}/${p.sliceUs}`;
    let row = rows.get(key);
    if (!row) rows.set(key, (row = { engine: c.engine, pcpus: p.pcpus, sliceUs: p.sliceUs }));
    if (p.policy === 'rr') row.rr = c;
    else row.globalLock = c;
  }
  const hvOf = (c: CaseResult | undefined) => c?.metrics.hvFraction.median ?? Number.NaN;
  return [...rows.values()]
    .sort((a, b) => engines.indexOf(a.engine) - engines.indexOf(b.engine) || a.pcpus - b.pcpus || a.sliceUs - b.sliceUs)
    .map((row) => ({ ...row, hvDelta: hvOf(row.globalLock) - hvOf(row.rr), throughputRatio: ratioOf(medianAcq(row.globalLock), medianAcq(row.rr)) }));
}

/** A slice as people write it: `100 µs`, `1 ms`. */
export const formatSlice = (sliceUs: SchedulerParams['sliceUs']): string => (sliceUs >= 1000 ? `${sliceUs / 1000} ms` : `${sliceUs} µs`);

/** The slice the schedulers claim is stated at: the shortest, where switches, and so the lock, are most frequent. */
const CLAIM_SLICE_US = 100;

/**
 * "global-lock costs X points of hv % more than rr at 16 pCPUs, 100 µs slices; Y at 64", for one
 * engine: the difference at every pCPU count of that slice (a point is a percentage point).
 */
export function schedulerClaim(rows: readonly SchedulerRow[], engine: EngineKind): string {
  const at = rows.filter((r) => r.engine === engine && r.sliceUs === CLAIM_SLICE_US && Number.isFinite(r.hvDelta));
  if (at.length === 0) return '';
  const points = (d: number) => `${(d * 100).toFixed(3)} points`;
  const [first, ...rest] = at;
  const tail = rest.map((r) => `; ${points(r.hvDelta)} at ${r.pcpus}`).join('');
  const throughput = at.map((r) => `${r.throughputRatio.toFixed(2)}×`).join(', ');
  return (
    `global-lock costs ${points(first!.hvDelta)} of hv % more than rr at ${first!.pcpus} pCPUs, ${formatSlice(CLAIM_SLICE_US)} slices${tail} ` +
    `(throughput ${throughput} of rr's).`
  );
}
