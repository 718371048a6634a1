/** The scaling group's figures: per engine and workload, speed-up, efficiency and VM/bare at each pCPU count, and the ideal line. */
import type { EngineKind } from '../../../src/config/schema.js';
import { medianAcq, paramsOf, ratioOf } from '../../suite/derive.js';
import type { CaseResult } from '../../suite/model.js';

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
