/**
 * Scaling: bare metal against one VM with as many vCPUs as pCPUs, pCPUs = 1 … the host's cores
 * on the threads engine and 1 … 64 on the virtual engine, on an uncontended and a contended
 * workload. The claim it tests: the VM scales like bare metal.
 */
import type { EngineKind, Mode } from '../../../src/config/schema.js';
import { loadScenario } from '../../../src/config/load.js';
import { durationOf, estimateRunsMs, type CaseJob, type PlanContext } from '../../suite/job.js';
import type { ScalingParams } from '../../suite/model.js';

/** The presets whose workloads are scaled. */
const SCALING_WORKLOADS = ['uncontended', 'contended'] as const;

/** Every count up to 8, then powers of two, always ending at `max`. */
function pcpuCounts(max: number): number[] {
  const counts = new Set<number>();
  for (let p = 1; p <= max; p = p < 8 ? p + 1 : p * 2) counts.add(p);
  counts.add(max);
  return [...counts].sort((a, b) => a - b);
}

/** Powers of two up to `max`, and `max`. */
function powersOfTwo(max: number): number[] {
  const counts = new Set<number>();
  for (let p = 1; p <= max; p *= 2) counts.add(p);
  counts.add(max);
  return [...counts].sort((a, b) => a - b);
}

function scalingJob(context: PlanContext, engine: EngineKind, workload: string, mode: Mode, pcpus: number): CaseJob {
  const durationMs = durationOf(engine, context.quick);
  const params: ScalingParams = { kind: 'scaling', workload, mode, pcpus };
  const modeLabel = mode === 'bare' ? 'bare' : 'vm';
  return {
    kind: 'case',
    id: `scaling/${engine}/${workload}/${modeLabel}/p${pcpus}`,
    group: 'scaling',
    engine,
    label: `${workload} ${mode === 'bare' ? 'bare metal' : '1 VM'}, ${pcpus} pCPU${pcpus > 1 ? 's' : ''}`,
    params,
    durationMs,
    config: (seed) => loadScenario(workload, { pcpus, vms: 1, vcpus: pcpus, mode, durationMs, seed, engine }),
    estimateMs: estimateRunsMs(engine, context.runs, durationMs, pcpus, pcpus),
  };
}

export function scalingJobs(context: PlanContext): CaseJob[] {
  const jobs: CaseJob[] = [];
  for (const engine of context.engines) {
    const counts = engine === 'threads' ? pcpuCounts(context.pcpus) : powersOfTwo(context.virtualMaxPcpus);
    for (const workload of SCALING_WORKLOADS)
      for (const pcpus of counts) for (const mode of ['bare', 'virtualized'] as const) jobs.push(scalingJob(context, engine, workload, mode, pcpus));
  }
  return jobs;
}
