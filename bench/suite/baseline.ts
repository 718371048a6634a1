/**
 * `--baseline FILE`: every metric of every case (and every micro-benchmark) against a saved
 * suite file. A change is flagged only beyond the runs' spread: when the current min–max range
 * and the baseline's do not overlap. With one run per case there is no spread, so every change
 * is flagged; run several (the default 3) to compare.
 */
import { ConfigError } from '../../src/config/schema.js';
import { checkWithSchema } from '../../src/io/schema-check.js';
import { CASE_METRICS, SUITE_FORMAT, suiteResultsSchema, type CaseMetricName, type SuiteResults, type Spread } from './model.js';

export interface Delta {
  readonly id: string;
  readonly label: string;
  readonly metric: CaseMetricName | 'nsPerOp';
  readonly baseline: Spread;
  readonly current: Spread;
  /** Relative change of the medians, or for shares (spin %, …) the change in percentage points. */
  readonly change: number;
  readonly unit: '%' | 'pp';
  /** The two ranges do not overlap. */
  readonly flagged: boolean;
  /** Whether the change is for the better (by the metric's direction); null when unchanged. */
  readonly better: boolean | null;
}

export interface BaselineComparison {
  readonly deltas: readonly Delta[];
  /** Case ids in only one of the two files. */
  readonly onlyInBaseline: readonly string[];
  readonly onlyInCurrent: readonly string[];
}

const isShare = (metric: string) => metric.endsWith('Fraction');

function delta(id: string, label: string, metric: Delta['metric'], baseline: Spread, current: Spread, higherIsBetter: boolean): Delta {
  const share = isShare(metric);
  const change = share
    ? (current.median - baseline.median) * 100
    : baseline.median !== 0
      ? (current.median / baseline.median - 1) * 100
      : current.median === 0
        ? 0
        : Number.POSITIVE_INFINITY;
  const flagged = current.min > baseline.max || current.max < baseline.min;
  const better = current.median === baseline.median ? null : current.median > baseline.median === higherIsBetter;
  return { id, label, metric, baseline, current, change, unit: share ? 'pp' : '%', flagged, better };
}

/**
 * A suite file read back (`--baseline`, `merge`), checked with the suite schema: throws a
 * one-line ConfigError naming the field when it is not a suite file of this format, e.g.
 * `--baseline: old.json: cases[3].runs: expected array, got string`.
 */
export function checkSuiteFile(value: unknown, path: string): SuiteResults {
  const file = value as { format?: unknown } | null;
  if (typeof file !== 'object' || file === null || Array.isArray(file) || !('format' in file))
    throw new ConfigError(`${path}: not a spinvisor bench results file (no "format" field)`);
  if (file.format !== SUITE_FORMAT)
    throw new ConfigError(`${path}: format ${JSON.stringify(file.format)}, expected "${SUITE_FORMAT}" (re-run npm run bench to make one)`);
  return checkWithSchema(suiteResultsSchema, value, path);
}

export function compareWithBaseline(current: SuiteResults, baseline: SuiteResults): BaselineComparison {
  const deltas: Delta[] = [];
  const before = new Map(baseline.cases.map((c) => [c.id, c]));
  for (const c of current.cases) {
    const b = before.get(c.id);
    if (!b) continue;
    for (const m of CASE_METRICS) deltas.push(delta(c.id, c.label, m.name, b.metrics[m.name], c.metrics[m.name], m.higherIsBetter));
  }
  // Micro rows: the spread of a row is its batches' minimum to 99th percentile.
  const microBefore = new Map((baseline.micro?.rows ?? []).map((r) => [r.name, r]));
  for (const row of current.micro?.rows ?? []) {
    const b = microBefore.get(row.name);
    if (!b) continue;
    const range = (r: typeof row): Spread => ({ median: r.nsP50, min: r.nsMin, max: r.nsP99 });
    deltas.push(delta(`micro/${row.name}`, row.name, 'nsPerOp', range(b), range(row), false));
  }
  const currentIds = new Set(current.cases.map((c) => c.id));
  return {
    deltas,
    onlyInBaseline: baseline.cases.filter((c) => !currentIds.has(c.id)).map((c) => c.id),
    onlyInCurrent: current.cases.filter((c) => !before.has(c.id)).map((c) => c.id),
  };
}

/** "+3.2%" / "-1.0 pp", with "!" when flagged. */
export function formatDelta(d: Delta): string {
  if (!Number.isFinite(d.change)) return d.flagged ? 'new!' : 'new';
  const sign = d.change > 0 ? '+' : d.change < 0 ? '−' : '±';
  const text = `${sign}${Math.abs(d.change).toFixed(1)}${d.unit === 'pp' ? ' pp' : '%'}`;
  return d.flagged ? `${text}!` : text;
}
