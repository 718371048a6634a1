/** The results of one run: what the CLI prints and what `--json` writes. */
import type { Config, EngineKind } from '../config/schema.js';
import type { SystemName } from '../config/systems.js';
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
  /** The named system (`--system`) the scenario ran as; what it set is in `config`. Absent when none was named. */
  readonly system?: SystemName;
  /** Present, and true, only when the run was stopped early (Ctrl-C): every figure covers the time it reached (`metrics.elapsedMs`). */
  readonly interrupted?: true;
  readonly config: Config;
  /** Where it ran, and what the run cost the host (`hostMs`): everything that differs between identical runs. */
  readonly environment: Environment & { readonly hostMs: number };
  readonly warnings: readonly string[];
  readonly selfChecks: readonly SelfCheck[];
  readonly metrics: Metrics;
}

export function buildResults(run: RunOutput): Results {
  const metrics = collectMetrics(run.machine);
  const checks = selfChecks(run.machine, metrics, { wallMs: run.wallMs, graceMs: run.graceMs, interrupted: run.interrupted });
  return {
    format: RESULTS_FORMAT,
    ok: checks.every((c) => c.ok),
    engine: run.engine,
    ...(run.interrupted && { interrupted: true as const }),
    config: run.machine.config,
    environment: { ...environment(), hostMs: run.hostMs },
    warnings: run.warnings,
    selfChecks: checks,
    metrics,
  };
}

/** `results` marked with the system it ran as, next to `engine` (the engine reports what it ran, not what the command line named it). */
export function withSystem(results: Results, system: SystemName | undefined): Results {
  if (system === undefined) return results;
  const { format, ok, engine, interrupted, ...rest } = results;
  return { format, ok, engine, system, ...(interrupted && { interrupted }), ...rest };
}
