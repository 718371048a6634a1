/**
 * A run's VMs folded into one row: totals of the counters, and the run-wide spin and steal
 * shares that `collectMetrics` derives (shares of summed vCPU times, not a mean of per-VM
 * percentages, which would weigh a 1-vCPU VM like a 16-vCPU one).
 */
import type { Metrics } from '../stats/metrics.js';

/** The per-VM figures the tables show; a `VmMetrics` is one, and so is `allVms(...)`. */
export interface VmRow {
  readonly name: string;
  readonly vcpus: number;
  readonly lock: string;
  readonly policy: string;
  readonly acquisitionsPerSec: number;
  readonly spinFraction: number;
  readonly stealFraction: number;
  readonly lockHolderPreemptions: number;
  readonly lockWaiterPreemptions: number;
  readonly notifications: number;
  readonly yields: number;
  readonly fairness: number;
}

const sum = (metrics: Metrics, pick: (vm: Metrics['vms'][number]) => number) => metrics.vms.reduce((s, vm) => s + pick(vm), 0);

export function allVms(metrics: Metrics, name = 'all'): VmRow {
  const vcpus = sum(metrics, (vm) => vm.vcpus);
  const distinct = (pick: (vm: Metrics['vms'][number]) => string) => [...new Set(metrics.vms.map(pick))].join('/');
  return {
    name,
    vcpus,
    lock: distinct((vm) => vm.lock),
    policy: distinct((vm) => vm.policy),
    acquisitionsPerSec: metrics.acquisitionsPerSec,
    spinFraction: metrics.spinFraction,
    stealFraction: metrics.stealFraction,
    lockHolderPreemptions: sum(metrics, (vm) => vm.lockHolderPreemptions),
    lockWaiterPreemptions: sum(metrics, (vm) => vm.lockWaiterPreemptions),
    notifications: sum(metrics, (vm) => vm.notifications),
    yields: sum(metrics, (vm) => vm.yields),
    fairness: metrics.fairnessAcrossVcpus,
  };
}
