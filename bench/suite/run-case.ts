/** Runs one case job: its scenario once per seed 1..runs, summarised as a CaseResult. */
import { RunInterrupted } from '../../src/engine/run-control.js';
import type { ThreadsEngine } from '../../src/engine/threads.js';
import { allVms } from '../../src/report/totals.js';
import { simulate } from '../../src/simulate.js';
import type { Results } from '../../src/results/results.js';
import type { TraceOptions } from '../../src/trace/options.js';
import { spread } from './derive.js';
import type { CaseJob } from './job.js';
import { CASE_METRICS, type CaseMetrics, type CaseResult, type RunSummary, type Spread } from './model.js';

function summariseRun(seed: number, result: Results): RunSummary {
  const m = result.metrics;
  const all = allVms(m);
  const sum = (pick: (vm: Results['metrics']['vms'][number]) => number) => m.vms.reduce((s, vm) => s + pick(vm), 0);
  // Halted time over vCPU time (vCPUs × elapsed), like steal.
  const vcpuNs = sum((vm) => vm.vcpus) * m.elapsedMs * 1e6;
  // pCPU time, like hv %: the lock's wait is a part of it.
  const pcpuSum = (pick: (pcpu: Results['metrics']['pcpus'][number]) => number) => m.pcpus.reduce((s, p) => s + pick(p), 0);
  const pcpuNs = pcpuSum((p) => p.elapsedNs);
  return {
    seed,
    ok: result.ok,
    failedChecks: result.selfChecks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
    hostMs: result.environment.hostMs,
    metrics: {
      acquisitionsPerSec: m.acquisitionsPerSec,
      workUnitsPerSec: m.workUnitsPerSec,
      spinFraction: m.spinFraction,
      stealFraction: m.stealFraction,
      hvFraction: m.hvFraction,
      lockHolderPreemptions: all.lockHolderPreemptions,
      lockWaiterPreemptions: all.lockWaiterPreemptions,
      haltFraction: vcpuNs > 0 ? sum((vm) => vm.haltNs) / vcpuNs : 0,
      halts: sum((vm) => vm.halts),
      kicks: sum((vm) => vm.kicks),
      spuriousWakeUps: sum((vm) => vm.spuriousWakeUps),
      globalLockFraction: pcpuNs > 0 ? pcpuSum((p) => p.globalLockNs) / pcpuNs : 0,
      globalLockSpins: m.pcpus.length > 0 ? pcpuSum((p) => p.globalLockSpins) / m.pcpus.length : 0,
    },
    vms: m.vms.map((vm, i) => ({ name: vm.name, vcpus: vm.vcpus, weight: result.config.vms[i]!.weight, acquisitionsPerSec: vm.acquisitionsPerSec })),
  };
}

/** Median and range of every metric, and of every VM's throughput, over the runs. */
function summariseCase(job: CaseJob, runs: readonly RunSummary[]): CaseResult {
  const metrics = Object.fromEntries(CASE_METRICS.map(({ name }) => [name, spread(runs.map((r) => r.metrics[name]))])) as CaseMetrics<Spread>;
  const first = runs[0]!;
  return {
    id: job.id,
    group: job.group,
    engine: job.engine,
    label: job.label,
    params: job.params,
    durationMs: job.durationMs,
    metrics,
    vms: first.vms.map((vm, i) => ({
      name: vm.name,
      vcpus: vm.vcpus,
      weight: vm.weight,
      acquisitionsPerSec: spread(runs.map((r) => r.vms[i]!.acquisitionsPerSec)),
    })),
    runs,
  };
}

/**
 * Runs the case with seeds 1..runs on `threads` (reused across cases) or the virtual engine, as
 * the job's scenario says. `trace`: the run with seed 1 writes that trace (`--trace-case`). An
 * aborted `signal` stops the run going on: the case throws `RunInterrupted`, and none of it is
 * kept.
 */
export async function runCase(
  job: CaseJob,
  runs: number,
  threads: ThreadsEngine,
  onRun?: (seed: number) => void,
  options: { readonly trace?: TraceOptions | undefined; readonly signal?: AbortSignal | undefined } = {},
): Promise<CaseResult> {
  const summaries: RunSummary[] = [];
  for (let seed = 1; seed <= runs; seed++) {
    const result = await simulate(job.config(seed), threads, { signal: options.signal, ...(seed === 1 && options.trace ? { trace: options.trace } : {}) });
    if (result.interrupted) throw new RunInterrupted(`${job.id}: interrupted`);
    summaries.push(summariseRun(seed, result));
    onRun?.(seed);
  }
  return summariseCase(job, summaries);
}
