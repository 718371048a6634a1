/** The results of one run: what the CLI prints and what `--json` writes. */
import type { Config, EngineKind } from '../config/schema.js';
import type { RunOutput } from '../engine/run-output.js';
import { environment, type Environment } from '../stats/environment.js';
import { collectMetrics, type Metrics } from '../stats/metrics.js';
import { RESULTS_FORMAT } from './formats.js';
import { selfChecks, type SelfCheck } from './self-checks.js';

export interface Results {
  /** The file format and its version (results-schema.ts describes it). */
  readonly format: typeof RESULTS_FORMAT;
  /** All self-checks passed. */
  readonly ok: boolean;
  /** `threads`: times are real; `virtual`: times are virtual ns of the cost model. */
  readonly engine: EngineKind;
  readonly config: Config;
  /** Where it ran, and what the run cost the host (`hostMs`): everything that differs between identical runs. */
  readonly environment: Environment & { readonly hostMs: number };
  readonly warnings: readonly string[];
  readonly selfChecks: readonly SelfCheck[];
  readonly metrics: Metrics;
}

export function buildResults(run: RunOutput): Results {
  const metrics = collectMetrics(run.machine);
  const checks = selfChecks(run.machine, metrics, { wallMs: run.wallMs, graceMs: run.graceMs });
  return {
    format: RESULTS_FORMAT,
    ok: checks.every((c) => c.ok),
    engine: run.engine,
    config: run.machine.config,
    environment: { ...environment(), hostMs: run.hostMs },
    warnings: run.warnings,
    selfChecks: checks,
    metrics,
  };
}
