/** The sweeps' figures: one curve per knob and shape, and its knee in words. */
import type { EngineKind, PolicyKind } from '../../../src/config/schema.js';
import { paramsOf } from '../../suite/derive.js';
import type { CaseResult, SweepParams } from '../../suite/model.js';

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
