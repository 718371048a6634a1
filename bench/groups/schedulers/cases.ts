/**
 * Schedulers: the hypervisor's own overhead under `rr` (lock-free per-pCPU run queues) against
 * `global-lock` (one run queue under one spinlock), at 2× overcommit on the contended preset
 * (one VM of 2P vCPUs, so every slice end is a switch through the run queue), 100 µs and 1 ms
 * slices. The claim it tests: the scheduler must be lock-free, because a global lock's hypervisor
 * time grows with the pCPUs that contend for it and with how often they switch.
 *
 * Engines: the virtual engine at 2, 16 and 64 pCPUs (on it the lock is modelled as held until a
 * virtual time, so its wait is exact and repeatable at any size); the threads engine at the
 * host's pCPUs, where the lock is a real ticket lock and its wait real time.
 */
import { loadScenario } from '../../../src/config/load.js';
import type { EngineKind } from '../../../src/config/schema.js';
import { durationOf, estimateRunsMs, type CaseJob, type PlanContext } from '../../suite/job.js';
import type { SchedulerParams } from '../../suite/model.js';

/** The policies compared: the lock-free one the project ships, and the global-lock baseline. */
const COMPARED_SCHEDULERS = ['rr', 'global-lock'] as const;

/** The preset whose workload runs: two hot locks, so the guest switches often and the run queue is busy. */
const SCHEDULER_PRESET = 'contended';

/** The virtual engine's machines: small, a common server, and the size where one lock has many contenders. */
const VIRTUAL_PCPUS = [2, 16, 64] as const;
const SLICES_US = [100, 1000] as const;

/** vCPUs per pCPU: enough that every pCPU always has another vCPU to switch to. */
const OVERCOMMIT = 2;

/**
 * `--quick`: the virtual engine only, at 2 and 16 pCPUs and the short slice, where the two
 * policies differ most; the 64-pCPU cases alone would add seconds to a run meant to take 30.
 */
const QUICK_PCPUS = [2, 16] as const;
const QUICK_SLICES_US = [100] as const;

/**
 * estimateRunsMs's virtual rate (0.2 host ms per virtual ms per pCPU) is four to ten times what these cases take: on 2 busy
 * cores, 200 virtual ms at 64 pCPUs took 0.3–0.6 s at 100 µs slices and 0.06 s at 1 ms. A quarter of that rate keeps the
 * estimate above the 100 µs cases without making the group look like a minute of a full run's quarter of an hour.
 */
function estimateMs(context: PlanContext, engine: EngineKind, durationMs: number, pcpus: number): number {
  if (engine === 'threads') return estimateRunsMs(engine, context.runs, durationMs, pcpus, pcpus);
  return context.runs * (20 + durationMs * 0.05 * pcpus);
}

function schedulerJob(context: PlanContext, engine: EngineKind, policy: SchedulerParams['policy'], pcpus: number, sliceUs: number): CaseJob {
  const durationMs = durationOf(engine, context.quick);
  const vcpus = OVERCOMMIT * pcpus;
  const params: SchedulerParams = { kind: 'scheduler', policy, pcpus, sliceUs };
  return {
    kind: 'case',
    id: `schedulers/${engine}/${policy}/p${pcpus}/s${sliceUs}`,
    group: 'schedulers',
    engine,
    label: `${policy} ${pcpus} pCPUs, ${sliceUs} µs slices, 1 VM × ${vcpus}`,
    params,
    durationMs,
    config: (seed) => loadScenario(SCHEDULER_PRESET, { pcpus, vms: 1, vcpus, mode: 'virtualized', scheduler: policy, sliceUs, durationMs, seed, engine }),
    estimateMs: estimateMs(context, engine, durationMs, pcpus),
  };
}

/** The machines of each engine: the virtual engine's three sizes (up to its largest), the threads engine at `--pcpus`. */
function machines(context: PlanContext): { readonly engine: EngineKind; readonly pcpus: readonly number[]; readonly slices: readonly number[] }[] {
  if (context.quick) {
    if (!context.engines.includes('virtual')) return [];
    return [{ engine: 'virtual', pcpus: QUICK_PCPUS.filter((p) => p <= context.virtualMaxPcpus), slices: QUICK_SLICES_US }];
  }
  return context.engines.map((engine) => ({
    engine,
    pcpus: engine === 'virtual' ? VIRTUAL_PCPUS.filter((p) => p <= context.virtualMaxPcpus) : [context.pcpus],
    slices: SLICES_US,
  }));
}

export function schedulerJobs(context: PlanContext): CaseJob[] {
  const jobs: CaseJob[] = [];
  for (const { engine, pcpus, slices } of machines(context))
    for (const p of pcpus) for (const sliceUs of slices) for (const policy of COMPARED_SCHEDULERS) jobs.push(schedulerJob(context, engine, policy, p, sliceUs));
  return jobs;
}
