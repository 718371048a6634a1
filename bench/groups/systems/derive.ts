/** The systems group's figures: per engine and preset, every system at every ratio against bare metal, and the matrix in words. */
import type { EngineKind } from '../../../src/config/schema.js';
import { SYSTEMS, type SystemName } from '../../../src/config/systems.js';
import { mean, medianAcq, paramsOf, ratioOf } from '../../suite/derive.js';
import type { CaseResult, SystemParams } from '../../suite/model.js';

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
