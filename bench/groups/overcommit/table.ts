/** The overcommit matrix in the terminal report: a table per engine and preset, one group of lines per mechanism, its cost at 1× and the claim at 2×. */
import { mechanismLabel } from '../../../src/config/mechanisms.js';
import { renderTable, type Column } from '../../../src/report/text-table.js';
import type { SuiteResults } from '../../suite/model.js';
import { count, engineTime, pct, times, withRange, wrap } from '../../suite/text-format.js';
import { costsAtOneX, mechanismsOf, overcommitRows, type CostAtOneX, type OvercommitCell, type OvercommitRow } from './derive.js';
import { BASELINE_MECHANISM, isBaseline } from './mechanisms.js';

/**
 * A table whose rows come in groups, each under a heading line of its own: the overcommit tables'
 * mechanisms, whose names (up to 40 columns) would not fit a column of a 100-column table.
 */
function groupedTable<Row>(columns: readonly Column<Row>[], groups: readonly { readonly heading: string; readonly rows: readonly Row[] }[]): string {
  const lines = renderTable(
    columns,
    groups.flatMap((g) => g.rows),
  ).split('\n');
  const out = lines.slice(0, 2);
  let next = 2;
  for (const group of groups) {
    out.push(group.heading, ...lines.slice(next, next + group.rows.length));
    next += group.rows.length;
  }
  return out.join('\n');
}

/** "tas · naive 1.01×, ttas · naive 0.98×, …": each mechanism's throughput at 1× over the baseline's. */
function costLine(cost: CostAtOneX): string {
  const others = cost.costs.filter((c) => !isBaseline(c));
  if (others.length === 0) return '';
  return `Cost at 1× (throughput of one VM of P vCPUs alone over ${mechanismLabel(BASELINE_MECHANISM)}'s): ${others.map((c) => `${c.mechanism} ${times(c.relative)}`).join(', ')}.`;
}

/** A line of an overcommit table: one cell of one row. */
interface OvercommitLine {
  readonly row: OvercommitRow;
  readonly cell: OvercommitCell;
}

export function overcommitTables(results: SuiteResults): string[] {
  const out: string[] = [];
  const rows = overcommitRows(results.cases);
  const costs = costsAtOneX(rows);
  const keys = [...new Set(rows.map((r) => `${r.engine}/${r.preset}`))];
  for (const key of keys) {
    const same = rows.filter((r) => `${r.engine}/${r.preset}` === key);
    const columns: Column<OvercommitLine>[] = [
      { header: 'more', cell: ({ row }) => `  ${row.shape === 'vms' ? 'VMs' : 'vCPUs'}`, align: 'left' },
      { header: 'ratio', cell: ({ cell }) => `${cell.params.ratio}×` },
      { header: 'VMs', cell: ({ cell }) => `${cell.params.vms}×${cell.params.vcpusPerVm}` },
      { header: 'acq/s (range)', cell: ({ cell }) => withRange(cell.case.metrics.acquisitionsPerSec) },
      { header: 'VM/1×', cell: ({ cell }) => times(cell.perVmVsOneX.mean) },
      { header: 'VM/fair', cell: ({ cell }) => times(cell.perVmVsFairShare.mean) },
      { header: 'spin %', cell: ({ cell }) => pct(cell.case.metrics.spinFraction.median) },
      { header: 'steal %', cell: ({ cell }) => pct(cell.case.metrics.stealFraction.median) },
      { header: 'LHP', cell: ({ cell }) => count(cell.case.metrics.lockHolderPreemptions.median) },
      { header: 'LWP', cell: ({ cell }) => count(cell.case.metrics.lockWaiterPreemptions.median) },
      { header: 'halts', cell: ({ cell }) => count(cell.case.metrics.halts.median) },
    ];
    // One group per mechanism, both shapes in it: the 1× case once, then more VMs, then more vCPUs.
    const groups = mechanismsOf(same).map(({ mechanism }) => {
      const mine = same.filter((r) => r.mechanism === mechanism);
      const lines = mine.flatMap((row) => row.cells.filter((cell) => cell.params.ratio > 1 || row === mine[0]).map((cell) => ({ row, cell })));
      return { heading: mechanism, rows: lines };
    });
    const [engine, preset] = key.split('/');
    out.push(
      `Overcommit, ${engine} engine, ${preset} workload, ${same[0]!.cells[0]!.params.pcpus} pCPUs (acquisitions ${engineTime(engine!)}; ` +
        'one group per lock · wait policy; more VMs or more vCPUs in one VM; VMs: count × vCPUs each; VM/1× and VM/fair: mean per VM of its throughput over its 1× value ' +
        'and over its fair share; halts: pv-halt waiters that halted their vCPU)',
    );
    out.push('', groupedTable(columns, groups), '');
    const cost = costs.find((c) => `${c.engine}/${c.preset}` === key);
    const line = cost ? costLine(cost) : '';
    if (line) out.push(line, '');
  }
  return out.map((line) => (line.includes('\n') ? line : wrap(line)));
}

/** The claim: per engine and preset, each mechanism's share of the fair share at 2× (2 VMs). */
export function overcommitClaims(results: SuiteResults): string[] {
  const out: string[] = [];
  const rows = overcommitRows(results.cases);
  for (const preset of new Set(rows.map((r) => `${r.engine}/${r.preset}`))) {
    const at2 = rows
      .filter((r) => `${r.engine}/${r.preset}` === preset && r.shape === 'vms')
      .map((r) => ({ mechanism: r.mechanism, cell: r.cells.find((c) => c.params.ratio === 2) }))
      .filter((x) => x.cell);
    if (at2.length < 2) continue;
    const parts = at2.map((x) => `${x.mechanism} ${times(x.cell!.perVmVsFairShare.mean)}`);
    out.push(`Overcommit (${preset.replace('/', ', ')}): at 2× (2 VMs) each VM gets, of its fair share: ${parts.join(', ')}.`);
  }
  return out;
}
