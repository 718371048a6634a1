/**
 * Flag parsing for every subcommand: `node:util` parseArgs in strict mode, with its errors
 * turned into one-line `ConfigError`s that name the flag, and the scenario overrides turned
 * into typed values (integers checked here; ranges are the schema's job).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { Overrides } from '../config/overrides.js';
import { ConfigError, ENGINES, LOCK_KINDS, MODES, POLICY_KINDS } from '../config/schema.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies Options;

/** The scenario overrides `run` and `compare` accept (compare picks policies with --policies instead of --policy). */
export const OVERRIDE_OPTIONS = {
  pcpus: { type: 'string' },
  vms: { type: 'string' },
  vcpus: { type: 'string' },
  lock: { type: 'string' },
  mode: { type: 'string' },
  'slice-us': { type: 'string' },
  'spin-threshold': { type: 'string' },
  'duration-ms': { type: 'string' },
  seed: { type: 'string' },
  engine: { type: 'string' },
} as const satisfies Options;

export const POLICY_OPTION = { policy: { type: 'string' } } as const satisfies Options;
export const JSON_OPTION = { json: { type: 'string' } } as const satisfies Options;

export interface ParsedFlags<T extends Options> {
  readonly values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K] extends { multiple: true } ? string[] : string };
  readonly positionals: string[];
}

/**
 * parseArgs, strict, with any problem reported as `<flag>: <problem>`. `helpCommand` is what an
 * unknown flag's message sends the user to.
 */
export function parseFlags<T extends Options>(
  command: string,
  args: readonly string[],
  options: T,
  helpCommand = `spinvisor ${command} --help`,
): ParsedFlags<T> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, strict: true, allowPositionals: true });
    return { values: values as ParsedFlags<T>['values'], positionals };
  } catch (error) {
    throw new ConfigError(describeParseError(helpCommand, error));
  }
}

function describeParseError(helpCommand: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const flag = /'(--?[^'\s<=]+)/.exec(message)?.[1] ?? 'arguments';
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `${flag}: unknown flag (see ${helpCommand})`;
  if (message.includes('argument missing')) return `${flag}: expects a value`;
  if (message.includes('ambiguous')) return `${flag}: expects a value (write ${flag}=VALUE for a value that starts with "-")`;
  if (message.includes('does not take an argument')) return `${flag}: takes no value`;
  return message.split('\n')[0]!;
}

/** A whole number written in decimal: `--pcpus abc` and `--pcpus 1.5` are rejected here, ranges by the schema. */
export function integerFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new ConfigError(`--${flag}: expected an integer, got "${text}"`);
  return n;
}

/** One of a fixed set of words, e.g. `--lock ticket`. */
export function choiceFlag<T extends string>(flag: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) throw new ConfigError(`--${flag}: expected one of ${choices.join(', ')}, got "${text}"`);
  return text as T;
}

/** A comma-separated list of policies, e.g. `--policies naive,notify`; each at most once. */
export function policiesFlag(text: string | undefined): (typeof POLICY_KINDS)[number][] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => s.trim());
  const policies = items.map((item) => {
    if (!(POLICY_KINDS as readonly string[]).includes(item))
      throw new ConfigError(`--policies: expected a comma-separated list of ${POLICY_KINDS.join(', ')}, got "${text}"`);
    return item as (typeof POLICY_KINDS)[number];
  });
  const twice = policies.find((p, i) => policies.indexOf(p) !== i);
  if (twice) throw new ConfigError(`--policies: "${twice}" is listed twice`);
  return policies;
}

/** The override flags' values as typed `Overrides` (absent flags stay absent). */
export function overridesFrom(values: { readonly [K in keyof typeof OVERRIDE_OPTIONS | 'policy']?: string }): Overrides {
  const entries = {
    pcpus: integerFlag('pcpus', values.pcpus),
    vms: integerFlag('vms', values.vms),
    vcpus: integerFlag('vcpus', values.vcpus),
    lock: choiceFlag('lock', values.lock, LOCK_KINDS),
    policy: choiceFlag('policy', values.policy, POLICY_KINDS),
    mode: choiceFlag('mode', values.mode, MODES),
    sliceUs: integerFlag('slice-us', values['slice-us']),
    spinThreshold: integerFlag('spin-threshold', values['spin-threshold']),
    durationMs: integerFlag('duration-ms', values['duration-ms']),
    seed: integerFlag('seed', values.seed),
    engine: choiceFlag('engine', values.engine, ENGINES),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Overrides;
}

/** At most one positional argument, the scenario. */
export function scenarioArgument(command: string, positionals: readonly string[]): string | undefined {
  if (positionals.length > 1) throw new ConfigError(`${positionals[1]}: unexpected argument (spinvisor ${command} takes one scenario)`);
  return positionals[0];
}
