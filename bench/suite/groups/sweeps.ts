/**
 * Sweeps of the notify policy's two knobs under 2× overcommit (2 VMs of P vCPUs on the
 * contended workload): the spin threshold, 2^6 … 2^16 spins, and the time slice, 100 µs … 30 ms.
 * The knee of each curve is stated in words by derive.ts.
 */
import { loadScenario } from '../../../src/config/load.js';
import { estimateRunsMs, type CaseJob, type PlanContext, type SuiteGroup } from '../job.js';
import type { SweepParams } from '../model.js';
import { hostEngine } from './overcommit.js';
import { durationOf } from './scaling.js';

const SWEEP_PRESET = 'contended';
const SPIN_THRESHOLDS = Array.from({ length: 11 }, (_, i) => 2 ** (6 + i));
const SLICES_US = [100, 300, 1000, 3000, 10_000, 30_000];
/** --quick: the ends and the middle of each sweep. */
const QUICK_SPIN_THRESHOLDS = [2 ** 6, 2 ** 11, 2 ** 16];
const QUICK_SLICES_US = [100, 3000, 30_000];

function sweepJob(context: PlanContext, variable: SweepParams['variable'], value: number): CaseJob {
  const engine = hostEngine(context);
  const durationMs = durationOf(engine, context.quick);
  const pcpus = context.pcpus;
  const params: SweepParams = { kind: 'sweep', preset: SWEEP_PRESET, variable, value, pcpus };
  const knob = variable === 'spinThreshold' ? { spinThreshold: value } : { sliceUs: value };
  return {
    kind: 'case',
    id: `sweep/${engine}/${SWEEP_PRESET}/${variable === 'spinThreshold' ? 'spin-threshold' : 'slice-us'}/${value}`,
    group: 'sweep',
    engine,
    label: `notify 2x, ${variable === 'spinThreshold' ? `threshold ${value}` : `slice ${value} µs`}`,
    params,
    durationMs,
    config: (seed) => loadScenario(SWEEP_PRESET, { pcpus, vms: 2, vcpus: pcpus, policy: 'notify', mode: 'virtualized', durationMs, seed, engine, ...knob }),
    estimateMs: estimateRunsMs(engine, context.runs, durationMs, pcpus, 2 * pcpus),
  };
}

export const sweepGroup: SuiteGroup = {
  name: 'sweep',
  summary: 'notify at 2x overcommit: spin threshold 2^6..2^16, time slice 100 µs..30 ms',
  jobs(context) {
    const thresholds = context.quick ? QUICK_SPIN_THRESHOLDS : SPIN_THRESHOLDS;
    const slices = context.quick ? QUICK_SLICES_US : SLICES_US;
    return [...thresholds.map((t) => sweepJob(context, 'spinThreshold', t)), ...slices.map((s) => sweepJob(context, 'sliceUs', s))];
  },
};
