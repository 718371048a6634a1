/** `spinvisor compare`: one scenario under each spin-wait policy, on the same pCPU threads. */
import { loadScenario } from '../config/load.js';
import { DEFAULT_PRESET } from '../config/presets.js';
import { ConfigError, type PolicyKind } from '../config/schema.js';
import { ThreadsEngine, hostWarning } from '../engine/threads.js';
import { renderCompare, type PolicyRun } from '../report/compare-table.js';
import { simulate } from '../simulate.js';
import { COMPARE_FORMAT } from '../results/formats.js';
import type { CompareResults } from '../results/results-schema.js';
import { HELP_OPTION, parseFlags } from '../io/flags.js';
import { checkOutputPath, writeJsonAtomically } from '../io/output-file.js';
import { OVERRIDE_OPTIONS, overridesFrom } from '../io/scenario-flags.js';
import { JSON_OPTION, policiesFlag, scenarioArgument } from './flags.js';
import { compareHelp } from './help.js';
import { Warnings } from './warnings.js';

const OPTIONS = { ...HELP_OPTION, ...OVERRIDE_OPTIONS, policies: { type: 'string' }, ...JSON_OPTION } as const;
const DEFAULT_POLICIES: readonly PolicyKind[] = ['naive', 'notify'];

/** Returns the exit code: 0, or 1 when any run failed a self-check. Bad input throws `ConfigError` before anything runs. */
export async function compareCommand(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags('compare', args, OPTIONS);
  if (values.help) {
    console.log(compareHelp());
    return 0;
  }
  const spec = scenarioArgument('compare', positionals) ?? DEFAULT_PRESET;
  const policies = policiesFlag(values.policies) ?? DEFAULT_POLICIES;
  const overrides = overridesFrom(values);
  const jsonPath = values.json === undefined ? undefined : checkOutputPath(values.json);
  // Every configuration is validated before the first run starts.
  const configs = policies.map((policy) => loadScenario(spec, { ...overrides, policy }));
  if (configs[0]!.mode === 'bare') throw new ConfigError('mode: compare runs each policy under the hypervisor; bare metal has none (drop --mode bare)');

  const warnings = new Warnings();
  warnings.print([hostWarning(configs[0]!)]);
  const runs: PolicyRun[] = [];
  const engine = new ThreadsEngine();
  try {
    for (const [i, config] of configs.entries()) {
      if (process.stderr.isTTY) process.stderr.write(`spinvisor: running ${spec} under ${policies[i]} for ${config.durationMs} ms…\n`);
      const results = await simulate(config, engine);
      warnings.print(results.warnings);
      runs.push({ policy: policies[i]!, results });
    }
  } finally {
    await engine.close();
  }

  console.log(renderCompare(runs, { title: spec }));
  const ok = runs.every((run) => run.results.ok);
  if (jsonPath) {
    const file = { format: COMPARE_FORMAT, ok, policies, runs: runs.map((run) => run.results) } satisfies CompareResults;
    writeJsonAtomically(jsonPath, file);
    console.log(`\nresults: ${jsonPath}`);
  }
  if (ok) return 0;
  const failed = runs.flatMap((run) => run.results.selfChecks.filter((c) => !c.ok).map((c) => `${run.policy}: ${c.name}`));
  console.error(`spinvisor: self-checks failed: ${failed.join(', ')}`);
  return 1;
}
