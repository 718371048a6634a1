/** The systems in the terminal report: a matrix per engine and preset against bare metal, and its claim. */
import { renderTable, type Column } from '../../../src/report/text-table.js';
import type { SuiteResults } from '../../suite/model.js';
import { dash, engineTime, si3, times, wrap } from '../../suite/text-format.js';
import { systemsClaim, systemsMatrices, type SystemRow } from './derive.js';

export function systemsTables(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const matrix of systemsMatrices(results.cases)) {
    const columns: Column<SystemRow>[] = [
      { header: 'system', cell: (r) => r.system, align: 'left' },
      ...matrix.ratios.map((ratio) => ({
        header: `${ratio}× all (worst VM)`,
        cell: (r: SystemRow) => {
          const cell = r.cells.find((c) => c.params.ratio === ratio);
          return cell ? `${times(cell.totalVsBare)} (${times(cell.perVmVsFair.min)})` : dash;
        },
      })),
    ];
    const bare = matrix.bare ? `${si3(matrix.bare.metrics.acquisitionsPerSec.median)} acquisitions ${engineTime(matrix.engine)}` : 'did not run: no figure';
    out.push(
      wrap(
        `Systems, ${matrix.engine} engine, ${matrix.preset} workload, ${matrix.pcpus} pCPUs, against bare metal (${bare}): all = every VM's throughput ` +
          "together over bare metal's; worst VM = the least over the VMs of a VM's throughput over its fair share of bare metal's (bare metal's × its weight's share); " +
          'VMs of P vCPUs (1.5×: 3 VMs of P/2); medians of the runs',
      ),
      '',
      renderTable(columns, matrix.rows),
      '',
    );
    const claim = systemsClaim(matrix);
    if (claim) out.push(wrap(claim), '');
  }
  return out;
}
