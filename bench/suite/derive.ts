/**
 * Every figure the suite derives from measured cases: scaling curves (speed-up, efficiency,
 * VM/bare), the overcommit matrix (throughput per VM relative to its 1× value and to its fair
 * share), every mechanism against the baseline (bars, and the cost at 1×), sweep curves and
 * their knees. The terminal tables and the HTML report both render these, so the two never
 * disagree.
 */
import type { EngineKind, LockKind, PolicyKind, PolicySpec } from '../../src/config/schema.js';
import { SYSTEMS, type SystemName } from '../../src/config/systems.js';
import { loadReproduction, type Reproduction, type ReproductionMetric } from '../../src/reproduce/file.js';
import { reproduceRow, type ReproducedRow } from '../../src/reproduce/run.js';
import { isBaseline, mechanismLabel, mechanismRank, type LockAndPolicy } from './mechanisms.js';
import type { CaseResult, OvercommitParams, SchedulerParams, Spread, SweepParams, SystemParams } from './model.js';

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

const paramsOf = <K extends CaseResult['params']['kind']>(c: CaseResult, kind: K) =>
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

// ───────────────────────────── scaling ─────────────────────────────

export interface ScalingPoint {
  readonly pcpus: number;
  readonly bare?: CaseResult;
  readonly vm?: CaseResult;
  /** Throughput over the same mode's 1-pCPU throughput (medians). */
  readonly speedupBare: number;
  readonly speedupVm: number;
  /** VM speed-up over pCPUs: 1 is ideal scaling. */
  readonly efficiencyVm: number;
  /** VM throughput over bare metal's at the same pCPU count. */
  readonly vmOverBare: number;
}

export interface ScalingSeries {
  readonly engine: EngineKind;
  readonly workload: string;
  readonly points: readonly ScalingPoint[];
}

/** One series per (engine, workload) that has scaling cases, points sorted by pCPUs. */
export function scalingSeries(cases: readonly CaseResult[]): ScalingSeries[] {
  const keyed = new Map<string, { engine: EngineKind; workload: string; byP: Map<number, { bare?: CaseResult; vm?: CaseResult }> }>();
  for (const c of cases) {
    const p = paramsOf(c, 'scaling');
    if (!p) continue;
    const key = `${c.engine}/${p.workload}`;
    let series = keyed.get(key);
    if (!series) keyed.set(key, (series = { engine: c.engine, workload: p.workload, byP: new Map() }));
    const at = series.byP.get(p.pcpus) ?? {};
    if (p.mode === 'bare') at.bare = c;
    else at.vm = c;
    series.byP.set(p.pcpus, at);
  }
  return [...keyed.values()].map(({ engine, workload, byP }) => {
    const ps = [...byP.keys()].sort((a, b) => a - b);
    const one = byP.get(1);
    const points = ps.map((pcpus): ScalingPoint => {
      const { bare, vm } = byP.get(pcpus)!;
      const speedupVm = ratioOf(medianAcq(vm), medianAcq(one?.vm));
      return {
        pcpus,
        ...(bare ? { bare } : {}),
        ...(vm ? { vm } : {}),
        speedupBare: ratioOf(medianAcq(bare), medianAcq(one?.bare)),
        speedupVm,
        efficiencyVm: speedupVm / pcpus,
        vmOverBare: ratioOf(medianAcq(vm), medianAcq(bare)),
      };
    });
    return { engine, workload, points };
  });
}

// ───────────────────────────── overcommit ─────────────────────────────

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
 * of bench/suite/mechanisms.ts within each engine, preset and shape (pairs the list lacks last,
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

const mean = (values: readonly number[]) => values.reduce((s, v) => s + v, 0) / values.length;

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

// ───────────────────────────── schedulers ─────────────────────────────

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

// ───────────────────────────── systems ─────────────────────────────

/** One system at one ratio, against bare metal on the same engine, preset and pCPUs. */
export interface SystemCell {
  readonly case: CaseResult;
  readonly params: SystemParams;
  /** All VMs' throughput together over bare metal's (medians of the runs): 1 is the physical machine's throughput. */
  readonly totalVsBare: number;
  /**
   * Each VM's throughput over its fair share of bare metal's: bare metal's throughput times the
   * VM's weight over all the VMs' weights (medians). The mean and the least over the VMs.
   */
  readonly perVmVsFair: { readonly mean: number; readonly min: number };
}

export interface SystemRow {
  readonly system: SystemName;
  /** By ratio, ascending. */
  readonly cells: readonly SystemCell[];
}

export interface SystemsMatrix {
  readonly engine: EngineKind;
  readonly preset: string;
  readonly pcpus: number;
  /** The bare-metal case every cell is divided by; absent when it did not run (the cells are then NaN). */
  readonly bare?: CaseResult;
  readonly ratios: readonly number[];
  /** One per virtualized system that ran, in the order of the systems' list (src/config/systems.ts). */
  readonly rows: readonly SystemRow[];
}

const systemRank = (name: SystemName): number => SYSTEMS.findIndex((s) => s.name === name);
const isBareSystem = (name: SystemName): boolean => SYSTEMS.find((s) => s.name === name)?.mode === 'bare';

/** A system cell's figures against the bare-metal case (undefined: NaN, never a made-up number). */
function systemCell(c: CaseResult, bare: CaseResult | undefined): SystemCell {
  const params = c.params as SystemParams;
  const bareAcq = medianAcq(bare);
  const totalWeight = c.vms.reduce((s, vm) => s + vm.weight, 0);
  const perVm = c.vms.map((vm) => ratioOf(vm.acquisitionsPerSec.median, bareAcq === undefined ? undefined : (bareAcq * vm.weight) / totalWeight));
  return {
    case: c,
    params,
    totalVsBare: ratioOf(medianAcq(c), bareAcq),
    perVmVsFair: perVm.length > 0 ? { mean: mean(perVm), min: Math.min(...perVm) } : { mean: Number.NaN, min: Number.NaN },
  };
}

/**
 * The systems × overcommit matrices, one per engine and preset (as first seen), each cell
 * relative to the bare-metal case of the same engine, preset and pCPUs. Systems whose profile is
 * bare metal are the reference, not rows.
 */
export function systemsMatrices(cases: readonly CaseResult[]): SystemsMatrix[] {
  const groups = new Map<string, { engine: EngineKind; preset: string; pcpus: number; bare?: CaseResult; others: CaseResult[] }>();
  for (const c of cases) {
    const p = paramsOf(c, 'system');
    if (!p) continue;
    const key = `${c.engine}/${p.preset}/${p.pcpus}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { engine: c.engine, preset: p.preset, pcpus: p.pcpus, others: [] }));
    if (isBareSystem(p.system)) group.bare = c;
    else group.others.push(c);
  }
  return [...groups.values()].map(({ engine, preset, pcpus, bare, others }) => {
    const bySystem = new Map<SystemName, SystemCell[]>();
    for (const c of others) {
      const name = (c.params as SystemParams).system;
      bySystem.set(name, [...(bySystem.get(name) ?? []), systemCell(c, bare)]);
    }
    const rows = [...bySystem.entries()]
      .sort(([a], [b]) => systemRank(a) - systemRank(b))
      .map(([system, cells]) => ({ system, cells: cells.sort((a, b) => a.params.ratio - b.params.ratio) }));
    const ratios = [...new Set(others.map((c) => (c.params as SystemParams).ratio))].sort((a, b) => a - b);
    return { engine, preset, pcpus, ...(bare ? { bare } : {}), ratios, rows };
  });
}

/**
 * The matrix in words: at the highest ratio, the best and the worst system (all VMs over bare
 * metal), and each place where a system with a guest enlightenment does no better than one
 * without (its lock waiter only spins: `naive`) at the same ratio.
 */
export function systemsClaim(matrix: SystemsMatrix): string {
  const top = matrix.ratios[matrix.ratios.length - 1];
  if (top === undefined || !matrix.bare) return '';
  const at = (row: SystemRow, ratio: number) => row.cells.find((c) => c.params.ratio === ratio)?.totalVsBare ?? Number.NaN;
  const scored = matrix.rows.map((row) => ({ row, value: at(row, top) })).filter((x) => Number.isFinite(x.value));
  if (scored.length === 0) return '';
  const best = scored.reduce((a, b) => (b.value > a.value ? b : a));
  const worst = scored.reduce((a, b) => (b.value < a.value ? b : a));
  const x = (v: number) => `${v.toFixed(2)}×`;
  const parts = [
    `At ${top}× overcommit the best is ${best.row.system} (${x(best.value)} bare metal's throughput) and the worst ${worst.row.system} (${x(worst.value)})`,
  ];
  const naive = matrix.rows.filter((r) => guestPolicyOf(r.system) === 'naive');
  const losses: string[] = [];
  for (const row of matrix.rows.filter((r) => guestPolicyOf(r.system) !== 'naive'))
    for (const ratio of matrix.ratios.filter((r) => r > 1))
      for (const other of naive) {
        const mine = at(row, ratio);
        const theirs = at(other, ratio);
        // Within 2% counts as no better: the runs of one case spread about that much.
        if (Number.isFinite(mine) && Number.isFinite(theirs) && mine <= theirs * 1.02)
          losses.push(`${row.system} ${x(mine)} vs ${other.system} ${x(theirs)} at ${ratio}×`);
      }
  if (losses.length > 0) parts.push(`an enlightened guest does no better than a naive one: ${losses.join('; ')}`);
  return `${parts.join('; ')}.`;
}

/** The guest's spin-wait policy a system sets; undefined for bare metal (which spins, with nobody to tell). */
const guestPolicyOf = (name: SystemName): string | undefined => {
  const profile = SYSTEMS.find((s) => s.name === name);
  return profile?.mode === 'virtualized' ? profile.guest.policy : undefined;
};

// ───────────────────────────── sweeps ─────────────────────────────

export interface SweepCurve {
  readonly engine: EngineKind;
  readonly preset: string;
  readonly policy: PolicyKind;
  readonly variable: SweepParams['variable'];
  readonly pcpus: number;
  /** The shape every point ran at: `vms` VMs of `vcpusPerVm` vCPUs each. */
  readonly vms: number;
  readonly vcpusPerVm: number;
  /** Total vCPUs over pCPUs: 1 for one VM of P vCPUs, 2 for two. */
  readonly ratio: number;
  readonly points: readonly { readonly value: number; readonly case: CaseResult }[];
  /** The knee and the shape of the curve, in words. */
  readonly knee: string;
}

/** Within this share of the best value a point counts as on the plateau. */
const PLATEAU_TOLERANCE = 0.05;

/** One curve per engine, preset, policy, variable and shape (the halt threshold runs at 1× and 2×: two curves), points by value. */
export function sweepCurves(cases: readonly CaseResult[]): SweepCurve[] {
  const curves = new Map<string, Omit<SweepCurve, 'knee' | 'points'> & { points: { value: number; case: CaseResult }[] }>();
  for (const c of cases) {
    const p = paramsOf(c, 'sweep');
    if (!p) continue;
    const key = `${c.engine}/${p.preset}/${p.policy}/${p.variable}/${p.pcpus}/${p.vms}x${p.vcpusPerVm}`;
    let curve = curves.get(key);
    if (!curve) {
      const { preset, policy, variable, pcpus, vms, vcpusPerVm } = p;
      curves.set(key, (curve = { engine: c.engine, preset, policy, variable, pcpus, vms, vcpusPerVm, ratio: (vms * vcpusPerVm) / pcpus, points: [] }));
    }
    curve.points.push({ value: p.value, case: c });
  }
  return [...curves.values()].map((curve) => {
    const points = curve.points.sort((a, b) => a.value - b.value);
    return {
      ...curve,
      points,
      knee: describeKnee(
        curve.variable,
        points.map((p) => ({ x: p.value, y: p.case.metrics.acquisitionsPerSec.median })),
      ),
    };
  });
}

/** A sweep's shape in words: "2× overcommit (2 VMs × 2 vCPUs on 2 pCPUs)", "1× (1 VM of 2 vCPUs on 2 pCPUs)". */
export function sweepShape(curve: Pick<SweepCurve, 'ratio' | 'vms' | 'vcpusPerVm' | 'pcpus'>): string {
  const machine = `${curve.vms === 1 ? `1 VM of ${curve.vcpusPerVm}` : `${curve.vms} VMs × ${curve.vcpusPerVm}`} vCPUs on ${curve.pcpus} pCPUs`;
  return `${Number(curve.ratio.toPrecision(3))}×${curve.ratio > 1 ? ' overcommit' : ''} (${machine})`;
}

/** A sweep variable's value as people write it: 2^k spins, µs or ms. */
export function formatSweepValue(variable: SweepParams['variable'], value: number): string {
  if (variable !== 'sliceUs') {
    const k = Math.log2(value);
    return Number.isInteger(k) ? `2^${k}` : String(value);
  }
  return value >= 1000 ? `${value / 1000} ms` : `${value} µs`;
}

export const SWEEP_NAMES: Record<SweepParams['variable'], string> = { spinThreshold: 'spin threshold', sliceUs: 'time slice', haltThreshold: 'halt threshold' };

/**
 * The curve in words: where its best point is, the range of values that stay within
 * PLATEAU_TOLERANCE of it, and the knee: the plateau's edge past which throughput falls the
 * most (the point where lowering or raising the knob starts to cost).
 */
export function describeKnee(variable: SweepParams['variable'], points: readonly { x: number; y: number }[]): string {
  const name = SWEEP_NAMES[variable];
  const fmtX = (x: number) => formatSweepValue(variable, x);
  const usable = points.filter((p) => Number.isFinite(p.y));
  if (usable.length < 2) return `Too few points to describe the ${name} curve.`;
  const best = usable.reduce((a, b) => (b.y > a.y ? b : a));
  let lo = usable.indexOf(best);
  let hi = lo;
  const onPlateau = (p: { y: number }) => p.y >= best.y * (1 - PLATEAU_TOLERANCE);
  while (lo > 0 && onPlateau(usable[lo - 1]!)) lo--;
  while (hi < usable.length - 1 && onPlateau(usable[hi + 1]!)) hi++;
  const first = usable[0]!;
  const last = usable[usable.length - 1]!;
  const pct = (y: number) => `${Math.round((y / best.y) * 100)}%`;
  const plateau = lo === hi ? `only at ${fmtX(best.x)}` : `from ${fmtX(usable[lo]!.x)} to ${fmtX(usable[hi]!.x)}`;
  const head = `Throughput is best at ${name} ${fmtX(best.x)} and within ${PLATEAU_TOLERANCE * 100}% of it ${plateau}.`;
  if (lo === 0 && hi === usable.length - 1) return `${head} The curve is flat over the whole sweep: no knee within ${fmtX(first.x)}–${fmtX(last.x)}.`;
  const lowDrop = lo > 0 ? 1 - first.y / best.y : -1;
  const highDrop = hi < usable.length - 1 ? 1 - last.y / best.y : -1;
  const parts: string[] = [];
  if (lo > 0) parts.push(`below ${fmtX(usable[lo]!.x)} it falls to ${pct(first.y)} at ${fmtX(first.x)}`);
  if (hi < usable.length - 1) parts.push(`above ${fmtX(usable[hi]!.x)} it falls to ${pct(last.y)} at ${fmtX(last.x)}`);
  const knee = lowDrop >= highDrop ? usable[lo]! : usable[hi]!;
  return `${head} ${capitalise(parts.join('; '))}. The knee is at ${fmtX(knee.x)}.`;
}

const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

// ───────────────────────────── reproductions ─────────────────────────────

/** One reproduction's rows, from its cases' medians, judged as `spinvisor reproduce` judges them. */
export interface ReproductionTable {
  readonly repro: Reproduction;
  readonly rows: readonly ReproducedRow[];
}

/**
 * The reproductions the cases ran, in the order first seen, each row's figures from the medians of
 * its runs' cases. A VM's mean throughput is the machine's over the VMs (the same sum); a share is
 * the machine's (the shipped files compare shares of identical VMs). A row whose runs are missing (a
 * `--filter` run) is left out.
 */
export function reproductionTables(cases: readonly CaseResult[]): ReproductionTable[] {
  const byName = new Map<string, Map<string, CaseResult>>();
  for (const c of cases) {
    const p = paramsOf(c, 'reproduction');
    if (!p) continue;
    let runs = byName.get(p.reproduction);
    if (!runs) byName.set(p.reproduction, (runs = new Map<string, CaseResult>()));
    runs.set(p.run, c);
  }
  return [...byName].map(([name, cases]) => {
    const repro = loadReproduction(name);
    const runs = new Map(
      [...cases].map(([id, c]) => {
        const pick = (metric: ReproductionMetric) => {
          const all = c.metrics[metric].median;
          const throughput = metric === 'acquisitionsPerSec' || metric === 'workUnitsPerSec';
          return { all, vmMean: throughput ? all / Math.max(1, c.vms.length) : all };
        };
        const metrics = {
          acquisitionsPerSec: pick('acquisitionsPerSec'),
          workUnitsPerSec: pick('workUnitsPerSec'),
          stealFraction: pick('stealFraction'),
          spinFraction: pick('spinFraction'),
        };
        return [id, { metrics }] as const;
      }),
    );
    const rows = repro.rows
      .filter((r) => runs.has(r.run) && (r.baselineRun === undefined || runs.has(r.baselineRun)))
      .map((r) => reproduceRow(r, runs, repro.tolerance));
    return { repro, rows };
  });
}
