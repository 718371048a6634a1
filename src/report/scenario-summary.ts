/** One-line descriptions of a scenario's shape, shared by the run, compare and presets listings. */
import { hasPolicy } from '../config/policy-spec.js';
import type { Config } from '../config/schema.js';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "1 VM × 2 vCPUs", "2 VMs × 2 vCPUs", or "3 VMs (2+2+4 vCPUs)" when they differ. */
export function vmShape(config: Config): string {
  const counts = config.vms.map((vm) => vm.vcpus);
  const vms = plural(counts.length, 'VM');
  if (counts.every((c) => c === counts[0])) return `${vms} × ${plural(counts[0]!, 'vCPU')}`;
  return `${vms} (${counts.join('+')} vCPUs)`;
}

/** The distinct values of a per-VM setting, joined: "ticket" or "ticket/mcs". */
export function distinct(values: readonly string[]): string {
  return [...new Set(values)].join('/');
}

/** pCPUs, VMs, mode and scheduling: what the machine looked like. */
export function machineSummary(config: Config): string {
  const parts = [plural(config.pcpus, 'pCPU')];
  if (config.mode === 'bare') parts.push('bare metal (one vCPU bound to each pCPU, no hypervisor)');
  else parts.push(vmShape(config), `${config.scheduler.policy === 'rr' ? '' : `${config.scheduler.policy} · `}slice ${sliceText(config.scheduler.sliceUs)}`);
  if (config.mode !== 'bare') {
    const { reaction, ple, boost } = config.scheduler;
    if (config.vms.some((vm) => hasPolicy(vm.policy, 'notify'))) parts.push(`notify → ${reaction}`);
    if (ple) parts.push(`PLE → ${reaction}`);
    if (boost) parts.push('boost');
  }
  return parts.join(' · ');
}

/** "10 ms" for whole milliseconds, else "250 µs". */
function sliceText(sliceUs: number): string {
  return sliceUs % 1000 === 0 ? `${sliceUs / 1000} ms` : `${sliceUs} µs`;
}
