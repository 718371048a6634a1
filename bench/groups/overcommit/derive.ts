/**
 * The overcommit group's figures: the matrix (throughput per VM relative to its 1× value and to
 * its fair share), every mechanism against the baseline (bars, and the cost at 1×).
 */
import { mechanismLabel, mechanismRank, type LockAndPolicy } from '../../../src/config/mechanisms.js';
import type { EngineKind, LockKind, PolicySpec } from '../../../src/config/schema.js';
import { mean, medianAcq, paramsOf, ratioOf } from '../../suite/derive.js';
import type { CaseResult, OvercommitParams, Spread } from '../../suite/model.js';
import { isBaseline } from './mechanisms.js';

export interface OvercommitCell {
  readonly case: CaseResult;
  readonly params: OvercommitParams;
  /** Per VM (mean over the VMs, and the worst VM): throughput over its 1× value. */
  readonly perVmVsOneX: { readonly mean: number; readonly min: number };
  /** Per VM: throughput over its fair share (its 1× value × its entitled share of the pCPUs). */
  readonly perVmVsFairShare: { readonly mean: number; readonly min: number };
  /** All VMs' throughput over the 1× case's. */
  readonly totalVsOneX: number;
}

export interface OvercommitRow {
  readonly engine: EngineKind;
  readonly preset: string;
  readonly lock: LockKind;
  readonly policy: PolicySpec;
  /** `lock · policy`, as tables and charts name the row. */
  readonly mechanism: string;
  readonly shape: OvercommitParams['shape'];
  /** The 1× case: one VM with as many vCPUs as pCPUs, alone. */
  readonly oneX?: CaseResult;
  /** Cells by ratio, ratios ascending (1× included). */
  readonly cells: readonly OvercommitCell[];
}

/** The case of one VM with `vcpus` vCPUs alone on `c`'s machine, same engine, preset, lock and policy. */
function aloneCase(all: readonly CaseResult[], c: CaseResult, p: OvercommitParams, vcpus: number): CaseResult | undefined {
  return all.find((o) => {
    const q = paramsOf(o, 'overcommit');
    return (
      q &&
      o.engine === c.engine &&
      q.preset === p.preset &&
      q.lock === p.lock &&
      q.policy === p.policy &&
      q.pcpus === p.pcpus &&
      q.vms === 1 &&
      q.vcpusPerVm === vcpus
    );
  });
}

/**
 * The vCPUs of the VM whose throughput alone is a case's 1× value: for the `vms` shape, one VM
 * of the same size; for the `vcpus` shape (one VM), the 1× VM of P vCPUs, so the figure is what
 * the extra vCPUs cost the VM.
 */
const oneXVcpusOf = (p: OvercommitParams): number => (p.shape === 'vms' ? p.vcpusPerVm : p.pcpus);

/**
 * One row per engine, preset, mechanism and shape that has an overcommitted cell, in the order
 * of src/config/mechanisms.ts within each engine, preset and shape (pairs the list lacks last,
 * as first seen).
 */
export function overcommitRows(cases: readonly CaseResult[]): OvercommitRow[] {
  type Building = Omit<OvercommitRow, 'cells' | 'oneX'> & { cells: OvercommitCell[]; oneX?: CaseResult };
  const rows = new Map<string, Building>();
  const all = cases.filter((c) => c.params.kind === 'overcommit');
  for (const c of all) {
    const p = c.params as OvercommitParams;
    const oneXVcpus = oneXVcpusOf(p);
    const oneXVm = medianAcq(aloneCase(all, c, p, oneXVcpus));
    const totalWeight = c.vms.reduce((s, vm) => s + vm.weight, 0);
    const vsOneX: number[] = [];
    const vsFair: number[] = [];
    for (const vm of c.vms) {
      const relative = ratioOf(vm.acquisitionsPerSec.median, oneXVm);
      // Entitled pCPUs by weight, capped by what the VM alone could use.
      const entitled = Math.min(1, (p.pcpus * vm.weight) / totalWeight / Math.min(oneXVcpus, p.pcpus));
      vsOneX.push(relative);
      vsFair.push(relative / entitled);
    }
    const cell: OvercommitCell = {
      case: c,
      params: p,
      perVmVsOneX: { mean: mean(vsOneX), min: Math.min(...vsOneX) },
      perVmVsFairShare: { mean: mean(vsFair), min: Math.min(...vsFair) },
      totalVsOneX: ratioOf(medianAcq(c), medianAcq(aloneCase(all, c, p, p.pcpus))),
    };
    // The alone-case of a smaller VM is a reference, not a matrix cell.
    if (p.vms === 1 && p.ratio < 1) continue;
    const shapes: OvercommitParams['shape'][] = p.ratio === 1 ? ['vms', 'vcpus'] : [p.shape];
    for (const shape of shapes) {
      const key = `${c.engine}/${p.preset}/${p.lock}/${p.policy}/${shape}`;
      let row = rows.get(key);
      if (!row) rows.set(key, (row = { engine: c.engine, preset: p.preset, lock: p.lock, policy: p.policy, mechanism: mechanismLabel(p), shape, cells: [] }));
      row.cells.push(cell);
      if (p.ratio === 1) row.oneX = c;
    }
  }
  const built = [...rows.values()].filter((row) => row.cells.some((cell) => cell.params.ratio > 1));
  // Engine × preset × shape groups in the order they first appear; within a group, the list's order (then first appearance).
  const groupOf = (row: Building) => `${row.engine}/${row.preset}/${row.shape}`;
  const firstSeen = new Map<string, number>();
  for (const [i, row] of built.entries()) if (!firstSeen.has(groupOf(row))) firstSeen.set(groupOf(row), i);
  return built
    .map((row, i) => ({ row, i }))
    .sort((a, b) => firstSeen.get(groupOf(a.row))! - firstSeen.get(groupOf(b.row))! || mechanismRank(a.row) - mechanismRank(b.row) || a.i - b.i)
    .map(({ row }) => ({ ...row, cells: row.cells.sort((a, b) => a.params.ratio - b.params.ratio) }));
}

/** Ratios present in a set of rows, ascending. */
export const ratiosOf = (rows: readonly OvercommitRow[]): number[] =>
  [...new Set(rows.flatMap((r) => r.cells.map((c) => c.params.ratio)))].sort((a, b) => a - b);

/** Mechanisms of a set of rows, once each, in the rows' order (the list's order). */
export function mechanismsOf(rows: readonly OvercommitRow[]): (LockAndPolicy & { readonly mechanism: string })[] {
  const seen = new Map<string, LockAndPolicy & { readonly mechanism: string }>();
  for (const r of [...rows].sort((a, b) => mechanismRank(a) - mechanismRank(b)))
    if (!seen.has(r.mechanism)) seen.set(r.mechanism, { lock: r.lock, policy: r.policy, mechanism: r.mechanism });
  return [...seen.values()];
}

export interface MechanismBars {
  readonly engine: EngineKind;
  readonly preset: string;
  readonly shape: OvercommitParams['shape'];
  readonly ratios: readonly number[];
  /** Per mechanism (the list's order), per ratio: total throughput relative to the baseline's 1× throughput (NaN where missing). */
  readonly bars: readonly {
    readonly lock: LockKind;
    readonly policy: PolicySpec;
    readonly mechanism: string;
    readonly relative: readonly number[];
    readonly spreads: readonly (Spread | undefined)[];
  }[];
  /** The baseline's (`ticket · naive`) 1× throughput, the bars' unit; NaN when it did not run. */
  readonly reference: number;
}

/** Every mechanism against the baseline, per overcommit ratio, for one engine, preset and shape. */
export function mechanismBars(rows: readonly OvercommitRow[]): MechanismBars[] {
  const out: MechanismBars[] = [];
  const keys = new Set(rows.map((r) => `${r.engine}/${r.preset}/${r.shape}`));
  for (const key of keys) {
    const same = rows.filter((r) => `${r.engine}/${r.preset}/${r.shape}` === key);
    const reference = same.find(isBaseline)?.oneX?.metrics.acquisitionsPerSec.median ?? Number.NaN;
    const ratios = ratiosOf(same);
    out.push({
      engine: same[0]!.engine,
      preset: same[0]!.preset,
      shape: same[0]!.shape,
      ratios,
      reference,
      bars: same.map((r) => {
        const at = ratios.map((ratio) => r.cells.find((c) => c.params.ratio === ratio));
        return {
          lock: r.lock,
          policy: r.policy,
          mechanism: r.mechanism,
          relative: at.map((cell) => ratioOf(cell?.case.metrics.acquisitionsPerSec.median, reference)),
          spreads: at.map((cell) => cell?.case.metrics.acquisitionsPerSec),
        };
      }),
    });
  }
  return out;
}

export interface CostAtOneX {
  readonly engine: EngineKind;
  readonly preset: string;
  /** Per mechanism (the list's order): its throughput at 1× (one VM of P vCPUs alone) over the baseline's; NaN where either is missing. */
  readonly costs: readonly { readonly lock: LockKind; readonly policy: PolicySpec; readonly mechanism: string; readonly relative: number }[];
}

/** What each mechanism costs where nothing is overcommitted: its 1× throughput over `ticket · naive`'s, per engine and preset. */
export function costsAtOneX(rows: readonly OvercommitRow[]): CostAtOneX[] {
  const out: CostAtOneX[] = [];
  for (const key of new Set(rows.map((r) => `${r.engine}/${r.preset}`))) {
    const same = rows.filter((r) => `${r.engine}/${r.preset}` === key);
    const reference = medianAcq(same.find(isBaseline)?.oneX);
    out.push({
      engine: same[0]!.engine,
      preset: same[0]!.preset,
      costs: mechanismsOf(same).map((m) => ({ ...m, relative: ratioOf(medianAcq(same.find((r) => r.mechanism === m.mechanism && r.oneX)?.oneX), reference) })),
    });
  }
  return out;
}

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
