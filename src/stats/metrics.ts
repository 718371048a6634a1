/**
 * Reads the counters out of a finished machine and derives the figures people compare:
 * throughput, spin and steal fractions, fairness, histogram summaries. Column names come from
 * the event table (events.ts).
 */
import type { Machine } from '../shm/layout.js';
import { HISTOGRAMS, HISTOGRAM_BUCKETS, PCPU_COUNTERS, VCPU_COUNTERS } from '../events/table.js';
import type { HistogramName, PcpuCounterName, VcpuCounterName } from '../events/table.js';
import { jainIndex } from './fairness.js';
import { summarize, type HistogramSummary } from './histogram.js';

type VcpuCounters = Record<VcpuCounterName, number>;
export type PcpuCounters = Record<PcpuCounterName, number>;

export interface VcpuMetrics extends VcpuCounters {
  readonly id: number;
  readonly vm: string;
  readonly index: number;
}

export interface VmMetrics extends VcpuCounters {
  readonly name: string;
  readonly vcpus: number;
  readonly lock: string;
  readonly policy: string;
  readonly acquisitionsPerSec: number;
  readonly workUnitsPerSec: number;
  /** Share of the VM's run time its vCPUs spent spinning for locks. */
  readonly spinFraction: number;
  /** Share of the VM's vCPU time (vCPUs × elapsed) spent runnable but not running. */
  readonly stealFraction: number;
  /** Jain's index of acquisitions across the VM's vCPUs. */
  readonly fairness: number;
  readonly histograms: Readonly<Record<HistogramName, HistogramSummary>>;
}

export interface PcpuMetrics extends PcpuCounters {
  readonly id: number;
  readonly guestFraction: number;
  readonly hvFraction: number;
  readonly idleFraction: number;
}

export interface Metrics {
  /** Mean time the pCPUs ran, in ms: the denominator of every rate. */
  readonly elapsedMs: number;
  readonly acquisitions: number;
  readonly acquisitionsPerSec: number;
  readonly workUnitsPerSec: number;
  /** Jain's index across VMs of acquisitions per vCPU per unit of weight. */
  readonly fairnessAcrossVms: number;
  /** Jain's index of acquisitions across every vCPU. */
  readonly fairnessAcrossVcpus: number;
  /** Hypervisor time over elapsed time, all pCPUs together. */
  readonly hvFraction: number;
  /** Spin time over run time, all vCPUs together (not a mean of the VMs' fractions). */
  readonly spinFraction: number;
  /** Steal time over vCPU time (vCPUs × elapsed), all vCPUs together. */
  readonly stealFraction: number;
  readonly vms: VmMetrics[];
  readonly vcpus: VcpuMetrics[];
  readonly pcpus: PcpuMetrics[];
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : 0);

/** Spin and steal as shares of summed vCPU times: one VM's or the whole run's. */
function shares(spinNs: number, runNs: number, stealNs: number, vcpus: number, elapsedNs: number) {
  return { spinFraction: ratio(spinNs, runNs), stealFraction: ratio(stealNs, vcpus * elapsedNs) };
}

function zeroVcpuCounters(): VcpuCounters {
  return Object.fromEntries(VCPU_COUNTERS.map((c) => [c.name, 0])) as VcpuCounters;
}

export function collectMetrics(machine: Machine): Metrics {
  const { f64, layout, config } = machine;

  const pcpus: PcpuMetrics[] = [];
  let elapsedSum = 0;
  let hvSum = 0;
  for (let p = 0; p < layout.pcpus; p++) {
    const base = layout.pcpuCounterBase(p);
    const counters = Object.fromEntries(PCPU_COUNTERS.map((c, i) => [c.name, f64[base + i]!])) as PcpuCounters;
    elapsedSum += counters.elapsedNs;
    hvSum += counters.hvNs;
    pcpus.push({
      id: p,
      ...counters,
      guestFraction: ratio(counters.guestNs, counters.elapsedNs),
      hvFraction: ratio(counters.hvNs, counters.elapsedNs),
      idleFraction: ratio(counters.idleNs, counters.elapsedNs),
    });
  }
  const elapsedNs = elapsedSum / layout.pcpus;
  const seconds = elapsedNs / 1e9;

  const vcpus: VcpuMetrics[] = [];
  const vms: VmMetrics[] = [];
  for (const vm of layout.vms) {
    const vmConfig = config.vms[vm.index]!;
    const totals = zeroVcpuCounters();
    const perVcpuAcquisitions: number[] = [];
    const histogramBuckets = HISTOGRAMS.map(() => new Float64Array(HISTOGRAM_BUCKETS));
    for (let i = 0; i < vm.vcpus; i++) {
      const v = vm.firstVcpu + i;
      const base = layout.vcpuCounterBase(v);
      const counters = zeroVcpuCounters();
      VCPU_COUNTERS.forEach((c, k) => {
        counters[c.name] = f64[base + k]!;
        totals[c.name] += f64[base + k]!;
      });
      perVcpuAcquisitions.push(counters.acquisitions);
      vcpus.push({ id: v, vm: vm.name, index: i, ...counters });
      HISTOGRAMS.forEach((_, h) => {
        const hb = layout.vcpuHistogramBase(v, h);
        for (let b = 0; b < HISTOGRAM_BUCKETS; b++) histogramBuckets[h]![b]! += f64[hb + b]!;
      });
    }
    vms.push({
      name: vm.name,
      vcpus: vm.vcpus,
      lock: vmConfig.workload.lock,
      policy: config.mode === 'bare' ? 'none (bare metal)' : vmConfig.policy,
      ...totals,
      acquisitionsPerSec: ratio(totals.acquisitions, seconds),
      workUnitsPerSec: ratio(totals.workUnits, seconds),
      ...shares(totals.spinNs, totals.runNs, totals.stealNs, vm.vcpus, elapsedNs),
      fairness: jainIndex(perVcpuAcquisitions),
      histograms: Object.fromEntries(HISTOGRAMS.map((h, i) => [h.name, summarize(histogramBuckets[i]!)])) as VmMetrics['histograms'],
    });
  }

  const acquisitions = vms.reduce((s, vm) => s + vm.acquisitions, 0);
  const workUnits = vms.reduce((s, vm) => s + vm.workUnits, 0);
  return {
    elapsedMs: elapsedNs / 1e6,
    acquisitions,
    acquisitionsPerSec: ratio(acquisitions, seconds),
    workUnitsPerSec: ratio(workUnits, seconds),
    fairnessAcrossVms: jainIndex(vms.map((vm, i) => vm.acquisitions / vm.vcpus / config.vms[i]!.weight)),
    fairnessAcrossVcpus: jainIndex(vcpus.map((v) => v.acquisitions)),
    hvFraction: ratio(hvSum, elapsedSum),
    ...shares(
      vcpus.reduce((s, v) => s + v.spinNs, 0),
      vcpus.reduce((s, v) => s + v.runNs, 0),
      vcpus.reduce((s, v) => s + v.stealNs, 0),
      layout.vcpus,
      elapsedNs,
    ),
    vms,
    vcpus,
    pcpus,
  };
}
