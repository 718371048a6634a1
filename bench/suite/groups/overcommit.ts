/**
 * Overcommit: 1×, 1.5×, 2× and 3× as many vCPUs as pCPUs, under every policy the schema
 * declares and every shipped preset's workload, in two shapes: more VMs (identical VMs of P
 * vCPUs; 1.5× is 3 VMs of P/2) and more vCPUs in one VM. A VM alone on the machine is each
 * VM's 1× value. The claim it tests: naive spinlocks collapse under overcommit, enlightened
 * ones do not.
 */
import { loadScenario } from '../../../src/config/load.js';
import { presetNames } from '../../../src/config/presets.js';
import { POLICY_KINDS, type EngineKind, type PolicyKind } from '../../../src/config/schema.js';
import { estimateRunsMs, type CaseJob, type PlanContext, type SuiteGroup } from '../job.js';
import type { OvercommitParams } from '../model.js';
import { durationOf } from './scaling.js';

const OVERCOMMIT_RATIOS = [1.5, 2, 3] as const;

/** The engine of the groups that run at the host's size: threads when allowed. */
export const hostEngine = (context: PlanContext): EngineKind => (context.engines.includes('threads') ? 'threads' : context.engines[0]!);

/** The VM shapes of one preset and policy at `pcpus`: the 1× case, the alone reference and each ratio in each shape. */
function overcommitShapes(pcpus: number): Omit<OvercommitParams, 'kind' | 'preset' | 'policy'>[] {
  const shapes: Omit<OvercommitParams, 'kind' | 'preset' | 'policy'>[] = [{ shape: 'vms', ratio: 1, pcpus, vms: 1, vcpusPerVm: pcpus }];
  const half = pcpus % 2 === 0 ? pcpus / 2 : undefined;
  if (half !== undefined) shapes.push({ shape: 'vms', ratio: 0.5, pcpus, vms: 1, vcpusPerVm: half });
  for (const ratio of OVERCOMMIT_RATIOS) {
    // More VMs: identical VMs of P vCPUs, or of P/2 where the ratio is not whole.
    if (Number.isInteger(ratio)) shapes.push({ shape: 'vms', ratio, pcpus, vms: ratio, vcpusPerVm: pcpus });
    else if (half !== undefined) shapes.push({ shape: 'vms', ratio, pcpus, vms: ratio * 2, vcpusPerVm: half });
    // More vCPUs in one VM.
    if (Number.isInteger(ratio * pcpus)) shapes.push({ shape: 'vcpus', ratio, pcpus, vms: 1, vcpusPerVm: ratio * pcpus });
  }
  return shapes;
}

function overcommitJob(
  context: PlanContext,
  engine: EngineKind,
  preset: string,
  policy: PolicyKind,
  shape: Omit<OvercommitParams, 'kind' | 'preset' | 'policy'>,
): CaseJob {
  const durationMs = durationOf(engine, context.quick);
  const params: OvercommitParams = { kind: 'overcommit', preset, policy, ...shape };
  const { ratio, vms, vcpusPerVm, pcpus } = shape;
  const tail = ratio === 1 ? '1x' : ratio < 1 ? `alone-v${vcpusPerVm}` : `${shape.shape}/${ratio}x`;
  const what = ratio < 1 ? `1 VM of ${vcpusPerVm} alone` : `${ratio}x ${vms} VM${vms > 1 ? 's' : ''} × ${vcpusPerVm}`;
  return {
    kind: 'case',
    id: `overcommit/${engine}/${preset}/${policy}/${tail}`,
    group: 'overcommit',
    engine,
    label: `${preset} ${policy} ${what}`,
    params,
    durationMs,
    config: (seed) => loadScenario(preset, { pcpus, vms, vcpus: vcpusPerVm, policy, mode: 'virtualized', durationMs, seed, engine }),
    estimateMs: estimateRunsMs(engine, context.runs, durationMs, pcpus, vms * vcpusPerVm),
  };
}

export const overcommitGroup: SuiteGroup = {
  name: 'overcommit',
  summary: '1x to 3x vCPUs per pCPU (more VMs, or more vCPUs), every preset x every policy',
  jobs(context) {
    const engine = hostEngine(context);
    const jobs: CaseJob[] = [];
    for (const preset of presetNames())
      for (const policy of POLICY_KINDS) for (const shape of overcommitShapes(context.pcpus)) jobs.push(overcommitJob(context, engine, preset, policy, shape));
    return jobs;
  },
};
