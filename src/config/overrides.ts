/**
 * Command-line style overrides of a scenario: quick experiments without editing a file. They
 * are applied to the raw scenario object and only then validated, so an override out of range
 * is reported by the schema with the field it landed in (`pcpus: Too big: …`), exactly as the
 * same value in a file would be.
 */
import type { EngineKind, LockKind, Mode, PolicySpec, Reaction, SchedulerPolicy } from './schema.js';
import { checkNesting, ConfigError, MAX_VMS, parseScenario, toBareMetal, type Config } from './schema.js';
import { systemProfile, type SystemName } from './systems.js';

export interface Overrides {
  /** A named system's settings (src/config/systems.ts), applied before every other override, which win over it. */
  readonly system?: SystemName;
  readonly pcpus?: number;
  /** Replace the VMs with this many copies of the first VM, named `<name>`, `<name>-2`, `<name>-3`, … */
  readonly vms?: number;
  /** vCPUs of every VM. */
  readonly vcpus?: number;
  /** Lock algorithm of every VM. */
  readonly lock?: LockKind;
  /** Spin-wait policy (or `+` combination) of every VM. */
  readonly policy?: PolicySpec;
  /** Spins between two long-spin-wait notifications, for every VM (the notify policy's knob). */
  readonly spinThreshold?: number;
  /** Spins before a pv-halt waiter halts, for every VM (the pv-halt policy's knob). */
  readonly haltThreshold?: number;
  /** The slice extension a cs-hint VM is granted, in µs, for every VM. */
  readonly extensionUs?: number;
  /** `bare` turns the result into bare metal with `toBareMetal`, after the other overrides. */
  readonly mode?: Mode;
  readonly sliceUs?: number;
  /** The hypervisor scheduler policy (`scheduler.policy`). */
  readonly scheduler?: SchedulerPolicy;
  /** Pause-loop exiting on or off (`scheduler.ple`). */
  readonly ple?: boolean;
  /** What the hypervisor does with a detected spin (`scheduler.reaction`). */
  readonly reaction?: Reaction;
  /** Boosts of kicked vCPUs on or off (`scheduler.boost`). */
  readonly boost?: boolean;
  /** cosched: the skew that co-stops a vCPU, in µs (`scheduler.coschedSkewUs`). */
  readonly coschedSkewUs?: number;
  readonly engine?: EngineKind;
  readonly durationMs?: number;
  readonly seed?: number;
}

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Applies the overrides to a raw scenario and validates the result. A part of the scenario an
 * override cannot sensibly patch (say `vms` is not a list) is left as it is, for the schema to
 * name.
 *
 * Bare metal is derived, not patched: with `--mode bare`, or when a bare scenario's shape is
 * changed (`pcpus`, `vms`, `vcpus`), the scenario is validated as virtualized and then turned
 * into bare metal (its first VM's workload, one vCPU per pCPU, naive spinning). A bare file
 * with no shape override is validated as written.
 *
 * A system (`--system`) comes first: its fields are set on the scenario as read, then every
 * other override is applied on top, so an explicit flag wins over the system's setting. The
 * system also sets the mode (bare-metal: bare, any other: virtualized), so `--mode` with it is
 * refused rather than left to contradict it.
 */
export function applyOverrides(input: unknown, overrides: Overrides): Config {
  if (!isRecord(input)) return parseScenario(input);
  // Before the copy: structuredClone recurses, and a hostile input may nest without end.
  checkNesting(input);
  const scenario: Json = structuredClone(input);
  const { pcpus, vms, vcpus, lock, policy, spinThreshold, haltThreshold, extensionUs, sliceUs, durationMs, seed, engine, ple, reaction, boost, coschedSkewUs } =
    overrides;
  const schedulerPolicy = overrides.scheduler;
  const system = overrides.system === undefined ? undefined : systemProfile(overrides.system);
  if (system !== undefined && overrides.mode !== undefined)
    throw new ConfigError(`--mode: --system ${system.name} sets the mode (${system.mode}); drop --mode`);
  if (system?.mode === 'virtualized') {
    scenario.scheduler = patchObject(scenario.scheduler, { ...system.host });
    if (Array.isArray(scenario.vms)) scenario.vms = scenario.vms.map((vm) => patchVm(vm, system.guest));
  }
  const mode = overrides.mode ?? system?.mode;
  if (pcpus !== undefined) scenario.pcpus = pcpus;
  if (durationMs !== undefined) scenario.durationMs = durationMs;
  if (seed !== undefined) scenario.seed = seed;
  if (engine !== undefined) scenario.engine = engine;
  const scheduler: Json = {};
  if (schedulerPolicy !== undefined) scheduler.policy = schedulerPolicy;
  if (sliceUs !== undefined) scheduler.sliceUs = sliceUs;
  if (ple !== undefined) scheduler.ple = ple;
  if (reaction !== undefined) scheduler.reaction = reaction;
  if (boost !== undefined) scheduler.boost = boost;
  if (coschedSkewUs !== undefined) scheduler.coschedSkewUs = coschedSkewUs;
  if (Object.keys(scheduler).length > 0) scenario.scheduler = patchObject(scenario.scheduler, scheduler);
  if (Array.isArray(scenario.vms)) {
    const list: unknown[] = vms !== undefined && scenario.vms.length > 0 ? copiesOf(scenario.vms[0], vms) : scenario.vms;
    scenario.vms = list.map((vm) => patchVm(vm, { vcpus, lock, policy, spinThreshold, haltThreshold, extensionUs }));
  }

  const reshaped = pcpus !== undefined || vms !== undefined || vcpus !== undefined;
  const bare = mode === 'bare' || (mode === undefined && scenario.mode === 'bare' && reshaped);
  if (mode !== undefined) scenario.mode = mode;
  if (!bare) return parseScenario(scenario);
  scenario.mode = 'virtualized';
  return toBareMetal(parseScenario(scenario));
}

/** `count` copies of `first` (at most one past the schema's limit, so a huge count is reported, not built). */
function copiesOf(first: unknown, count: number): unknown[] {
  const n = Math.max(0, Math.min(count, MAX_VMS + 1));
  return Array.from({ length: n }, (_, i) => {
    const copy = structuredClone(first);
    if (i > 0 && isRecord(copy) && typeof copy.name === 'string') copy.name = numberedName(copy.name, i + 1);
    return copy;
  });
}

/** `<name>-<n>`, shortening the name if needed so the result stays within the 32 characters a name may have. */
function numberedName(name: string, n: number): string {
  const suffix = `-${n}`;
  return name.slice(0, 32 - suffix.length) + suffix;
}

interface VmPatch {
  vcpus?: number;
  lock?: LockKind;
  policy?: PolicySpec;
  spinThreshold?: number;
  haltThreshold?: number;
  extensionUs?: number;
}

function patchVm(vm: unknown, patch: VmPatch): unknown {
  if (!isRecord(vm)) return vm;
  const out: Json = { ...vm };
  if (patch.vcpus !== undefined) out.vcpus = patch.vcpus;
  if (patch.policy !== undefined) out.policy = patch.policy;
  if (patch.spinThreshold !== undefined) out.spinThreshold = patch.spinThreshold;
  if (patch.haltThreshold !== undefined) out.haltThreshold = patch.haltThreshold;
  if (patch.extensionUs !== undefined) out.extensionUs = patch.extensionUs;
  if (patch.lock !== undefined) out.workload = patchObject(vm.workload, { lock: patch.lock });
  return out;
}

/** Merges `patch` into an optional sub-object; anything else is left for the schema to report. */
function patchObject(value: unknown, patch: Json): unknown {
  if (value === undefined) return { ...patch };
  if (isRecord(value)) return { ...value, ...patch };
  return value;
}
