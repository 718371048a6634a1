/**
 * The scenario override flags (`--pcpus`, `--vms`, … `--engine`), shared by every program that
 * runs a scenario: `spinvisor run` and `compare`, and `npm run profile`, which checks them by
 * the same code before it starts `spinvisor run` under a profiler.
 */
import type { Overrides } from '../config/overrides.js';
import { ENGINES, LOCK_KINDS, MODES, REACTIONS, SCHEDULER_POLICIES } from '../config/schema.js';
import { SYSTEM_NAMES } from '../config/systems.js';
import { choiceFlag, integerFlag, policyFlag, type Options } from './flags.js';

/** The scenario overrides `run` and `compare` accept (compare picks policies with --policies instead of --policy). */
export const OVERRIDE_OPTIONS = {
  system: { type: 'string' },
  pcpus: { type: 'string' },
  vms: { type: 'string' },
  vcpus: { type: 'string' },
  lock: { type: 'string' },
  mode: { type: 'string' },
  'slice-us': { type: 'string' },
  scheduler: { type: 'string' },
  ple: { type: 'string' },
  reaction: { type: 'string' },
  boost: { type: 'string' },
  'cosched-skew-us': { type: 'string' },
  'spin-threshold': { type: 'string' },
  'halt-threshold': { type: 'string' },
  'extension-us': { type: 'string' },
  'duration-ms': { type: 'string' },
  seed: { type: 'string' },
  engine: { type: 'string' },
} as const satisfies Options;

export const POLICY_OPTION = { policy: { type: 'string' } } as const satisfies Options;

/** `on` or `off` as a boolean (absent: undefined). */
function onOffFlag(flag: string, text: string | undefined): boolean | undefined {
  const choice = choiceFlag(flag, text, ['on', 'off'] as const);
  return choice === undefined ? undefined : choice === 'on';
}

/** The override flags' values as typed `Overrides` (absent flags stay absent). */
export function overridesFrom(values: Readonly<Partial<Record<keyof typeof OVERRIDE_OPTIONS | 'policy', string>>>): Overrides {
  const entries = {
    system: choiceFlag('system', values.system, SYSTEM_NAMES),
    pcpus: integerFlag('pcpus', values.pcpus),
    vms: integerFlag('vms', values.vms),
    vcpus: integerFlag('vcpus', values.vcpus),
    lock: choiceFlag('lock', values.lock, LOCK_KINDS),
    policy: policyFlag('policy', values.policy),
    mode: choiceFlag('mode', values.mode, MODES),
    sliceUs: integerFlag('slice-us', values['slice-us']),
    scheduler: choiceFlag('scheduler', values.scheduler, SCHEDULER_POLICIES),
    ple: onOffFlag('ple', values.ple),
    reaction: choiceFlag('reaction', values.reaction, REACTIONS),
    boost: onOffFlag('boost', values.boost),
    coschedSkewUs: integerFlag('cosched-skew-us', values['cosched-skew-us']),
    spinThreshold: integerFlag('spin-threshold', values['spin-threshold']),
    haltThreshold: integerFlag('halt-threshold', values['halt-threshold']),
    extensionUs: integerFlag('extension-us', values['extension-us']),
    durationMs: integerFlag('duration-ms', values['duration-ms']),
    seed: integerFlag('seed', values.seed),
    engine: choiceFlag('engine', values.engine, ENGINES),
  };
  return Object.fromEntries(Object.entries(entries).filter(([, v]) => v !== undefined)) as Overrides;
}
