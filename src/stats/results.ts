/** The results of one run: what the CLI prints and what `--json` writes. */
import type { Config } from '../config/schema.js';
import type { RunOutput } from '../engine/threads.js';
import { environment, type Environment } from './environment.js';
import { collectMetrics, type Metrics } from './metrics.js';
import { selfChecks, type SelfCheck } from './self-checks.js';

export interface Results {
  /** All self-checks passed. */
  readonly ok: boolean;
  readonly engine: 'threads';
  readonly config: Config;
  readonly environment: Environment;
  readonly warnings: readonly string[];
  readonly selfChecks: readonly SelfCheck[];
  readonly metrics: Metrics;
}

export function buildResults(run: RunOutput): Results {
  const metrics = collectMetrics(run.machine);
  const checks = selfChecks(run.machine, metrics, { wallMs: run.wallMs, graceMs: run.graceMs });
  return {
    ok: checks.every((c) => c.ok),
    engine: run.engine,
    config: run.machine.config,
    environment: environment(),
    warnings: run.warnings,
    selfChecks: checks,
    metrics,
  };
}
