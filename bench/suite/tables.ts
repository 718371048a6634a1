/**
 * The suite's terminal report: each group's tables in the suite's order (bench/groups/NAME/table.ts;
 * each line at most 100 columns), then the claims the figures support, in words computed from
 * them: each group's own, then those over every case (the hypervisor's cost, the runs' spread,
 * the self-checks). Also the table of a run against a baseline.
 */
import { renderTable, type Column } from '../../src/report/text-table.js';
import { SUITE_GROUPS } from '../groups/index.js';
import { formatDelta, type BaselineComparison, type Delta } from './baseline.js';
import { hypervisorShare, relativeSpread, spread } from './derive.js';
import { CASE_METRICS, type CaseMetricName, type SuiteResults } from './model.js';
import { dash, MAX_COLUMNS, ns, pct, wrap } from './text-format.js';

/** The suite's claims, each in a sentence computed from the figures. */
function claims(results: SuiteResults): string[] {
  const out: string[] = SUITE_GROUPS.flatMap((group) => group.claims?.(results) ?? []);
  for (const engine of new Set(results.cases.map((c) => c.engine))) {
    const hv = hypervisorShare(results.cases.filter((c) => c.engine === engine));
    if (hv.worst)
      out.push(
        `Hypervisor cost (${engine}): median ${pct(hv.share.median)} of pCPU time over ${hv.cases} VM cases at their own settings, ` +
          `at most ${pct(hv.share.max)} (${hv.worst.id}).`,
      );
  }
  for (const engine of new Set(results.cases.map((c) => c.engine))) {
    const spreads = results.cases
      .filter((c) => c.engine === engine && c.runs.length > 1 && c.metrics.acquisitionsPerSec.median > 0)
      .map((c) => ({ id: c.id, value: relativeSpread(c.metrics.acquisitionsPerSec) }));
    if (spreads.length === 0) continue;
    const worst = spreads.reduce((a, b) => (b.value > a.value ? b : a));
    const under = spreads.filter((s) => s.value < 0.1).length;
    out.push(
      `Run-to-run spread (${engine}, (max − min) / median of acq/s over ${results.options.runs} seeds): median ${pct(spread(spreads.map((s) => s.value)).median)} over ` +
        `${spreads.length} cases, ${under} of them under 10%; widest ${pct(worst.value)} (${worst.id}).`,
    );
  }
  const failed = results.cases.flatMap((c) => c.runs.filter((r) => !r.ok).map((r) => `${c.id} seed ${r.seed}`));
  out.push(
    failed.length === 0
      ? 'Self-checks: every run passed every self-check.'
      : `Self-checks FAILED in ${failed.length} run(s): ${failed.slice(0, 5).join(', ')}${failed.length > 5 ? ', …' : ''}.`,
  );
  return out.map((line) => wrap(line, MAX_COLUMNS, ''));
}

export function renderSuiteTables(results: SuiteResults): string {
  const sections = SUITE_GROUPS.map((group) => group.table(results)).filter((s) => s.length > 0);
  const out = sections.map((s) => s.join('\n'));
  out.push(['Claims', '', ...claims(results)].join('\n'));
  return out.join('\n\n');
}

/** The metrics the baseline table has a column for (100 columns hold six): throughput, the shares, the preemptions. */
const BASELINE_COLUMNS: readonly CaseMetricName[] = [
  'acquisitionsPerSec',
  'spinFraction',
  'stealFraction',
  'hvFraction',
  'lockHolderPreemptions',
  'lockWaiterPreemptions',
];

export function renderBaselineTable(comparison: BaselineComparison): string {
  const byId = new Map<string, Delta[]>();
  for (const d of comparison.deltas) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  const metrics = CASE_METRICS.filter((m) => BASELINE_COLUMNS.includes(m.name));
  const caseColumns: Column<[string, Delta[]]>[] = [
    { header: 'case', cell: ([id]) => (id.length > 44 ? `…${id.slice(id.length - 43)}` : id), align: 'left' },
    ...metrics.map((m) => ({
      header: m.label,
      cell: ([, ds]: [string, Delta[]]) => {
        const d = ds.find((x) => x.metric === m.name);
        return d ? formatDelta(d) : dash;
      },
    })),
  ];
  const cases = [...byId.entries()].filter(([id]) => !id.startsWith('micro/'));
  const micro = [...byId.entries()].filter(([id]) => id.startsWith('micro/'));
  const flagged = comparison.deltas.filter((d) => d.flagged);
  const out = [wrap('Against the baseline (Δ of the medians; "!" = beyond the runs\' spread: the min–max ranges do not overlap; pp = percentage points)'), ''];
  if (cases.length > 0) out.push(renderTable(caseColumns, cases), '');
  if (micro.length > 0)
    out.push(
      renderTable<[string, Delta[]]>(
        [
          { header: 'micro-benchmark', cell: ([id]) => id.slice('micro/'.length), align: 'left' },
          { header: 'ns/op before', cell: ([, ds]) => ns(ds[0]!.baseline.median) },
          { header: 'now', cell: ([, ds]) => ns(ds[0]!.current.median) },
          { header: 'Δ', cell: ([, ds]) => formatDelta(ds[0]!) },
        ],
        micro,
      ),
      '',
    );
  const worse = flagged.filter((d) => d.better === false).length;
  const unshown = flagged.filter((d) => d.metric !== 'nsPerOp' && !BASELINE_COLUMNS.includes(d.metric));
  const unshownNames = [...new Set(unshown.map((d) => CASE_METRICS.find((m) => m.name === d.metric)!.label))];
  out.push(
    wrap(
      `${flagged.length} change(s) beyond the spread: ${worse} worse, ${flagged.length - worse} better` +
        (unshown.length > 0 ? ` (${unshown.length} of them in figures the table leaves out: ${unshownNames.join(', ')}; see --json).` : '.'),
    ),
  );
  if (comparison.onlyInBaseline.length > 0) out.push(wrap(`Not run this time: ${comparison.onlyInBaseline.join(', ')}`));
  if (comparison.onlyInCurrent.length > 0) out.push(wrap(`Not in the baseline: ${comparison.onlyInCurrent.join(', ')}`));
  return out.join('\n');
}
