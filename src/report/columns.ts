/**
 * The columns of the run and compare tables, each with the help text `--help` prints. Where a
 * column is a counter, its help is the counter's meaning from the event table (events.ts), so
 * the table and its explanation cannot drift apart.
 */
import { LOCK_KINDS } from '../config/schema.js';
import { PCPU_COUNTERS, VCPU_COUNTERS } from '../events/table.js';
import type { PcpuCounterName, VcpuCounterName } from '../events/table.js';
import type { PcpuMetrics } from '../stats/metrics.js';
import { fmt, type Column } from './text-table.js';
import type { VmRow } from './totals.js';

export interface HelpedColumn<Row> extends Column<Row> {
  /** What the column shows, in a sentence, for `--help`. */
  readonly help: string;
}

const vcpuMeaning = (name: VcpuCounterName) => VCPU_COUNTERS.find((c) => c.name === name)!.meaning;
const pcpuMeaning = (name: PcpuCounterName) => PCPU_COUNTERS.find((c) => c.name === name)!.meaning;

/** Counts stay exact while short; large ones become "12.3k" so a column keeps its width. */
const count = (n: number): string => (n < 100_000 ? fmt.int(n) : fmt.si(n));

/** A VM name cut to 14 characters so the table fits 100 columns. */
const shortName = (name: string) => (name.length > 14 ? `${name.slice(0, 13)}…` : name);

/** Several VMs' differing settings (`ticket/mcs`) in one cell would not fit: `mixed`. */
const oneOrMixed = (value: string) => (value.includes('/') ? 'mixed' : value);

/** `none (bare metal)` in the metrics; the table has room for `bare`. */
const shortPolicy = (policy: string) => (policy.startsWith('none') ? 'bare' : policy);

export const VM_NAME: HelpedColumn<VmRow> = { header: 'VM', cell: (r) => shortName(r.name), align: 'left', help: "the VM's name; `all` is every VM together" };
export const VM_VCPUS: HelpedColumn<VmRow> = { header: 'vCPUs', cell: (r) => String(r.vcpus), help: 'virtual CPUs of the VM' };
export const VM_LOCK: HelpedColumn<VmRow> = {
  header: 'lock',
  cell: (r) => oneOrMixed(r.lock),
  align: 'left',
  help: `guest lock algorithm: ${LOCK_KINDS.join(', ')} (mixed: VMs differ)`,
};
export const VM_POLICY: HelpedColumn<VmRow> = {
  header: 'policy',
  cell: (r) => oneOrMixed(shortPolicy(r.policy)),
  align: 'left',
  help: 'spin-wait policy: naive spins until the lock is its own; notify issues NotifyLongSpinWait every spinThreshold spins; pv-halt halts until kicked; preempted-aware stops spinning on a preempted wait target; cs-hint marks critical sections for a slice extension; a+b combines them; bare: no hypervisor; mixed: VMs differ',
};
export const ACQ_PER_SEC: HelpedColumn<VmRow> = {
  header: 'acq/s',
  cell: (r) => fmt.si(r.acquisitionsPerSec),
  help: `acquisitions per second of run time: ${vcpuMeaning('acquisitions')}`,
};
export const SPIN: HelpedColumn<VmRow> = {
  header: 'spin',
  cell: (r) => fmt.percent(r.spinFraction),
  help: `share of the vCPUs' run time spent spinning: ${vcpuMeaning('spinNs')}, over ${vcpuMeaning('runNs')}`,
};
export const STEAL: HelpedColumn<VmRow> = {
  header: 'steal',
  cell: (r) => fmt.percent(r.stealFraction),
  help: `share of the vCPUs' time (vCPUs × elapsed) lost to ${vcpuMeaning('stealNs')}; 2× overcommit costs at least 50%`,
};
export const LHP: HelpedColumn<VmRow> = {
  header: 'LHP',
  cell: (r) => count(r.lockHolderPreemptions),
  help: `lock-holder preemptions: ${vcpuMeaning('lockHolderPreemptions')}`,
};
export const LWP: HelpedColumn<VmRow> = {
  header: 'LWP',
  cell: (r) => count(r.lockWaiterPreemptions),
  help: `lock-waiter preemptions: ${vcpuMeaning('lockWaiterPreemptions')}`,
};
export const NOTIFIES: HelpedColumn<VmRow> = { header: 'notifs', cell: (r) => count(r.notifications), help: vcpuMeaning('notifications') };
export const YIELDS: HelpedColumn<VmRow> = { header: 'yields', cell: (r) => count(r.yields), help: vcpuMeaning('yields') };
export const FAIRNESS: HelpedColumn<VmRow> = {
  header: 'fair',
  cell: (r) => r.fairness.toFixed(2),
  help: "Jain's index of acquisitions across the VM's vCPUs: 1.00 when all got the same, 1/n when one got everything",
};

const pcpuFraction = (header: string, name: PcpuCounterName, pick: (p: PcpuMetrics) => number): HelpedColumn<PcpuMetrics> => ({
  header,
  cell: (p) => fmt.percent(pick(p)),
  help: `share of the pCPU's elapsed time: ${pcpuMeaning(name)}`,
});
const pcpuCount = (header: string, name: PcpuCounterName): HelpedColumn<PcpuMetrics> => ({
  header,
  cell: (p) => count(p[name]),
  help: pcpuMeaning(name),
});

export const PCPU_COLUMNS: readonly HelpedColumn<PcpuMetrics>[] = [
  { header: 'pCPU', cell: (p) => (p.id < 0 ? 'all' : String(p.id)), align: 'left', help: 'physical CPU (a worker thread); `all` sums or averages them' },
  pcpuFraction('guest', 'guestNs', (p) => p.guestFraction),
  pcpuFraction('hv', 'hvNs', (p) => p.hvFraction),
  pcpuFraction('idle', 'idleNs', (p) => p.idleFraction),
  pcpuCount('switches', 'switches'),
  pcpuCount('steals', 'steals'),
  pcpuCount('sleeps', 'sleeps'),
];

/** "  header    help", wrapped to `width` columns, one entry per column. */
export function describeColumns(columns: readonly HelpedColumn<never>[], width = 100): string {
  const pad = Math.max(...columns.map((c) => c.header.length)) + 4;
  return columns.map((c) => wrap(`  ${c.header.padEnd(pad - 2)}${c.help}`, width, ' '.repeat(pad))).join('\n');
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/(?<=\S) (?=\S)/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  lines.push(line);
  return lines.join('\n');
}
