/**
 * One run's results for the terminal, within 100 columns: what ran, a row per VM (and `all`
 * when there are several), the pCPUs, and the self-checks.
 */
import { PCPU_COUNTERS, type PcpuCounterName } from '../events/table.js';
import type { PcpuCounters, PcpuMetrics } from '../stats/metrics.js';
import type { Results } from '../results/results.js';
import {
  ACQ_PER_SEC,
  FAIRNESS,
  LHP,
  LWP,
  NOTIFIES,
  PCPU_COLUMNS,
  SPIN,
  STEAL,
  VM_LOCK,
  VM_NAME,
  VM_POLICY,
  VM_VCPUS,
  YIELDS,
  describeColumns,
  type HelpedColumn,
} from './columns.js';
import { machineSummary } from './scenario-summary.js';
import { renderSelfChecks } from './self-check-list.js';
import { renderTable } from './text-table.js';
import { allVms, type VmRow } from './totals.js';

export const RUN_VM_COLUMNS: readonly HelpedColumn<VmRow>[] = [
  VM_NAME,
  VM_VCPUS,
  VM_LOCK,
  VM_POLICY,
  ACQ_PER_SEC,
  SPIN,
  STEAL,
  LHP,
  LWP,
  NOTIFIES,
  YIELDS,
  FAIRNESS,
];

/** Past this many pCPUs the table shows one `all` row instead of one row each. */
const MAX_PCPU_ROWS = 16;

export interface RunTableOptions {
  /** What was run, as the user named it (a preset or a file). */
  readonly title?: string;
}

export function renderRun(results: Results, options: RunTableOptions = {}): string {
  const { config, metrics } = results;
  const head = [
    `spinvisor run${options.title ? `: ${options.title}` : ''} · ${machineSummary(config)}`,
    results.engine === 'virtual'
      ? `${config.durationMs} ms of virtual time · seed ${config.seed} · virtual engine · ` +
        `took ${(results.environment.hostMs / 1000).toFixed(2)} s on the host · Node ${results.environment.node}`
      : `${config.durationMs} ms · seed ${config.seed} · threads engine · elapsed ${metrics.elapsedMs.toFixed(1)} ms · ` +
        `${results.environment.cores} host cores · Node ${results.environment.node}`,
  ];
  const warnings = [...(results.interrupted ? [interruptedLine(results)] : []), ...results.warnings.map((w) => `! warning: ${w}`)];
  const vmRows: VmRow[] = metrics.vms.length > 1 ? [...metrics.vms, allVms(metrics)] : metrics.vms;
  const pcpuRows = metrics.pcpus.length > MAX_PCPU_ROWS ? [allPcpus(metrics.pcpus)] : metrics.pcpus;
  return [
    ...head,
    ...warnings,
    '',
    renderTable(RUN_VM_COLUMNS, vmRows),
    '',
    renderTable(PCPU_COLUMNS, pcpuRows),
    '',
    renderSelfChecks(results.selfChecks),
  ].join('\n');
}

/** The marker of a run stopped early (Ctrl-C): its figures cover only the time it reached. */
export function interruptedLine(results: Results): string {
  const clock = results.engine === 'virtual' ? ' of virtual time' : '';
  return `! INTERRUPTED after ${results.metrics.elapsedMs.toFixed(1)} of ${results.config.durationMs} ms${clock}: the figures cover the run so far`;
}

/** `spinvisor run --help`'s explanation of every column. */
export function runColumnsHelp(): string {
  return `Columns, one row per VM:\n${describeColumns(RUN_VM_COLUMNS)}\n\nColumns, one row per pCPU:\n${describeColumns(PCPU_COLUMNS)}`;
}

/** Every pCPU in one row: every counter summed, fractions of the summed elapsed time. */
function allPcpus(pcpus: readonly PcpuMetrics[]): PcpuMetrics {
  const total = (name: PcpuCounterName) => pcpus.reduce((s, p) => s + p[name], 0);
  const counters = Object.fromEntries(PCPU_COUNTERS.map((c) => [c.name, total(c.name)])) as PcpuCounters;
  const share = (ns: number) => (counters.elapsedNs > 0 ? ns / counters.elapsedNs : 0);
  return {
    id: -1,
    ...counters,
    guestFraction: share(counters.guestNs),
    hvFraction: share(counters.hvNs),
    idleFraction: share(counters.idleNs),
  };
}
