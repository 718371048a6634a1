/**
 * `spinvisor compare`: one scenario under each spin-wait policy, or each lock algorithm, or
 * every pair of both, or each named system, on the same pCPU threads, side by side.
 */
import { loadScenario } from '../config/load.js';
import { DEFAULT_PRESET } from '../config/presets.js';
import { ConfigError, type LockKind, type PolicySpec } from '../config/schema.js';
import type { SystemName } from '../config/systems.js';
import { RunInterrupted } from '../engine/run-control.js';
import { ThreadsEngine, hostWarning } from '../engine/threads.js';
import { renderCompare, type ComparedRun } from '../report/compare-table.js';
import { simulate } from '../simulate.js';
import { COMPARE_FORMAT } from '../results/formats.js';
import { withSystem } from '../results/results.js';
import type { CompareResults } from '../results/results-schema.js';
import { HELP_OPTION, parseFlags } from '../io/flags.js';
import { checkOutputPath, writeJsonAtomically } from '../io/output-file.js';
import { OVERRIDE_OPTIONS, POLICY_OPTION, overridesFrom } from '../io/scenario-flags.js';
import { JSON_OPTION, locksFlag, policiesFlag, scenarioArgument, systemsFlag } from './flags.js';
import { compareHelp } from './help.js';
import { INTERRUPTED_EXIT_CODE, stopOnSignals } from './interrupt.js';
import { TRACE_OPTIONS, checkTraceWindow, compareTraceFile, progressDisplay, traceFlags, traceLine } from './trace-flags.js';
import { Warnings } from './warnings.js';
import type { CliIo } from './io.js';

const OPTIONS = {
  ...HELP_OPTION,
  ...OVERRIDE_OPTIONS,
  ...POLICY_OPTION,
  policies: { type: 'string' },
  locks: { type: 'string' },
  systems: { type: 'string' },
  ...JSON_OPTION,
  ...TRACE_OPTIONS,
} as const;
const DEFAULT_POLICIES: readonly PolicySpec[] = ['naive', 'notify'];

/** One run of the comparison: the lock, policy or system it sets (undefined: as the scenario and the other flags have it), and its label. */
interface Variant {
  readonly lock?: LockKind | undefined;
  readonly policy?: PolicySpec | undefined;
  readonly system?: SystemName | undefined;
  readonly label: string;
}

/** The runs: every lock under every policy, locks outermost; labelled by what varies. */
function variantsOf(locks: readonly LockKind[] | undefined, policies: readonly PolicySpec[] | undefined): Variant[] {
  const lockList = locks ?? [undefined];
  const policyList = policies ?? (locks === undefined ? DEFAULT_POLICIES : [undefined]);
  return lockList.flatMap((lock) => policyList.map((policy) => ({ lock, policy, label: [lock, policy].filter((part) => part !== undefined).join(' · ') })));
}

/**
 * Returns the exit code: 0, 1 when any run failed a self-check, 130 when stopped by Ctrl-C or
 * SIGTERM (the runs so far, the last one interrupted, are printed and written). Bad input
 * throws `ConfigError` before anything runs.
 */
export async function compareCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('compare', args, OPTIONS);
  if (values.help) {
    io.out(compareHelp());
    return 0;
  }
  const spec = scenarioArgument('compare', positionals) ?? DEFAULT_PRESET;
  const policies = policiesFlag(values.policies);
  const locks = locksFlag(values.locks);
  const systems = systemsFlag(values.systems);
  if (systems !== undefined && policies !== undefined) throw new ConfigError('--systems: give either --systems or --policies (each sets the runs), not both');
  if (systems !== undefined && locks !== undefined) throw new ConfigError('--systems: give either --systems or --locks (each sets the runs), not both');
  if (systems !== undefined && values.system !== undefined)
    throw new ConfigError('--system: give either --system (one system for every run) or --systems (one run each), not both');
  if (policies !== undefined && values.policy !== undefined)
    throw new ConfigError('--policy: give either --policy (one policy for every run) or --policies (one run each), not both');
  if (locks !== undefined && values.lock !== undefined)
    throw new ConfigError('--lock: give either --lock (one lock for every run) or --locks (one run each), not both');
  const overrides = overridesFrom(values);
  const jsonPath = values.json === undefined ? undefined : checkOutputPath(values.json);
  const trace = traceFlags(values, spec);
  const variants: Variant[] = systems === undefined ? variantsOf(locks, policies) : systems.map((system) => ({ system, label: system }));
  // Every configuration is validated before the first run starts; a run's system comes from --systems, or --system for all.
  const systemOf = (variant: Variant) => variant.system ?? overrides.system;
  const configs = variants.map((variant) =>
    loadScenario(spec, {
      ...overrides,
      ...(variant.lock && { lock: variant.lock }),
      ...(variant.policy && { policy: variant.policy }),
      ...(variant.system && { system: variant.system }),
    }),
  );
  // Bare metal beside the systems is the point of --systems; under every policy or lock it has no hypervisor to compare.
  if (systems === undefined && configs[0]!.mode === 'bare')
    throw new ConfigError(
      overrides.system === undefined
        ? 'mode: compare runs each policy under the hypervisor; bare metal has none (drop --mode bare)'
        : `--system: ${overrides.system} has no hypervisor to compare policies or locks under (put it beside others with --systems)`,
    );

  checkTraceWindow(trace, configs[0]!);

  const warnings = new Warnings(io.err);
  warnings.print([hostWarning(configs[0]!)]);
  const runs: ComparedRun[] = [];
  const traces: string[] = [];
  const engine = new ThreadsEngine();
  const interrupt = stopOnSignals('spinvisor', io);
  try {
    for (const [i, config] of configs.entries()) {
      if (interrupt.signal.aborted) break;
      const { label } = variants[i]!;
      io.terminal?.write(`spinvisor: running ${spec} under ${label} for ${config.durationMs} ms…\n`);
      const progress = progressDisplay(
        config,
        config.vms.map((vm) => vm.name),
        io.terminal,
      );
      let results;
      try {
        results = withSystem(
          await simulate(config, engine, {
            trace: trace && { ...trace, file: compareTraceFile(trace.file, label), label },
            onTraceWritten: (summary) => traces.push(traceLine(summary)),
            onProgress: progress?.onProgress,
            signal: interrupt.signal,
            onStarted: interrupt.onStarted,
          }),
          systemOf(variants[i]!),
        );
      } catch (error) {
        // Stopped while this run's threads were starting: report the runs before it.
        if (error instanceof RunInterrupted) break;
        throw error;
      } finally {
        progress?.done();
      }
      warnings.print(results.warnings);
      runs.push({ label, results });
    }
  } finally {
    await engine.close();
    interrupt.dispose();
  }
  const interrupted = interrupt.signal.aborted;
  if (runs.length === 0) {
    io.err('spinvisor: interrupted before the first run started: nothing to report');
    return INTERRUPTED_EXIT_CODE;
  }
  // The runs made: an interrupted comparison reports those, the last one cut short.
  const made = runs.length;

  io.out(renderCompare(runs, { title: overrides.system === undefined ? spec : `${spec} on ${overrides.system}` }));
  const ok = runs.every((run) => run.results.ok);
  if (jsonPath) {
    // Every run has a system (--systems, or --system for all) or none has.
    const named = variants.map(systemOf).filter((system) => system !== undefined);
    const file = {
      format: COMPARE_FORMAT,
      ok,
      labels: variants.slice(0, made).map((v) => v.label),
      locks: configs.slice(0, made).map((c) => c.vms[0]!.workload.lock),
      policies: configs.slice(0, made).map((c) => c.vms[0]!.policy),
      ...(named.length > 0 && { systems: named.slice(0, made) }),
      ...(interrupted && { interrupted: true as const }),
      runs: runs.map((run) => run.results),
    } satisfies CompareResults;
    writeJsonAtomically(jsonPath, file);
    io.out(`\nresults: ${jsonPath}`);
  }
  if (traces.length > 0) io.out(`${jsonPath ? '' : '\n'}${traces.join('\n')}`);
  if (interrupted) return INTERRUPTED_EXIT_CODE;
  if (ok) return 0;
  const failed = runs.flatMap((run) => run.results.selfChecks.filter((c) => !c.ok).map((c) => `${run.label}: ${c.name}`));
  io.err(`spinvisor: self-checks failed: ${failed.join(', ')}`);
  return 1;
}
