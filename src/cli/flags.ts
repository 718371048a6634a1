/**
 * The flags only `spinvisor`'s own commands take: `--json`, `--policies` and the one scenario
 * argument. Flag parsing itself, and the scenario override flags that `npm run profile` shares,
 * live in src/io.
 */
import { ConfigError, POLICY_KINDS } from '../config/schema.js';
import type { Options } from '../io/flags.js';

export const JSON_OPTION = { json: { type: 'string' } } as const satisfies Options;

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

/** At most one positional argument, the scenario. */
export function scenarioArgument(command: string, positionals: readonly string[]): string | undefined {
  if (positionals.length > 1) throw new ConfigError(`${positionals[1]}: unexpected argument (spinvisor ${command} takes one scenario)`);
  return positionals[0];
}
