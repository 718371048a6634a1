/** Scaling in the terminal report: a table per engine and workload, and the claim at the largest machine. */
import { renderTable, type Column } from '../../../src/report/text-table.js';
import type { SuiteResults } from '../../suite/model.js';
import { engineTime, pct, times, withRange } from '../../suite/text-format.js';
import { scalingSeries, type ScalingPoint } from './derive.js';

export function scalingTables(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const series of scalingSeries(results.cases)) {
    const columns: Column<ScalingPoint>[] = [
      { header: 'pCPUs', cell: (p) => String(p.pcpus) },
      { header: 'bare acq/s (range)', cell: (p) => withRange(p.bare?.metrics.acquisitionsPerSec) },
      { header: 'VM acq/s (range)', cell: (p) => withRange(p.vm?.metrics.acquisitionsPerSec) },
      { header: 'bare ×', cell: (p) => times(p.speedupBare) },
      { header: 'VM ×', cell: (p) => times(p.speedupVm) },
      { header: 'VM eff.', cell: (p) => pct(p.efficiencyVm) },
      { header: 'VM/bare', cell: (p) => pct(p.vmOverBare) },
      { header: 'hv %', cell: (p) => pct(p.vm?.metrics.hvFraction.median) },
    ];
    out.push(
      `Scaling, ${series.engine} engine, ${series.workload} workload (acquisitions ${engineTime(series.engine)}, median (min–max))`,
      '',
      renderTable(columns, series.points),
      '',
    );
  }
  return out;
}

/** The claim: at each series' largest machine, the VM's share of bare metal's throughput and both speed-ups. */
export function scalingClaims(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const series of scalingSeries(results.cases)) {
    const top = series.points[series.points.length - 1];
    if (!top || top.pcpus === 1 || !Number.isFinite(top.vmOverBare)) continue;
    out.push(
      `Scaling (${series.engine}, ${series.workload}): at ${top.pcpus} pCPUs the VM does ${pct(top.vmOverBare)} of bare metal's throughput; ` +
        `speed-up from 1 pCPU ${times(top.speedupVm)} (bare ${times(top.speedupBare)}, ideal ${top.pcpus}.00×).`,
    );
  }
  return out;
}
