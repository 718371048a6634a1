/**
 * `spinvisor reproduce`'s output: per reproduction, its source, then one row per published
 * figure: the published ratio beside the simulated one, and whether they agree in direction and
 * in order of magnitude. A disagreement is printed as a finding, not as an error.
 */
import type { Reproduction } from '../reproduce/file.js';
import type { ReproducedRow, ReproductionResult } from '../reproduce/run.js';
import type { Direction } from '../reproduce/verdict.js';
import { fmt, renderTable } from './text-table.js';

/** A ratio as its kind reads: a share in percent, a slowdown or speed-up as a factor (three digits: 1.04× is not 1.0×). */
export function formatRatio(kind: ReproducedRow['kind'], ratio: number): string {
  if (!Number.isFinite(ratio)) return '—';
  return kind === 'share' ? fmt.percent(ratio) : `${ratio.toFixed(ratio >= 10 ? 1 : 3)}×`;
}

const ARROW: Record<Direction, string> = { up: '↑', down: '↓', flat: '=' };

/** `agrees`, or what disagrees: the words a reader acts on. */
export function verdictWords(row: ReproducedRow): string {
  if (!row.verdict.direction)
    return `DISAGREES in direction (${ARROW[row.verdict.publishedDirection]} published, ${ARROW[row.verdict.simulatedDirection]} simulated)`;
  if (!row.verdict.magnitude) return 'DISAGREES in order of magnitude';
  return 'agrees';
}

/** What the published figures were, as the source gives them: `807.6 s / 302 s`, or the value alone. */
function publishedFigures(row: ReproducedRow): string {
  const { value, baseline, unit } = row.published;
  const num = (n: number) => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6))));
  return baseline === null ? `${num(value)} ${unit}` : `${num(value)} / ${num(baseline)} ${unit}`;
}

export function renderReproduction(repro: Reproduction, result: ReproductionResult): string {
  const header = [
    `${repro.name}: ${repro.title}`,
    `source: ${repro.source.url}`,
    `claim: ${repro.claim}`,
    `${result.engine} engine · seed ${result.seed} · ${result.runs.length} runs`,
  ];
  const table = renderTable<ReproducedRow>(
    [
      { header: 'row', cell: (r) => r.label, align: 'left' },
      { header: 'kind', cell: (r) => r.kind, align: 'left' },
      { header: 'published', cell: (r) => publishedFigures(r), align: 'left' },
      { header: 'ratio', cell: (r) => formatRatio(r.kind, r.published.ratio) },
      { header: 'simulated', cell: (r) => formatRatio(r.kind, r.simulated.ratio) },
      { header: 'verdict', cell: (r) => verdictWords(r), align: 'left' },
    ],
    result.rows,
  );
  const agreeing = result.rows.filter((r) => r.verdict.direction && r.verdict.magnitude).length;
  const summary = `${agreeing} of ${result.rows.length} rows agree in direction and order of magnitude${agreeing < result.rows.length ? '; each disagreement is a finding (see the file\u2019s notes)' : ''}.`;
  // A run that failed a self-check makes its rows untrustworthy: say which, loudly.
  const checks = result.runs.flatMap((r) => r.failedChecks.map((detail) => `✗ FAILED self-check in run ${r.id}: ${detail}`));
  return [...header, '', table, '', summary, ...checks].join('\n');
}

/** `--list`: name, rows, runs and title of every reproduction. */
export function renderReproductionList(repros: readonly Reproduction[]): string {
  return renderTable<Reproduction>(
    [
      { header: 'name', cell: (r) => r.name, align: 'left' },
      { header: 'runs', cell: (r) => String(r.runs.length) },
      { header: 'rows', cell: (r) => String(r.rows.length) },
      { header: 'what it reproduces', cell: (r) => r.title, align: 'left' },
    ],
    repros,
  );
}
