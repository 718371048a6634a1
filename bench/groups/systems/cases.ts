/**
 * Systems: every named system of src/config/systems.ts (a real guest on a real host: lock, wait
 * policy, scheduler, reaction, PLE, boost) at 1×, 1.5×, 2× and 3× overcommit, on the `default`
 * and `contended` presets, each cell measured against bare metal (the bare-metal profile: the
 * same preset's workload on the same pCPUs, one vCPU per pCPU, no hypervisor). The claim it
 * tests: which shipped combinations keep a machine's throughput when its pCPUs are shared, and
 * where one loses to a guest with no enlightenment at all.
 *
 * The systems come from the profiles' list, so a new profile joins the matrix without an edit
 * here. The shape is the overcommit group's "more VMs" (identical VMs of P vCPUs; 1.5× is 3 VMs
 * of P/2). Bare metal cannot be overcommitted (one vCPU per pCPU, nothing to time-slice), so it
 * runs once per engine and preset: the reference of every ratio. Engines as the overcommit
 * matrix has them: the threads engine at the host's pCPUs and the virtual engine at 16.
 */
import { loadScenario } from '../../../src/config/load.js';
import type { EngineKind } from '../../../src/config/schema.js';
import { SYSTEMS, type SystemName } from '../../../src/config/systems.js';
import { durationOf, estimateRunsMs, type CaseJob, type PlanContext } from '../../suite/job.js';
import type { SystemParams } from '../../suite/model.js';
import { matrixPcpus, vmsShape } from '../overcommit/cases.js';

/** `default` (16 locks, moderate contention) and `contended` (two hot locks: the lock decides throughput). */
const SYSTEM_PRESETS = ['default', 'contended'] as const;
const SYSTEM_RATIOS = [1, 1.5, 2, 3] as const;

/** `--quick`: the virtual engine alone, at 2× on the contended preset, where the systems differ most. */
const QUICK_PRESETS = ['contended'] as const;
const QUICK_RATIOS = [2] as const;

/**
 * A full run's durations: a quarter of the suite's threads second and half its 200 virtual ms.
 * At the suite's own durations the virtual part alone took 122 s of CPU on the 2-core host (the
 * default preset does 4 million acquisitions a virtual second, and KVM's PLE exits on the
 * contended one 3 million a second, each of them events to simulate), 56 s at 100 ms; 42 threads
 * cases of 3 runs of a second would add 2½ minutes more. 100 virtual ms is 10 slices of 10 ms
 * per pCPU; 250 ms on threads 25. Xen's credit scheduler (30 ms slices and accounting periods)
 * is the one system whose figures still move with the run's length: bench/README.md says by how much.
 */
const FULL_DURATION_MS: Record<EngineKind, number> = { threads: 250, virtual: 100 };

/**
 * Host ms per virtual ms per pCPU of a virtual run of these cases: their mean as measured, 56 s of
 * CPU for 126 runs of 100 virtual ms at 16 pCPUs (0.27), rounded up. The default preset's runs
 * cost about twice the contended one's, and KVM's there several times its others'.
 */
const VIRTUAL_HOST_MS_PER_VIRTUAL_MS_PER_PCPU = 0.3;

/** Whether a system is the physical machine: the reference of the others, run once per engine and preset. */
const isBareMetal = (name: SystemName): boolean => SYSTEMS.find((s) => s.name === name)?.mode === 'bare';

function estimateMs(context: PlanContext, engine: EngineKind, durationMs: number, pcpus: number): number {
  if (engine === 'threads') return estimateRunsMs(engine, context.runs, durationMs, pcpus, pcpus);
  return context.runs * (20 + durationMs * VIRTUAL_HOST_MS_PER_VIRTUAL_MS_PER_PCPU * pcpus);
}

function systemJob(context: PlanContext, engine: EngineKind, preset: string, params: SystemParams): CaseJob {
  const durationMs = context.quick ? durationOf(engine, true) : FULL_DURATION_MS[engine];
  const { system, ratio, pcpus, vms, vcpusPerVm } = params;
  const bare = isBareMetal(system);
  return {
    kind: 'case',
    id: bare ? `systems/${engine}/${preset}/${system}` : `systems/${engine}/${preset}/${system}/${ratio}x`,
    group: 'systems',
    engine,
    label: bare ? `${preset} ${system}, ${pcpus} pCPUs` : `${preset} ${system} ${ratio}x ${vms} VM${vms > 1 ? 's' : ''} × ${vcpusPerVm}`,
    params,
    durationMs,
    // The system sets the mode; bare metal keeps the preset's workload, one vCPU per pCPU.
    config: (seed) => loadScenario(preset, { system, pcpus, vms, vcpus: vcpusPerVm, durationMs, seed, engine }),
    estimateMs: estimateMs(context, engine, durationMs, pcpus),
  };
}

/** The cases of one engine and preset: bare metal once, then every other system at every ratio the machine can take. */
function presetJobs(context: PlanContext, engine: EngineKind, preset: string, ratios: readonly number[]): CaseJob[] {
  const pcpus = matrixPcpus(engine, context);
  const jobs: CaseJob[] = [];
  for (const { name } of SYSTEMS) {
    if (isBareMetal(name)) {
      jobs.push(systemJob(context, engine, preset, { kind: 'system', preset, system: name, ratio: 1, pcpus, vms: 1, vcpusPerVm: pcpus }));
      continue;
    }
    for (const ratio of ratios) {
      const shape = vmsShape(pcpus, ratio);
      if (shape)
        jobs.push(systemJob(context, engine, preset, { kind: 'system', preset, system: name, ratio, pcpus, vms: shape.vms, vcpusPerVm: shape.vcpusPerVm }));
    }
  }
  return jobs;
}

export function systemJobs(context: PlanContext): CaseJob[] {
  if (context.quick) return context.engines.includes('virtual') ? QUICK_PRESETS.flatMap((preset) => presetJobs(context, 'virtual', preset, QUICK_RATIOS)) : [];
  return context.engines.flatMap((engine) => SYSTEM_PRESETS.flatMap((preset) => presetJobs(context, engine, preset, SYSTEM_RATIOS)));
}
