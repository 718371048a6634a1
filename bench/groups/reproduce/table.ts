/** The reproductions in the terminal report. */
import { formatRatio, verdictWords } from '../../../src/report/reproduce-table.js';
import type { ReproducedRow } from '../../../src/reproduce/run.js';
import { renderTable, type Column } from '../../../src/report/text-table.js';
import type { SuiteResults } from '../../suite/model.js';
import { wrap } from '../../suite/text-format.js';
import { reproductionTables } from './derive.js';

/** Reproduce: per reproduction, each published ratio beside the simulated one (medians of the runs) and the verdict. */
export function reproduceTables(results: SuiteResults): string[] {
  return reproductionTables(results.cases).map(({ repro, rows }) => {
    const columns: Column<ReproducedRow>[] = [
      { header: 'row', cell: (r) => (r.label.length > 44 ? `${r.label.slice(0, 43)}…` : r.label), align: 'left' },
      { header: 'published', cell: (r) => formatRatio(r.kind, r.published.ratio) },
      { header: 'simulated', cell: (r) => formatRatio(r.kind, r.simulated.ratio) },
      {
        header: 'verdict',
        cell: (r) =>
          verdictWords(r).replace('DISAGREES in direction', 'DISAGREES: direction').replace('DISAGREES in order of magnitude', 'DISAGREES: magnitude'),
        align: 'left',
      },
    ];
    const agreeing = rows.filter((r) => r.verdict.direction && r.verdict.magnitude).length;
    return [
      wrap(`Reproduce ${repro.name}, virtual engine, seed 1, 50 ms a run (spinvisor reproduce --quick): ${repro.title}. Source: ${repro.source.url}`),
      renderTable(columns, rows),
      wrap(
        `${agreeing} of ${rows.length} rows agree in direction and order of magnitude; a disagreement is a finding (reproductions/${repro.name}.json, notes).`,
      ),
    ].join('\n');
  });
}
