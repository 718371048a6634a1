/** The schedulers in the terminal report: rr against global-lock, a table per engine, and the claim in words. */
import { fmt, renderTable, type Column } from '../../../src/report/text-table.js';
import type { SuiteResults } from '../../suite/model.js';
import { count, engineTime, num, pct, si3, times, wrap } from '../../suite/text-format.js';
import { formatSlice, schedulerClaim, schedulerRows, type SchedulerRow } from './derive.js';

/** Percentage points, signed: the difference of two shares. */
const pointsDelta = num((n) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(3)}`);
/** The global lock's wait is thousandths of a percent on the virtual engine: three decimals, so that its growth with pCPUs shows. */
const finePct = num((n) => fmt.percent(n, 3));
const throughput = num(si3);

export function schedulerTables(results: SuiteResults): string[] {
  const out: string[] = [];
  const rows = schedulerRows(results.cases);
  for (const engine of new Set(rows.map((r) => r.engine))) {
    const columns: Column<SchedulerRow>[] = [
      { header: 'pCPUs', cell: (r) => String(r.pcpus) },
      { header: 'slice', cell: (r) => formatSlice(r.sliceUs) },
      { header: 'rr hv %', cell: (r) => pct(r.rr?.metrics.hvFraction.median) },
      { header: 'g-l hv %', cell: (r) => pct(r.globalLock?.metrics.hvFraction.median) },
      { header: 'Δ pp', cell: (r) => pointsDelta(r.hvDelta) },
      // Medians alone: with their ranges the table would not fit 100 columns (the ranges are in --json and the baseline table).
      { header: 'rr acq/s', cell: (r) => throughput(r.rr?.metrics.acquisitionsPerSec.median) },
      { header: 'g-l acq/s', cell: (r) => throughput(r.globalLock?.metrics.acquisitionsPerSec.median) },
      { header: 'g-l/rr', cell: (r) => times(r.throughputRatio) },
      { header: 'lock %', cell: (r) => finePct(r.globalLock?.metrics.globalLockFraction.median) },
      { header: 'spins/pCPU', cell: (r) => count(r.globalLock?.metrics.globalLockSpins.median) },
    ];
    out.push(
      wrap(
        `Schedulers, ${engine} engine: rr (lock-free per-pCPU run queues) against global-lock (g-l: one run queue under one spinlock), ` +
          `contended workload, 1 VM of 2 vCPUs per pCPU (medians; acquisitions ${engineTime(engine)}; Δ pp: g-l's hv % minus rr's, in percentage points; ` +
          "lock %: share of pCPU time g-l's pCPUs waited for its lock, a part of its hv %; spins/pCPU: polls of the lock held by another pCPU)",
      ),
      '',
      renderTable(
        columns,
        rows.filter((r) => r.engine === engine),
      ),
      '',
    );
  }
  return out;
}

/** The claim, per engine: what global-lock costs over rr (schedulerClaim). */
export function schedulerClaims(results: SuiteResults): string[] {
  const out: string[] = [];
  const schedulers = schedulerRows(results.cases);
  for (const engine of new Set(schedulers.map((r) => r.engine))) {
    const line = schedulerClaim(schedulers, engine);
    if (line) out.push(`Schedulers (${engine}): ${line}`);
  }
  return out;
}
