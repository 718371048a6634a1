/**
 * The flags only `spinvisor`'s own commands take: `--json`, `--policies`, `--locks`, `--systems` and the one scenario
 * argument. Flag parsing itself, and the scenario override flags that `npm run profile` shares,
 * live in src/io.
 */
import { shown } from '../config/config-error.js';
import { ConfigError, LOCK_KINDS, type LockKind, type PolicySpec } from '../config/schema.js';
import { SYSTEM_NAMES, type SystemName } from '../config/systems.js';
import { choiceFlag, listFlag, policyFlag, type Options } from '../io/flags.js';

export const JSON_OPTION = { json: { type: 'string' } } as const satisfies Options;

/** A comma-separated list of policies or combinations, e.g. `--policies naive,pv-halt+preempted-aware`; each at most once. */
export function policiesFlag(text: string | undefined): PolicySpec[] | undefined {
  return listFlag('policies', text, policyFlag);
}

/** A comma-separated list of lock algorithms, e.g. `--locks ticket,qspinlock`; each at most once. */
export function locksFlag(text: string | undefined): LockKind[] | undefined {
  return listFlag('locks', text, (flag, item) => choiceFlag(flag, item, LOCK_KINDS));
}

/** A comma-separated list of named systems, e.g. `--systems bare-metal,kvm`; each at most once. */
export function systemsFlag(text: string | undefined): SystemName[] | undefined {
  return listFlag('systems', text, (flag, item) => choiceFlag(flag, item, SYSTEM_NAMES));
}

/** At most one positional argument, the scenario. */
export function scenarioArgument(command: string, positionals: readonly string[]): string | undefined {
  if (positionals.length > 1) throw new ConfigError(`${shown(positionals[1]!)}: unexpected argument (spinvisor ${command} takes one scenario)`);
  return positionals[0];
}
