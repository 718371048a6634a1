/** The reproduce group's figures: each reproduction's rows from its cases' medians, judged as `spinvisor reproduce` judges them. */
import { loadReproduction, type Reproduction, type ReproductionMetric } from '../../../src/reproduce/file.js';
import { reproduceRow, type ReproducedRow } from '../../../src/reproduce/run.js';
import { paramsOf } from '../../suite/derive.js';
import type { CaseResult } from '../../suite/model.js';

/** One reproduction's rows, from its cases' medians, judged as `spinvisor reproduce` judges them. */
export interface ReproductionTable {
  readonly repro: Reproduction;
  readonly rows: readonly ReproducedRow[];
}

/**
 * The reproductions the cases ran, in the order first seen, each row's figures from the medians of
 * its runs' cases. A VM's mean throughput is the machine's over the VMs (the same sum); a share is
 * the machine's (the shipped files compare shares of identical VMs). A row whose runs are missing (a
 * `--filter` run) is left out.
 */
export function reproductionTables(cases: readonly CaseResult[]): ReproductionTable[] {
  const byName = new Map<string, Map<string, CaseResult>>();
  for (const c of cases) {
    const p = paramsOf(c, 'reproduction');
    if (!p) continue;
    let runs = byName.get(p.reproduction);
    if (!runs) byName.set(p.reproduction, (runs = new Map<string, CaseResult>()));
    runs.set(p.run, c);
  }
  return [...byName].map(([name, cases]) => {
    const repro = loadReproduction(name);
    const runs = new Map(
      [...cases].map(([id, c]) => {
        const pick = (metric: ReproductionMetric) => {
          const all = c.metrics[metric].median;
          const throughput = metric === 'acquisitionsPerSec' || metric === 'workUnitsPerSec';
          return { all, vmMean: throughput ? all / Math.max(1, c.vms.length) : all };
        };
        const metrics = {
          acquisitionsPerSec: pick('acquisitionsPerSec'),
          workUnitsPerSec: pick('workUnitsPerSec'),
          stealFraction: pick('stealFraction'),
          spinFraction: pick('spinFraction'),
        };
        return [id, { metrics }] as const;
      }),
    );
    const rows = repro.rows
      .filter((r) => runs.has(r.run) && (r.baselineRun === undefined || runs.has(r.baselineRun)))
      .map((r) => reproduceRow(r, runs, repro.tolerance));
    return { repro, rows };
  });
}
