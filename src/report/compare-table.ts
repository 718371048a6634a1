/**
 * The same scenario under several spin-wait policies or locks, side by side: for each VM (and
 * `all`), one row per run, with its throughput as a ratio of the first run's.
 */
import type { Results } from '../results/results.js';
import { ACQ_PER_SEC, LHP, LWP, NOTIFIES, SPIN, STEAL, VM_NAME, YIELDS, describeColumns, type HelpedColumn } from './columns.js';
import { machineSummary } from './scenario-summary.js';
import { renderSelfChecks } from './self-check-list.js';
import { fmt, renderTable } from './text-table.js';
import { allVms, type VmRow } from './totals.js';

export interface ComparedRun {
  /** What the run varied: its policy, its lock, or both (`ticket · pv-halt`). */
  readonly label: string;
  readonly results: Results;
}

interface CompareRow extends VmRow {
  readonly label: string;
  /** acq/s over the same VM's acq/s in the first run. */
  readonly ratio: number;
}

function compareColumns(baseline: string): HelpedColumn<CompareRow>[] {
  return [
    VM_NAME,
    { header: 'run', cell: (r) => r.label, align: 'left', help: 'what every VM ran with in this run: its spin-wait policy, its lock, or both' },
    ACQ_PER_SEC,
    { header: `vs ${baseline}`, cell: (r) => fmt.ratio(r.ratio), help: `acq/s over the same VM's acq/s under ${baseline}, the first run listed` },
    SPIN,
    STEAL,
    LHP,
    LWP,
    NOTIFIES,
    YIELDS,
  ];
}

export function renderCompare(runs: readonly ComparedRun[], options: { readonly title?: string } = {}): string {
  const first = runs[0]!;
  const { config } = first.results;
  const perRun = runs.map((run) => {
    const rows: VmRow[] = run.results.metrics.vms;
    return rows.length > 1 ? [...rows, allVms(run.results.metrics)] : rows;
  });
  const rows: CompareRow[] = [];
  perRun[0]!.forEach((baselineRow, vm) => {
    runs.forEach((run, r) => {
      const row = perRun[r]![vm]!;
      rows.push({ ...row, label: run.label, ratio: row.acquisitionsPerSec / baselineRow.acquisitionsPerSec });
    });
  });
  const head = [
    `spinvisor compare${options.title ? `: ${options.title}` : ''} · ${machineSummary(config)}`,
    first.results.engine === 'virtual'
      ? `${config.durationMs} ms of virtual time per run · seed ${config.seed} · virtual engine · Node ${first.results.environment.node}`
      : `${config.durationMs} ms per run · seed ${config.seed} · threads engine · ${first.results.environment.cores} host cores · Node ${first.results.environment.node}`,
  ];
  const warnings = [...new Set(runs.flatMap((run) => run.results.warnings))].map((w) => `! warning: ${w}`);
  const checks = runs.map((run) => `${run.label}: ${renderSelfChecks(run.results.selfChecks)}`);
  return [...head, ...warnings, '', renderTable(compareColumns(first.label), rows), '', ...checks].join('\n');
}

/** `spinvisor compare --help`'s explanation of every column. */
export function compareColumnsHelp(): string {
  return `Columns, one row per VM and run:\n${describeColumns(compareColumns('<first>'))}`;
}
