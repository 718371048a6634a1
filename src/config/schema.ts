/**
 * The scenario schema: the one place where scenario fields, their ranges and their defaults
 * live. Everything downstream consumes the parsed, defaulted, frozen `Config`.
 *
 * Units live in names: `sliceUs`, `durationMs`, `outsideUnits` (guest work units, one unit is
 * one iteration of the guest's arithmetic work loop), `spinThreshold` (spin iterations).
 * Each field's help text is its `.describe()`, so that the JSON Schema written for editors
 * (write-json-schema.ts) carries it too.
 */
import { z } from 'zod';
import { ConfigError, quoted } from './config-error.js';
import { POLICY_KINDS, policySpecProblem, type PolicySpec } from './policy-spec.js';
import { SCHEDULER_POLICIES, SCHEDULER_POLICY_HELP } from './scheduler-registry.js';

export { ConfigError } from './config-error.js';

/** Largest machine the layout supports (the state word keeps the pCPU id in 12 bits). */
export const MAX_PCPUS = 256;
export const MAX_VCPUS_PER_VM = 1024;
export const MAX_TOTAL_VCPUS = 4096;
const MAX_LOCKS = 4096;
export const MAX_VMS = 64;

// The range before `.int()`: a number past the range is reported against the range (`<=256`),
// not against the largest safe integer that `.int()` also checks.
const count = (min: number, max: number) => z.number().min(min).max(max).int();

const distributionSchema = z
  .discriminatedUnion('kind', [
    z
      .object({ kind: z.literal('fixed'), value: z.number().min(0).max(1e9).int() })
      .strict()
      .describe('always `value`'),
    z
      .object({ kind: z.literal('uniform'), min: z.number().min(0).max(1e9).int(), max: z.number().min(0).max(1e9).int() })
      .strict()
      .refine((d) => d.min <= d.max, { message: 'min must not exceed max', path: ['min'] })
      .describe('a whole number from `min` to `max`, both included, equally likely'),
    z
      .object({ kind: z.literal('exponential'), mean: z.number().min(0).max(1e9) })
      .strict()
      .describe('exponentially distributed around `mean`, rounded to a whole number'),
  ])
  .describe('a length in guest work units, drawn afresh each time from a seeded per-vCPU random stream');
export type Distribution = z.infer<typeof distributionSchema>;

export const LOCK_KINDS = ['tas', 'ttas', 'ticket', 'mcs', 'qspinlock', 'unfair-queued', 'preemptable-ticket'] as const;
export type LockKind = (typeof LOCK_KINDS)[number];

export { POLICY_KINDS, type PolicyKind, type PolicySpec } from './policy-spec.js';

export { SCHEDULER_POLICIES, type SchedulerPolicy } from './scheduler-registry.js';

/** What the hypervisor does with a detected spin (a PLE exit or a NotifyLongSpinWait): see src/hv/spin-reaction.ts. */
export const REACTIONS = ['yield', 'directed-yield', 'sleep'] as const;
export type Reaction = (typeof REACTIONS)[number];

export const MODES = ['virtualized', 'bare'] as const;
export type Mode = (typeof MODES)[number];

/** A policy name or `+` combination, checked by `policySpecProblem` with a one-line reason. */
const policySpecSchema = z
  .string()
  .max(200)
  .superRefine((spec, ctx) => {
    const problem = policySpecProblem(spec);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
  })
  .meta({ pattern: `^(${POLICY_KINDS.join('|')})(\\+(${POLICY_KINDS.join('|')}))*$` }) as z.ZodType<PolicySpec, string>;

const workloadSchema = z
  .object({
    outsideUnits: distributionSchema.default({ kind: 'exponential', mean: 2000 }).describe('Guest work between critical sections, in work units.'),
    insideUnits: distributionSchema.default({ kind: 'fixed', value: 200 }).describe('Guest work inside a critical section, in work units.'),
    locks: count(1, MAX_LOCKS).default(16).describe('Number of guest locks in the VM.'),
    lockChoice: z
      .enum(['uniform', 'skewed'])
      .default('uniform')
      .describe('How a vCPU picks the lock for its next critical section: `uniform` over all locks, or `skewed` towards lock 0.'),
    hotLockFraction: z.number().min(0).max(1).default(0.9).describe('With `skewed`: the probability of picking lock 0, the hot lock.'),
    lock: z
      .enum(LOCK_KINDS)
      .default('ticket')
      .describe(
        "Lock algorithm used for every guest lock of the VM: `tas`, `ttas` (with exponential backoff), `ticket`, `mcs`, `qspinlock` (Linux's queued spinlock: a pending bit for the first contender, then an MCS queue; with `pv-halt` its queued waiters and queue head halt and the unlocker kicks the head), `unfair-queued` (the qspinlock with Linux's paravirtual lock stealing: an arriving vCPU may take the lock past the queue while the queue head is not spinning), `preemptable-ticket` (a ticket lock whose waiter, after a timeout proportional to its place in line, may take the free lock out of turn; Ouyang and Lange, VEE 2013).",
      ),
  })
  .strict();
export type Workload = z.infer<typeof workloadSchema>;

const vmSchema = z
  .object({
    name: z
      .string()
      .min(1)
      .max(32)
      .regex(/^[A-Za-z0-9_.-]+$/, 'use letters, digits, "_", "." or "-"')
      .describe("The VM's name in tables and results; unique within the scenario."),
    vcpus: count(1, MAX_VCPUS_PER_VM).describe('Number of virtual CPUs of the VM.'),
    weight: count(1, 65535)
      .default(256)
      .describe('Relative share of pCPU time (Xen credit scheduler default: 256). Recorded; fair share arrives with the fair-share scheduler.'),
    workload: workloadSchema
      .default(workloadSchema.parse({}))
      .describe('The synthetic program every vCPU of the VM runs: work outside a lock, acquire, work inside, release, again.'),
    policy: policySpecSchema
      .default('naive')
      .describe(
        "How a waiting vCPU spins: `naive` spins until the lock is its own; `notify` is Hyper-V's long-spin-wait notification; `pv-halt` is the Linux paravirtual spinlock's slow path (spin, then halt until the unlocker kicks); `preempted-aware` stops spinning on a waiter whose wait target the hypervisor reports preempted (KVM's steal-time `preempted` flag, Linux's vcpu_is_preempted); `cs-hint` marks critical sections so the scheduler delays a preemption once (time-slice extension). Combine with `+`, e.g. `pv-halt+preempted-aware`.",
      ),
    spinThreshold: z
      .number()
      .min(1)
      .max(0xffffffff)
      .int()
      .default(4095)
      .describe("`notify`: spin iterations between two NotifyLongSpinWait hypercalls. Hyper-V's default is 0xFFF (4095); 0xFFFFFFFF means never notify."),
    haltThreshold: z
      .number()
      .min(1)
      .max(0x7fffffff)
      .int()
      .default(32768)
      .describe(
        "`pv-halt`: spin iterations before a waiter halts its vCPU until kicked. Linux's SPIN_THRESHOLD (1 << 15, arch/x86/include/asm/spinlock.h), which kernel/locking/qspinlock_paravirt.h spins before pv_wait.",
      ),
    extensionUs: count(1, 1_000_000)
      .default(50)
      .describe(
        "`cs-hint`: the bounded extension of a slice the scheduler grants a vCPU that marked itself inside a critical section, in µs, at most once per critical section (the Linux time-slice extension's default, 50 µs).",
      ),
  })
  .strict()
  .describe('One virtual machine.');
export type VmConfig = z.infer<typeof vmSchema>;

const schedulerSchema = z
  .object({
    policy: z.enum(SCHEDULER_POLICIES).default('rr').describe(SCHEDULER_POLICY_HELP),
    sliceUs: count(10, 10_000_000)
      .default(10_000)
      .describe('Time slice of a vCPU on a pCPU, in µs. 10 ms sits between Linux CFS (~3-6 ms) and Xen credit (30 ms).'),
    reaction: z
      .enum(REACTIONS)
      .default('yield')
      .describe(
        "What the hypervisor does with a detected spin (a PLE exit, or a guest's NotifyLongSpinWait): `yield` runs the next runnable vCPU (Xen's vcpu_yield); `directed-yield` hands the pCPU to a runnable sibling of the spinner's VM, round robin from the VM's last boosted vCPU, passing over every other time one in a spin loop itself, at most 3 failed tries, else the spinner goes on (KVM's kvm_vcpu_on_spin, Linux 2.6.39+); `sleep` takes the spinner off every pCPU for `spinSleepUs` (KVM's kvm_vcpu_on_spin before 2.6.39).",
      ),
    spinSleepUs: count(1, 1_000_000)
      .default(100)
      .describe(
        '`sleep`: how long a spinner sleeps, in µs, before it is runnable again (KVM 2.6.32-2.6.38 kvm_vcpu_on_spin: schedule_hrtimeout of 100000 ns, "Sleep for 100 us, and hope lock-holder got scheduled").',
      ),
    ple: z
      .boolean()
      .default(false)
      .describe(
        "Pause-loop exiting (Intel VT-x PLE, KVM arch/x86/kvm/vmx/vmx.c): the hardware watches every spin loop of a vCPU and forces a VM exit when one lasts longer than the vCPU's window; the exit grows the window and runs the `reaction`. Applies to every guest policy, notify included.",
      ),
    pleGapCycles: z
      .number()
      .min(0)
      .max(0xffffffff)
      .int()
      .default(128)
      .describe(
        "PLE: two PAUSEs further apart than this, in cycles, start a new loop (KVM's ple_gap, 128). A spin iteration is 90 cycles here (src/hv/ple.ts), so a gap below 90 means no loop ever forms.",
      ),
    pleWindowCycles: z
      .number()
      .min(1)
      .max(0xffffffff)
      .int()
      .default(4096)
      .describe("PLE: the base window, in cycles: a loop longer than the vCPU's window exits (KVM's ple_window, 4096; 90 cycles per spin: 46 spins)."),
    pleWindowGrow: z
      .number()
      .min(0)
      .max(0xffffffff)
      .int()
      .default(2)
      .describe(
        "PLE: each exit multiplies the vCPU's window by this while it is below the base window, else adds it; 0 keeps the base; at most pleWindowMax (KVM's ple_window_grow, 2).",
      ),
    pleWindowShrink: z
      .number()
      .min(0)
      .max(0xffffffff)
      .int()
      .default(0)
      .describe(
        "PLE: at each schedule-in the vCPU's window is divided by this while it is below the base window, else reduced by it, never below the base; 0 resets it to the base (KVM's ple_window_shrink, 0).",
      ),
    pleWindowMax: z
      .number()
      .min(1)
      .max(0xffffffff)
      .int()
      .default(0xffffffff)
      .describe("PLE: the largest window, in cycles (KVM's ple_window_max, UINT_MAX: KVM_VMX_DEFAULT_PLE_WINDOW_MAX)."),
    boost: z
      .boolean()
      .default(false)
      .describe(
        'Boost of a kicked vCPU (KVM, Linux 5.3: kvm_vcpu_wake_up marks the woken vCPU `ready`, and KVM_HC_KICK_CPU yields to the kicked vCPU, "Boost queue head vCPU"): a vCPU woken by a kick is tried first by a directed yield until it runs, and the kicker yields its pCPU to the vCPU it kicked.',
      ),
    creditPeriodUs: count(1000, 500_000)
      .default(30_000)
      .describe(
        "`credit`: the accounting period, in µs: each period every active vCPU earns its weight's share of the pCPUs' time as credit, and a BOOST lasts at most a third of it (one tick). Xen: csched_acct every tslice, 30 ms (CSCHED_DEFAULT_TSLICE_MS), in 3 ticks of 10 ms (CSCHED_TICKS_PER_TSLICE).",
      ),
    coschedSkewUs: count(10, 1_000_000)
      .default(3000)
      .describe(
        "`cosched`: the skew, in µs, by which a vCPU's progress (its time running or halted) may lead its VM's slowest vCPU before it is co-stopped; a co-stopped vCPU is co-started when its lead is back within it. VMware documents the mechanism (ESX 3 and 4: skew tracked per vCPU, idle vCPUs count as progressing, only the leaders co-stopped) but publishes no threshold; 3000 (3 ms, a third of the default slice) is this simulator's choice.",
      ),
    ratelimitUs: count(10, 100_000)
      .default(1000)
      .describe(
        "`credit`: the least a vCPU runs before a waiting vCPU of higher priority (BOOST, or UNDER over an OVER one) preempts it, in µs, capped at the slice (Xen's sched_ratelimit_us, default 1000).",
      ),
  })
  .strict();
export type SchedulerConfig = z.infer<typeof schedulerSchema>;

export const ENGINES = ['threads', 'virtual'] as const;
export type EngineKind = (typeof ENGINES)[number];

/**
 * The virtual engine's cost model, in virtual ns: what each kind of step costs. Calibrated from
 * the threads engine on the 2-core development machine (AMD EPYC KVM guest, Node 20): see
 * docs/scenarios.md, "The virtual engine's cost model", for how. Override any of them in a scenario's `virtualCosts`;
 * the engine rounds them to 1/1024 ns so that virtual times add up exactly.
 */
const virtualCostsSchema = z
  .object({
    workUnitNs: z
      .number()
      .positive()
      .max(1e6)
      .default(1.75)
      .describe('One guest work unit. Threads runs: (run time - spin time) / work units = 1.72-1.79 ns; a plain loop alone 1.62 ns (bench/micro).'),
    atomicNs: z
      .number()
      .positive()
      .max(1e6)
      .default(10)
      .describe('One lock step that is not a spin (an uncontended atomic operation). bench/micro: tas acquire+release, 2 atomics, 21.9 ns.'),
    spinNs: z
      .number()
      .positive()
      .max(1e6)
      .default(30)
      .describe('One spin iteration: a poll of a lock word another pCPU writes. Threads runs: spin time / spins = 23-36 ns.'),
    switchNs: z
      .number()
      .positive()
      .max(1e9)
      .default(2000)
      .describe(
        'A vCPU switch (pick, claim, save, restore, requeue). Threads runs: median 1.6-2 µs between two pCPU threads (144 ns on one thread, bench/micro).',
      ),
    exitNs: z
      .number()
      .positive()
      .max(1e9)
      .default(200)
      .describe('A hypercall exit handled without a switch: the step ends and the next reads the clock (two clock reads, ~100 ns each here).'),
    wakeNs: z
      .number()
      .positive()
      .max(1e9)
      .default(8000)
      .describe('Waking an idle pCPU: an Atomics.notify to Atomics.wait hand-over costs ~8 µs on the 2-core development machine (Node 20).'),
    stepBudget: z
      .number()
      .min(64)
      .max(1_000_000)
      .int()
      .default(1024)
      .describe(
        'Cost units of private work one virtual step may hold (a work unit is 1): smaller interleaves work finer, larger runs faster. Lock steps always open a step of their own.',
      ),
  })
  .strict();
export type VirtualCosts = z.infer<typeof virtualCostsSchema>;

export const scenarioSchema = z
  .object({
    /** Lets a scenario file name its JSON Schema for editors; ignored by the simulator. */
    $schema: z.string().max(1000).optional().describe('Path or URL of this JSON Schema, for editors; ignored by the simulator.'),
    description: z.string().max(500).default('').describe('Free text shown by `spinvisor presets`.'),
    pcpus: count(1, MAX_PCPUS).default(2).describe('Number of physical CPUs; each is a worker thread.'),
    vms: z
      .array(vmSchema)
      .min(1)
      .max(MAX_VMS)
      .describe(`The virtual machines: at least one, at most ${MAX_VMS}, with at most ${MAX_TOTAL_VCPUS} vCPUs in all.`),
    scheduler: schedulerSchema.default(schedulerSchema.parse({})).describe('The hypervisor scheduler.'),
    durationMs: count(1, 3_600_000).default(2000).describe('Length of the run, in ms of wall-clock time.'),
    seed: z.number().min(0).max(0xffffffff).int().default(1).describe('Seed of the per-vCPU random streams that draw work lengths and lock choices.'),
    mode: z
      .enum(MODES)
      .default('virtualized')
      .describe(
        '`virtualized`: vCPUs time-sliced onto pCPUs by the hypervisor. `bare`: one vCPU bound to each pCPU, no slices, no hypervisor: the physical machine.',
      ),
    engine: z
      .enum(ENGINES)
      .default('threads')
      .describe(
        '`threads`: every pCPU is a worker thread and time is the real clock. `virtual`: one thread advances every pCPU in virtual time; same seed, same result.',
      ),
    virtualCosts: virtualCostsSchema.default(virtualCostsSchema.parse({})).describe("The virtual engine's cost model, in virtual ns."),
  })
  .strict()
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    let total = 0;
    s.vms.forEach((vm, i) => {
      if (names.has(vm.name)) ctx.addIssue({ code: 'custom', path: ['vms', i, 'name'], message: `duplicate VM name "${vm.name}"` });
      names.add(vm.name);
      total += vm.vcpus;
    });
    if (total > MAX_TOTAL_VCPUS) ctx.addIssue({ code: 'custom', path: ['vms'], message: `${total} vCPUs in all; at most ${MAX_TOTAL_VCPUS}` });
    if (s.mode === 'bare') {
      if (s.vms.length !== 1) ctx.addIssue({ code: 'custom', path: ['vms'], message: 'bare mode runs exactly one guest (one vCPU per pCPU)' });
      else if (s.vms[0]!.vcpus !== s.pcpus)
        ctx.addIssue({ code: 'custom', path: ['vms', 0, 'vcpus'], message: `bare mode binds one vCPU to each pCPU: must equal pcpus (${s.pcpus})` });
    }
  });

/** What a scenario file may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioSchema>;
/** A validated, fully defaulted scenario. */
export type Config = Readonly<z.infer<typeof scenarioSchema>>;

/** A field name written as is in a path; any other key (an unknown one, say) is quoted: `x["a b"]`. */
const PLAIN_KEY = /^[A-Za-z_$][\w$]{0,59}$/;

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    const key = String(part);
    if (typeof part === 'number') out += `[${part}]`;
    else if (!PLAIN_KEY.test(key)) out += `[${quoted(key)}]`;
    else out += out === '' ? key : `.${key}`;
  }
  return out === '' || out.startsWith('[') ? `scenario${out}` : out;
}

/**
 * The deepest a scenario nests objects and lists. A valid one needs 5 (the scenario, `vms`, a
 * VM, its `workload`, a distribution); the limit refuses a hostile input before anything walks
 * it recursively (`structuredClone` runs out of stack near 10,000 levels).
 */
export const MAX_NESTING = 16;

/** `ConfigError` naming the first place where `input` nests deeper than MAX_NESTING; walks without recursion. */
export function checkNesting(input: unknown): void {
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value: input, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (path.length >= MAX_NESTING) throw new ConfigError(`${formatPath(path)}: nested more than ${MAX_NESTING} levels deep (a scenario needs at most 5)`);
    const isList = Array.isArray(value);
    for (const [key, child] of Object.entries(value)) stack.push({ value: child, path: [...path, isList ? Number(key) : key] });
  }
}

/** The first problem of a failed parse, as one line: `<path>: <problem>`. */
function describeIssue(issue: z.core.$ZodIssue): string {
  // zod lists every unknown key, each as written: name a few, quoted, and count the rest.
  if (issue.code === 'unrecognized_keys') {
    const shown = issue.keys.slice(0, 3).map(quoted).join(', ');
    const more = issue.keys.length > 3 ? ` and ${issue.keys.length - 3} more` : '';
    return `${formatPath(issue.path)}: Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${shown}${more}`;
  }
  return `${formatPath(issue.path)}: ${issue.message}`;
}

/** Validates and defaults a scenario; throws `ConfigError` with the first problem found. */
export function parseScenario(input: unknown): Config {
  checkNesting(input);
  const result = scenarioSchema.safeParse(input);
  if (!result.success) throw new ConfigError(describeIssue(result.error.issues[0]!));
  return deepFreeze(result.data);
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

/** The scenario turned into bare metal: its first VM's workload, one vCPU per pCPU, naive spinning (no hypervisor to notify). */
export function toBareMetal(config: Config): Config {
  const first = config.vms[0]!;
  return parseScenario({
    ...structuredClone(config),
    mode: 'bare',
    vms: [{ ...structuredClone(first), name: 'bare', vcpus: config.pcpus, policy: 'naive' }],
  });
}
