/**
 * The same scenario under several spin-wait policies, locks or named systems, side by side: for
 * each VM (and `all`), one row per run, with its throughput as a ratio of the first run's.
 */
import type { Config } from '../config/schema.js';
import type { Results } from '../results/results.js';
import { ACQ_PER_SEC, LHP, LWP, NOTIFIES, SPIN, STEAL, VM_NAME, YIELDS, describeColumns, type HelpedColumn } from './columns.js';
import { distinct, machineSummary, vmShape } from './scenario-summary.js';
import { renderSelfChecks } from './self-check-list.js';
import { interruptedLine } from './run-table.js';
import { fmt, renderTable } from './text-table.js';
import { allVms, type VmRow } from './totals.js';

export interface ComparedRun {
  /** What the run varied: its policy, its lock, both (`ticket · pv-halt`), or its system. */
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
    {
      header: 'run',
      cell: (r) => r.label,
      align: 'left',
      help: 'what every VM ran with in this run: its spin-wait policy, its lock, both, or its named system',
    },
    ACQ_PER_SEC,
    {
      header: `vs ${baseline}`,
      cell: (r) => fmt.ratio(r.ratio),
      help: `acq/s over the same VM's acq/s under ${baseline}, the first run listed (over its whole machine where it has no VM of that name, as bare metal has one)`,
    },
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
  // Runs of named systems may differ in shape (bare metal is one VM): every run shows `all` when any has several VMs.
  const severalVms = runs.some((run) => run.results.metrics.vms.length > 1);
  // Rows are matched across runs by VM name; the total has a key no VM name can take (a VM may be called "all").
  const TOTAL = '\0all';
  const perRun = runs.map((run) => {
    const rows: { key: string; row: VmRow }[] = run.results.metrics.vms.map((row) => ({ key: row.name, row }));
    return severalVms ? [...rows, { key: TOTAL, row: allVms(run.results.metrics) }] : rows;
  });
  const keys = [...new Set(perRun.flatMap((rows) => rows.map((entry) => entry.key)).filter((key) => key !== TOTAL)), ...(severalVms ? [TOTAL] : [])];
  // A VM the first run lacks (the first is bare metal, say) is measured against the first run's whole machine.
  const baselineOf = (key: string) => perRun[0]!.find((entry) => entry.key === key)?.row ?? allVms(first.results.metrics);
  const rows: CompareRow[] = keys.flatMap((key) => {
    const baseline = baselineOf(key);
    return runs.flatMap((run, r) => {
      const row = perRun[r]!.find((entry) => entry.key === key)?.row;
      return row === undefined ? [] : [{ ...row, label: run.label, ratio: row.acquisitionsPerSec / baseline.acquisitionsPerSec }];
    });
  });
  // Runs of several named systems differ in more than one setting: each gets a line saying what it ran with.
  const systems = new Set(runs.map((run) => run.results.system)).size > 1;
  const shape = shapeText((runs.find((run) => run.results.config.mode !== 'bare') ?? first).results.config);
  const head = [
    `spinvisor compare${options.title ? `: ${options.title}` : ''} · ${systems ? `${shape} · one run per system` : machineSummary(config)}`,
    first.results.engine === 'virtual'
      ? `${config.durationMs} ms of virtual time per run · seed ${config.seed} · virtual engine · Node ${first.results.environment.node}`
      : `${config.durationMs} ms per run · seed ${config.seed} · threads engine · ${first.results.environment.cores} host cores · Node ${first.results.environment.node}`,
    ...(systems ? systemLines(runs, shape) : []),
  ];
  const warnings = [
    ...runs.filter((run) => run.results.interrupted).map((run) => `${interruptedLine(run.results)} (${run.label}; the runs after it were not made)`),
    ...[...new Set(runs.flatMap((run) => run.results.warnings))].map((w) => `! warning: ${w}`),
  ];
  const checks = runs.map((run) => `${run.label}: ${renderSelfChecks(run.results.selfChecks)}`);
  return [...head, ...warnings, '', renderTable(compareColumns(first.label), rows), '', ...checks].join('\n');
}

/** "16 pCPUs · 2 VMs × 16 vCPUs": how machineSummary starts for a virtualized scenario. */
const shapeText = (config: Config) => `${config.pcpus} pCPU${config.pcpus === 1 ? '' : 's'} · ${vmShape(config)}`;

/** What each named system ran with: its guests' lock and policy, then the machine as the run header names it, less the shape the header gave. */
function systemLines(runs: readonly ComparedRun[], shape: string): string[] {
  const width = Math.max(...runs.map((run) => run.label.length));
  return runs.map(({ label, results: { config } }) => {
    const guest = `${distinct(config.vms.map((vm) => vm.workload.lock))} · ${distinct(config.vms.map((vm) => vm.policy))}`;
    const machine = machineSummary(config);
    return `  ${label.padEnd(width)}  ${guest} · ${machine.startsWith(`${shape} · `) ? machine.slice(shape.length + 3) : machine}`;
  });
}

/** `spinvisor compare --help`'s explanation of every column. */
export function compareColumnsHelp(): string {
  return `Columns, one row per VM and run:\n${describeColumns(compareColumns('<first>'))}`;
}
