/**
 * Runs a reproduction: each of its runs once (same seed, the engine the caller names, virtual by
 * default: deterministic), then each row's simulated ratio beside the published one, judged by
 * verdict.ts. A disagreement is a result, not an error: only bad input throws.
 */
import { applyOverrides, type Overrides } from '../config/overrides.js';
import { readScenario } from '../config/load.js';
import type { Config, EngineKind } from '../config/schema.js';
import type { ThreadsEngine } from '../engine/threads.js';
import type { Results } from '../results/results.js';
import { simulate } from '../simulate.js';
import type { Reproduction, ReproductionMetric, ReproductionRow, RunOverrides } from './file.js';
import { judge, type Verdict } from './verdict.js';

/** `reproduce --quick`: every run this long, in ms: a smoke run of the whole set in a few seconds, its figures noisier. */
export const QUICK_DURATION_MS = 50;

export interface ReproduceOptions {
  readonly engine?: EngineKind;
  readonly seed?: number;
  /** Every run's length, in ms, instead of the file's (a short smoke run, say). */
  readonly durationMs?: number;
  /** pCPU threads to reuse for threads-engine runs. */
  readonly threads?: ThreadsEngine;
  /** Called before each run starts (for progress lines). */
  readonly onRun?: (runId: string, config: Config) => void;
}

/** One row: the published ratio and the simulated one, side by side, with the verdict. */
export interface ReproducedRow {
  readonly label: string;
  readonly kind: ReproductionRow['kind'];
  readonly metric: ReproductionMetric;
  /** The published figures and their ratio (value over baseline; the value itself without a baseline). */
  readonly published: { readonly value: number; readonly baseline: number | null; readonly unit: string; readonly ratio: number };
  /** The simulated figures (the run's and its baseline run's metric) and their ratio, in the same sense as the published one. */
  readonly simulated: { readonly value: number; readonly baseline: number | null; readonly ratio: number };
  readonly verdict: Verdict;
}

export interface ReproducedRun {
  readonly id: string;
  readonly label: string;
  readonly ok: boolean;
  readonly failedChecks: readonly string[];
  readonly config: Config;
  /** Host ms the run took. */
  readonly hostMs: number;
  readonly metrics: Readonly<Record<ReproductionMetric, { readonly all: number; readonly vmMean: number }>>;
}

export interface ReproductionResult {
  readonly name: string;
  readonly title: string;
  readonly url: string;
  readonly engine: EngineKind;
  readonly seed: number;
  readonly ok: boolean;
  readonly runs: readonly ReproducedRun[];
  readonly rows: readonly ReproducedRow[];
}

/** A run's scenario: the file's scenario, its common overrides, the run's own, then the caller's engine, seed and duration. */
export function runConfig(repro: Reproduction, overrides: RunOverrides, options: Pick<ReproduceOptions, 'engine' | 'seed' | 'durationMs'>): Config {
  const base = typeof repro.scenario === 'string' ? readScenario(repro.scenario) : repro.scenario;
  const merged = { ...repro.overrides, ...overrides } as Overrides;
  return applyOverrides(base, {
    ...merged,
    engine: options.engine ?? 'virtual',
    seed: options.seed ?? 1,
    ...(options.durationMs !== undefined && { durationMs: options.durationMs }),
  });
}

const mean = (values: readonly number[]) => (values.length === 0 ? Number.NaN : values.reduce((s, v) => s + v, 0) / values.length);

function metricsOf(results: Results): ReproducedRun['metrics'] {
  const m = results.metrics;
  const pick = (metric: ReproductionMetric) => ({ all: m[metric], vmMean: mean(m.vms.map((vm) => vm[metric])) });
  return {
    acquisitionsPerSec: pick('acquisitionsPerSec'),
    workUnitsPerSec: pick('workUnitsPerSec'),
    stealFraction: pick('stealFraction'),
    spinFraction: pick('spinFraction'),
  };
}

/** The row's published ratio: time over time for a slowdown, throughput over throughput for a speed-up, the figure itself otherwise. */
function publishedRatio(row: ReproductionRow): number {
  return row.published.baseline === undefined ? row.published.value : row.published.value / row.published.baseline;
}

/** A row from measured runs: a slowdown is the baseline's throughput over the run's (time to do the same work), a speed-up the inverse. */
export function reproduceRow(row: ReproductionRow, runs: ReadonlyMap<string, Pick<ReproducedRun, 'metrics'>>, tolerance: number): ReproducedRow {
  const figure = (id: string) => {
    const m = runs.get(id)!.metrics[row.metric];
    return row.scope === 'all' ? m.all : m.vmMean;
  };
  const value = figure(row.run);
  const baseline = row.baselineRun === undefined ? null : figure(row.baselineRun);
  const simulatedRatio = baseline === null ? value : row.kind === 'slowdown' ? baseline / value : value / baseline;
  const published = publishedRatio(row);
  return {
    label: row.label,
    kind: row.kind,
    metric: row.metric,
    published: { value: row.published.value, baseline: row.published.baseline ?? null, unit: row.published.unit, ratio: published },
    simulated: { value, baseline, ratio: simulatedRatio },
    verdict: judge(row.kind, published, simulatedRatio, tolerance),
  };
}

/** Runs every run of the reproduction (all validated first) and judges every row. */
export async function runReproduction(repro: Reproduction, options: ReproduceOptions = {}): Promise<ReproductionResult> {
  const configs = repro.runs.map((run) => runConfig(repro, run.overrides, options));
  const runs = new Map<string, ReproducedRun>();
  for (const [i, run] of repro.runs.entries()) {
    const config = configs[i]!;
    options.onRun?.(run.id, config);
    const results = await simulate(config, options.threads);
    runs.set(run.id, {
      id: run.id,
      label: run.label,
      ok: results.ok,
      failedChecks: results.selfChecks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`),
      config,
      hostMs: results.environment.hostMs,
      metrics: metricsOf(results),
    });
  }
  const list = [...runs.values()];
  return {
    name: repro.name,
    title: repro.title,
    url: repro.source.url,
    engine: options.engine ?? 'virtual',
    seed: options.seed ?? 1,
    ok: list.every((r) => r.ok),
    runs: list,
    rows: repro.rows.map((row) => reproduceRow(row, runs, repro.tolerance)),
  };
}
