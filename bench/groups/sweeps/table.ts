/** The sweeps in the terminal report: a table per curve and its knee in words. */
import { renderTable, type Column } from '../../../src/report/text-table.js';
import type { SuiteResults } from '../../suite/model.js';
import { count, pct, withRange, wrap } from '../../suite/text-format.js';
import { formatSweepValue, sweepCurves, sweepShape, SWEEP_NAMES } from './derive.js';

export function sweepTables(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const curve of sweepCurves(results.cases)) {
    type Point = (typeof curve.points)[number];
    const halting = curve.policy === 'pv-halt';
    const columns: Column<Point>[] = [
      { header: curve.variable === 'sliceUs' ? 'slice' : 'threshold', cell: (p) => formatSweepValue(curve.variable, p.value) },
      { header: 'acq/s (range)', cell: (p) => withRange(p.case.metrics.acquisitionsPerSec) },
      { header: 'spin %', cell: (p) => pct(p.case.metrics.spinFraction.median) },
      ...(halting ? [{ header: 'halt %', cell: (p: Point) => pct(p.case.metrics.haltFraction.median) }] : []),
      { header: 'steal %', cell: (p) => pct(p.case.metrics.stealFraction.median) },
      { header: 'hv %', cell: (p) => pct(p.case.metrics.hvFraction.median) },
      { header: 'LHP', cell: (p) => count(p.case.metrics.lockHolderPreemptions.median) },
      ...(halting
        ? [
            { header: 'halts', cell: (p: Point) => count(p.case.metrics.halts.median) },
            { header: 'spurious', cell: (p: Point) => count(p.case.metrics.spuriousWakeUps.median) },
          ]
        : []),
    ];
    out.push(
      wrap(`Sweep of the ${SWEEP_NAMES[curve.variable]}, ${curve.policy} at ${sweepShape(curve)}, ${curve.preset} workload, ${curve.engine} engine`),
      '',
      renderTable(columns, curve.points),
      '',
      wrap(curve.knee),
      '',
    );
  }
  return out;
}
