/**
 * `spinvisor reproduce [NAME]`: runs the shipped reproductions of published results (all, or the
 * one named) and prints each published ratio beside the simulated one with the verdict. A row
 * that disagrees is a finding and still exits 0; only bad input (2) or a failed self-check (1)
 * does not.
 */
import { ConfigError, ENGINES } from '../config/schema.js';
import { ThreadsEngine, hostWarning } from '../engine/threads.js';
import { choiceFlag, HELP_OPTION, integerFlag, parseFlags } from '../io/flags.js';
import { checkOutputPath, writeJsonAtomically } from '../io/output-file.js';
import { renderReproduction, renderReproductionList } from '../report/reproduce-table.js';
import { listReproductions, loadReproduction } from '../reproduce/file.js';
import { QUICK_DURATION_MS, runConfig, runReproduction, type ReproductionResult } from '../reproduce/run.js';
import { REPRODUCE_FORMAT } from '../results/formats.js';
import { JSON_OPTION } from './flags.js';
import { reproduceHelp } from './help.js';
import { Warnings } from './warnings.js';
import type { CliIo } from './io.js';

const OPTIONS = {
  ...HELP_OPTION,
  list: { type: 'boolean' },
  quick: { type: 'boolean' },
  engine: { type: 'string' },
  seed: { type: 'string' },
  'duration-ms': { type: 'string' },
  ...JSON_OPTION,
} as const;

export async function reproduceCommand(args: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseFlags('reproduce', args, OPTIONS);
  if (values.help) {
    io.out(reproduceHelp());
    return 0;
  }
  if (positionals.length > 1) throw new ConfigError(`${positionals[1]}: unexpected argument (spinvisor reproduce takes one reproduction name)`);
  const repros = positionals[0] === undefined ? listReproductions() : [loadReproduction(positionals[0])];
  if (values.list) {
    io.out(renderReproductionList(repros));
    return 0;
  }
  const engine = choiceFlag('engine', values.engine, ENGINES) ?? 'virtual';
  const seed = integerFlag('seed', values.seed);
  const durationFlag = integerFlag('duration-ms', values['duration-ms']);
  if (values.quick && durationFlag !== undefined) throw new ConfigError('--quick: give either --quick or --duration-ms, not both');
  const durationMs = values.quick ? QUICK_DURATION_MS : durationFlag;
  const options = { engine, ...(seed !== undefined && { seed }), ...(durationMs !== undefined && { durationMs }) };
  const jsonPath = values.json === undefined ? undefined : checkOutputPath(values.json);
  // Every run's scenario is validated before the first starts: bad input fails fast.
  const configs = repros.flatMap((repro) => repro.runs.map((run) => runConfig(repro, run.overrides, options)));

  const warnings = new Warnings(io.err);
  warnings.print(configs.map(hostWarning));
  const threads = new ThreadsEngine();
  const results: ReproductionResult[] = [];
  try {
    for (const repro of repros) {
      const result = await runReproduction(repro, {
        ...options,
        threads,
        onRun: (id, config) => {
          io.terminal?.write(`spinvisor: reproducing ${repro.name}: ${id} for ${config.durationMs} ms…\n`);
        },
      });
      results.push(result);
      io.out(`${results.length > 1 ? '\n' : ''}${renderReproduction(repro, result)}`);
    }
  } finally {
    await threads.close();
  }

  const ok = results.every((r) => r.ok);
  if (jsonPath) {
    writeJsonAtomically(jsonPath, { format: REPRODUCE_FORMAT, ok, engine, seed: options.seed ?? 1, reproductions: results });
    io.out(`\nresults: ${jsonPath}`);
  }
  if (ok) return 0;
  io.err(
    `spinvisor: self-checks failed in ${results
      .filter((r) => !r.ok)
      .map((r) => r.name)
      .join(', ')}`,
  );
  return 1;
}
