/**
 * The `spinvisor` command as a function, `main(argv, io)`: picks the subcommand and is the one
 * place errors become exit codes, which it returns (the bin, main.ts, sets the process's; a test
 * calls it in process with buffers for `io`, io.ts).
 * Bad input (a `ConfigError`) is one line and exit 2; a results file that cannot be written
 * after a run, or a run a pCPU failed (a `RunFault`: a thread threw, died or stopped making
 * steps), is one line and exit 1; Ctrl-C or SIGTERM during a run is exit 130 (interrupt.ts); anything else is a bug: one line, exit 1, and the stack
 * only with SPINVISOR_DEBUG=1.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../config/package-root.js';
import { quoted, shown } from '../config/config-error.js';
import { ConfigError } from '../config/schema.js';
import { JSON_SCHEMAS, JSON_SCHEMA_NAMES, type JsonSchemaName } from '../config/write-json-schema.js';
import { HELP_OPTION, parseFlags } from '../io/flags.js';
import { RunInterrupted } from '../engine/run-control.js';
import { RunFault } from '../engine/run-fault.js';
import { OutputError } from '../io/output-file.js';
import { compareCommand } from './compare-command.js';
import type { CliIo } from './io.js';
import { MAIN_HELP, PRESETS_HELP, compareHelp, reproduceHelp, runHelp, schemaHelp, timelineHelp } from './help.js';
import { INTERRUPTED_EXIT_CODE } from './interrupt.js';
import { presetsCommand } from './presets-command.js';
import { reproduceCommand } from './reproduce-command.js';
import { runCommand } from './run-command.js';
import { timelineCommand } from './timeline-command.js';

const COMMANDS = ['run', 'compare', 'timeline', 'presets', 'reproduce', 'schema', 'help'] as const;

const HELP: Record<string, () => string> = {
  run: runHelp,
  compare: compareHelp,
  timeline: timelineHelp,
  presets: () => PRESETS_HELP,
  reproduce: reproduceHelp,
  schema: schemaHelp,
};

/** Runs the command line `argv` (the arguments after the program's name); resolves to the exit code, never rejects. */
export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await dispatch(argv, io);
  } catch (error) {
    return report(error, io);
  }
}

async function dispatch(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case undefined:
    case '-h':
    case '--help':
      io.out(MAIN_HELP);
      return 0;
    case '-v':
    case '--version':
      io.out(version());
      return 0;
    case 'run':
      return runCommand(rest, io);
    case 'compare':
      return compareCommand(rest, io);
    case 'timeline':
      return timelineCommand(rest, io);
    case 'presets':
      return presetsCommand(rest, io);
    case 'reproduce':
      return reproduceCommand(rest, io);
    case 'schema':
      return schemaCommand(rest, io);
    case 'help':
      return helpCommand(rest, io);
    default:
      if (command.startsWith('-')) throw new ConfigError(`${shown(command)}: unknown flag; a command comes first (${COMMANDS.join(', ')})`);
      throw new ConfigError(`unknown command ${quoted(command)} (commands: ${COMMANDS.join(', ')}; see spinvisor --help)`);
  }
}

/** `spinvisor schema [NAME]`: one of the package's JSON Schemas, the scenario's by default. */
function schemaCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseFlags('schema', args, HELP_OPTION);
  if (values.help) {
    io.out(schemaHelp());
    return 0;
  }
  if (positionals.length > 1) throw new ConfigError(`${shown(positionals[1]!)}: unexpected argument (spinvisor schema takes one schema name)`);
  const name = positionals[0] ?? 'scenario';
  if (!(JSON_SCHEMA_NAMES as readonly string[]).includes(name))
    throw new ConfigError(`unknown schema ${quoted(name)} (schemas: ${JSON_SCHEMA_NAMES.join(', ')}; the bench's: npm run bench -- schema)`);
  io.out(JSON.stringify(JSON_SCHEMAS[name as JsonSchemaName].generate(), null, 2));
  return 0;
}

function helpCommand(args: readonly string[], io: CliIo): number {
  const { positionals } = parseFlags('help', args, HELP_OPTION);
  const topic = positionals[0];
  if (topic === undefined || topic === 'help') io.out(MAIN_HELP);
  else if (HELP[topic]) io.out(HELP[topic]());
  else throw new ConfigError(`unknown command ${quoted(topic)} (commands: ${COMMANDS.join(', ')})`);
  return 0;
}

function version(): string {
  const pkg = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Prints one line for any error and returns the exit code. */
function report(error: unknown, io: CliIo): number {
  if (error instanceof ConfigError) {
    io.err(`spinvisor: ${error.message}`);
    return 2;
  }
  if (error instanceof RunInterrupted) {
    io.err(`spinvisor: ${error.message}`);
    return INTERRUPTED_EXIT_CODE;
  }
  if (error instanceof OutputError || error instanceof RunFault) {
    io.err(`spinvisor: ${error.message}`);
    return 1;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`spinvisor: internal error: ${message.split('\n')[0]}${io.env.SPINVISOR_DEBUG === '1' ? '' : ' (SPINVISOR_DEBUG=1 shows the stack)'}`);
  if (io.env.SPINVISOR_DEBUG === '1' && error instanceof Error && error.stack) io.err(error.stack);
  return 1;
}
