/**
 * Sweeps of one knob at a time on the contended workload: the notify policy's spin threshold
 * (2^6 … 2^16 spins) and the time slice (100 µs … 30 ms) under 2× overcommit (2 VMs of P vCPUs),
 * and pv-halt's halt threshold (2^4 … 2^16 spins) at 1× (1 VM of P vCPUs: halting can only cost)
 * and at 2× (where a halt gives the pCPU away). The knee of each curve is stated in words by
 * derive.ts beside this file.
 */
import { loadScenario } from '../../../src/config/load.js';
import type { PolicyKind } from '../../../src/config/schema.js';
import { durationOf, estimateRunsMs, hostEngine, type CaseJob, type PlanContext } from '../../suite/job.js';
import type { SweepParams } from '../../suite/model.js';

const SWEEP_PRESET = 'contended';
const powersOfTwo = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => 2 ** (from + i));

interface Sweep {
  readonly policy: PolicyKind;
  readonly variable: SweepParams['variable'];
  /** Id segment and label of the variable. */
  readonly slug: string;
  readonly name: string;
  readonly values: readonly number[];
  /** --quick: the ends and the middle. */
  readonly quickValues: readonly number[];
  /** Identical VMs of P vCPUs: 1 is 1×, 2 is 2× overcommit. */
  readonly shapes: readonly number[];
  /** A full run's duration as a share of the suite's (--quick runs are at the suite's shortest already). */
  readonly durationShare: number;
}

const SWEEPS: readonly Sweep[] = [
  {
    policy: 'notify',
    variable: 'spinThreshold',
    slug: 'spin-threshold',
    name: 'threshold',
    values: powersOfTwo(6, 16),
    quickValues: [2 ** 6, 2 ** 11, 2 ** 16],
    shapes: [2],
    durationShare: 1,
  },
  {
    policy: 'notify',
    variable: 'sliceUs',
    slug: 'slice-us',
    name: 'slice',
    values: [100, 300, 1000, 3000, 10_000, 30_000],
    quickValues: [100, 3000, 30_000],
    shapes: [2],
    durationShare: 1,
  },
  // 26 cases: at half the others' duration (500 ms on threads), to keep the full suite short on 2 cores.
  {
    policy: 'pv-halt',
    variable: 'haltThreshold',
    slug: 'halt-threshold',
    name: 'halt threshold',
    values: powersOfTwo(4, 16),
    quickValues: [2 ** 4, 2 ** 10, 2 ** 16],
    shapes: [1, 2],
    durationShare: 0.5,
  },
];

function sweepJob(context: PlanContext, sweep: Sweep, vms: number, value: number): CaseJob {
  const engine = hostEngine(context);
  const durationMs = context.quick ? durationOf(engine, true) : Math.round(durationOf(engine, false) * sweep.durationShare);
  const pcpus = context.pcpus;
  const { policy, variable } = sweep;
  const params: SweepParams = { kind: 'sweep', preset: SWEEP_PRESET, policy, variable, value, pcpus, vms, vcpusPerVm: pcpus };
  const knob = { [variable]: value };
  // The notify sweeps keep their ids of before (always 2×); the halt threshold's name its shape.
  const shape = sweep.shapes.length > 1 ? `/${vms}x` : '';
  return {
    kind: 'case',
    id: `sweep/${engine}/${SWEEP_PRESET}/${sweep.slug}${shape}/${value}`,
    group: 'sweep',
    engine,
    label: `${policy} ${vms}x, ${sweep.name} ${value}${variable === 'sliceUs' ? ' µs' : ''}`,
    params,
    durationMs,
    config: (seed) => loadScenario(SWEEP_PRESET, { pcpus, vms, vcpus: pcpus, policy, mode: 'virtualized', durationMs, seed, engine, ...knob }),
    estimateMs: estimateRunsMs(engine, context.runs, durationMs, pcpus, vms * pcpus),
  };
}

export function sweepJobs(context: PlanContext): CaseJob[] {
  return SWEEPS.flatMap((sweep) =>
    sweep.shapes.flatMap((vms) => (context.quick ? sweep.quickValues : sweep.values).map((value) => sweepJob(context, sweep, vms, value))),
  );
}
