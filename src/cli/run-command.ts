/** `spinvisor run`: one scenario, one table, optionally a results file. */
import { loadScenario } from '../config/load.js';
import { DEFAULT_PRESET } from '../config/presets.js';
import { hostWarning } from '../engine/threads.js';
import { renderRun } from '../report/run-table.js';
import { withSystem } from '../results/results.js';
import { simulate } from '../simulate.js';
import { HELP_OPTION, parseFlags } from '../io/flags.js';
import { checkOutputPath, writeJsonAtomically } from '../io/output-file.js';
import { OVERRIDE_OPTIONS, POLICY_OPTION, overridesFrom } from '../io/scenario-flags.js';
import { JSON_OPTION, scenarioArgument } from './flags.js';
import { runHelp } from './help.js';
import { TRACE_OPTIONS, checkTraceWindow, progressDisplay, traceFlags, traceLine } from './trace-flags.js';
import { INTERRUPTED_EXIT_CODE, stopOnSignals } from './interrupt.js';
import type { TraceSummary } from '../trace/chrome-trace.js';
import { Warnings } from './warnings.js';
import type { CliIo } from './io.js';

const OPTIONS = { ...HELP_OPTION, ...OVERRIDE_OPTIONS, ...POLICY_OPTION, ...JSON_OPTION, ...TRACE_OPTIONS };

/**
 * Returns the exit code: 0, 1 when a self-check failed, 130 when stopped by Ctrl-C or SIGTERM
 * (the results so far are printed and written, marked interrupted). Bad input throws
 * `ConfigError` before anything runs.
 */
export async function runCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('run', args, OPTIONS);
  if (values.help) {
    io.out(runHelp());
    return 0;
  }
  const spec = scenarioArgument('run', positionals) ?? DEFAULT_PRESET;
  const overrides = overridesFrom(values);
  const jsonPath = values.json === undefined ? undefined : checkOutputPath(values.json);
  const trace = traceFlags(values, spec);
  const config = loadScenario(spec, overrides);
  checkTraceWindow(trace, config);

  const warnings = new Warnings(io.err);
  warnings.print([hostWarning(config)]);
  io.terminal?.write(`spinvisor: running ${spec} for ${config.durationMs} ms…\n`);
  const progress = progressDisplay(
    config,
    config.vms.map((vm) => vm.name),
    io.terminal,
  );
  let written: TraceSummary | undefined;
  const interrupt = stopOnSignals('spinvisor', io);
  let results;
  try {
    results = withSystem(
      await simulate(config, undefined, {
        trace: trace && { ...trace, label: overrides.system ?? config.vms[0]!.policy },
        onTraceWritten: (summary) => (written = summary),
        onProgress: progress?.onProgress,
        signal: interrupt.signal,
        onStarted: interrupt.onStarted,
      }),
      overrides.system,
    );
  } finally {
    progress?.done();
    interrupt.dispose();
  }
  warnings.print(results.warnings);

  io.out(renderRun(results, { title: overrides.system === undefined ? spec : `${spec} on ${overrides.system}` }));
  if (jsonPath) {
    writeJsonAtomically(jsonPath, results);
    io.out(`\nresults: ${jsonPath}`);
  }
  if (written) io.out(`${jsonPath ? '' : '\n'}${traceLine(written)}`);
  if (results.interrupted) return INTERRUPTED_EXIT_CODE;
  if (results.ok) return 0;
  const failed = results.selfChecks.filter((c) => !c.ok).map((c) => c.name);
  io.err(`spinvisor: self-checks failed: ${failed.join(', ')}`);
  return 1;
}
