/**
 * `npm run profile -- [scenario] [flags]`: the scenario and override flags of `spinvisor run`
 * (checked here, by the same code, before anything is started), plus where the profiles go
 * and how many functions to show per thread.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { isPresetName, loadScenario } from '../../src/config/load.js';
import { packageRoot } from '../../src/config/package-root.js';
import { DEFAULT_PRESET } from '../../src/config/presets.js';
import { ConfigError, type Config } from '../../src/config/schema.js';
import { HELP_OPTION, integerFlag, parseFlags } from '../../src/io/flags.js';
import { OVERRIDE_OPTIONS, POLICY_OPTION, overridesFrom } from '../../src/io/scenario-flags.js';

const HELP = `npm run profile -- [scenario] [flags]

Runs one scenario from dist/ twice, under \`node --cpu-prof\` and under \`node --prof\`, keeps
one profile per thread named after the thread's role (main, pcpu-0, pcpu-1, …), runs
\`node --prof-process\` on each --prof log and prints each thread's hottest functions.

The scenario and flags are those of \`spinvisor run\` (see spinvisor run --help):
  --pcpus N  --vms N  --vcpus N  --lock KIND  --policy POLICY  --mode MODE  --slice-us N
  --duration-ms N  --seed N  --engine ENGINE (virtual: every pCPU runs on the main thread)

Options:
  --out DIR   where the profiles go; created, and must be empty if it exists
              (default: profiles/<timestamp>-<scenario>/ in the package)
  --top N     functions shown per thread (default 10)
  -h, --help  this text`;

const OPTIONS = {
  ...HELP_OPTION,
  ...OVERRIDE_OPTIONS,
  ...POLICY_OPTION,
  out: { type: 'string' },
  top: { type: 'string' },
} as const;

export interface ProfileOptions {
  readonly spec: string;
  readonly config: Config;
  /** The arguments of `spinvisor run` that reproduce the scenario and its overrides. */
  readonly runArgs: readonly string[];
  readonly out: string;
  readonly top: number;
}

/** The options, or null when help was asked for (and printed). Throws `ConfigError` for bad input. */
export function parseProfileOptions(args: readonly string[], now = new Date()): ProfileOptions | null {
  const { values, positionals } = parseFlags('profile', args, OPTIONS, 'npm run profile -- --help');
  if (values.help) {
    console.log(HELP);
    return null;
  }
  if (positionals.length > 1) throw new ConfigError(`${positionals[1]}: unexpected argument (npm run profile takes one scenario)`);
  const spec = positionals[0] ?? DEFAULT_PRESET;
  const config = loadScenario(spec, overridesFrom(values));
  const top = integerFlag('top', values.top) ?? 10;
  if (top < 1 || top > 100) throw new ConfigError(`--top: expected an integer from 1 to 100, got ${top}`);

  // The child runs in this folder too, but a scenario file is passed as an absolute path all the same.
  const runArgs = [isPresetName(spec) ? spec : resolve(spec)];
  for (const flag of [...(Object.keys(OVERRIDE_OPTIONS) as (keyof typeof OVERRIDE_OPTIONS)[]), 'policy' as const]) {
    const value = values[flag];
    if (value !== undefined) runArgs.push(`--${flag}=${value}`);
  }
  const out = values.out === undefined ? defaultOut(spec, now) : checkOut(values.out);
  return { spec, config, runArgs, out, top };
}

function defaultOut(spec: string, now: Date): string {
  const stamp = now
    .toISOString()
    .replace(/\.\d+Z$/, '')
    .replaceAll(':', '')
    .replace('T', '-');
  const name = basename(spec)
    .replace(/\.json$/i, '')
    .replace(/[^A-Za-z0-9_.-]/g, '_');
  return join(packageRoot(), 'profiles', `${stamp}-${name}`);
}

function checkOut(dir: string): string {
  if (dir.trim() === '') throw new ConfigError('--out: expects a folder');
  const path = resolve(dir);
  if (existsSync(path)) {
    if (!statSync(path).isDirectory()) throw new ConfigError(`--out: "${dir}" is not a folder`);
    if (readdirSync(path).length > 0) throw new ConfigError(`--out: folder "${dir}" is not empty`);
  }
  return path;
}
