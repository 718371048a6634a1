/**
 * Command-line flags for every program of the package (`spinvisor`, `npm run bench`,
 * `npm run profile`): `node:util` parseArgs in strict mode, with its errors turned into
 * one-line `ConfigError`s that name the flag, and typed readers for integer and one-of flags
 * (ranges are the caller's or the schema's job).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { policySpecProblem } from '../config/policy-spec.js';
import { quoted, shown } from '../config/config-error.js';
import { ConfigError, type PolicySpec } from '../config/schema.js';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const satisfies Options;

export interface ParsedFlags<T extends Options> {
  readonly values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : T[K] extends { multiple: true } ? string[] : string };
  readonly positionals: string[];
}

/**
 * parseArgs, strict, with any problem reported as `<flag>: <problem>`. `helpCommand` is what an
 * unknown flag's message sends the user to. A flag that takes one value and is given twice is
 * refused (parseArgs would keep the last silently, and `--pcpus 2 … --pcpus 64` is a mistake).
 */
export function parseFlags<T extends Options>(
  command: string,
  args: readonly string[],
  options: T,
  helpCommand = `spinvisor ${command} --help`,
): ParsedFlags<T> {
  let parsed;
  try {
    parsed = parseArgs({ args: [...args], options, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    throw new ConfigError(describeParseError(helpCommand, error));
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens) {
    if (token.kind !== 'option' || options[token.name]?.multiple === true) continue;
    if (seen.has(token.name)) throw new ConfigError(`--${token.name}: given more than once; give it once`);
    seen.add(token.name);
  }
  return { values: parsed.values as ParsedFlags<T>['values'], positionals: parsed.positionals };
}

function describeParseError(helpCommand: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const flag = shown(/'(--?[^'\s<=]+)/.exec(message)?.[1] ?? 'arguments');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') return `${flag}: unknown flag (see ${helpCommand})`;
  if (message.includes('argument missing')) return `${flag}: expects a value`;
  if (message.includes('ambiguous')) return `${flag}: expects a value (write ${flag}=VALUE for a value that starts with "-")`;
  if (message.includes('does not take an argument')) return `${flag}: takes no value`;
  return message.split('\n')[0]!;
}

/** A whole number written in decimal: `--pcpus abc` and `--pcpus 1.5` are rejected here, ranges by the caller. */
export function integerFlag(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw new ConfigError(`--${flag}: expected an integer, got ${quoted(text)}`);
  return n;
}

/** One of a fixed set of words, e.g. `--lock ticket`. */
export function choiceFlag<T extends string>(flag: string, text: string | undefined, choices: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if (!(choices as readonly string[]).includes(text)) throw new ConfigError(`--${flag}: expected one of ${choices.join(', ')}, got ${quoted(text)}`);
  return text as T;
}

/** A spin-wait policy or a `+` combination of them, e.g. `--policy pv-halt+preempted-aware`. */
export function policyFlag(flag: string, text: string | undefined): PolicySpec | undefined {
  if (text === undefined) return undefined;
  const problem = policySpecProblem(text);
  if (problem !== undefined) throw new ConfigError(`--${flag}: ${problem}`);
  return text as PolicySpec;
}

/** A comma-separated list, each item checked by `item` (which throws naming `--flag`), none twice. */
export function listFlag<T extends string>(flag: string, text: string | undefined, item: (flag: string, text: string) => T | undefined): T[] | undefined {
  if (text === undefined) return undefined;
  const items = text.split(',').map((s) => item(flag, s.trim())!);
  const twice = items.find((p, i) => items.indexOf(p) !== i);
  if (twice !== undefined) throw new ConfigError(`--${flag}: ${quoted(twice)} is listed twice`);
  return items;
}
