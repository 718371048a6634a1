/**
 * The scheduler registry: every hypervisor scheduler policy, by name, with the facts about it
 * that the layers below the hypervisor need, as Xen's `REGISTER_SCHEDULER` lists each
 * `struct scheduler`. The schema's enum and its help are built from it, the layout sizes the
 * policy's run-queue rings and its part of the sched region from it, the guest asks it whether
 * directed yields are taken, and the virtual engine whether the scheduler charges its own work.
 *
 * Why a registry here, and in two halves. A policy's per-pCPU instance is hypervisor code
 * (src/hv/schedulers/, layer 3), but its name is needed by the schema (layer 1) and its region
 * sizes by the layout (layer 2), and imports only go down (ARCHITECTURE.md section 2). So the
 * static half of each policy's descriptor (name, help, rings, sched-region lines, capabilities:
 * pure facts of the scenario's shape) lives in this one table, at the bottom, importing nothing;
 * the hypervisor half (Xen's `alloc_pdata`: build the per-pCPU instance; `init`/`alloc_domdata`:
 * the start state of its words) is exported by the policy's own file and listed by name in
 * src/hv/schedulers/index.ts, whose table the compiler checks has every name here and no other.
 * Each policy's file lays out its own words inside the sched region (as a lock file names its
 * use of `LOCK_WORD.a` and `b`); its entry here says how many lines they take, and
 * test/integration/schedulers.test.ts checks the two against each other.
 *
 * A new scheduler: its file in src/hv/schedulers/ (the `Scheduler`, and its `SchedulerOps`),
 * an entry here, a line in src/hv/schedulers/index.ts; plus its own schema fields and counters,
 * if it has any. No switch, in the layout, the engines, the core or the guest, names a policy.
 */

/** What a policy's region sizes depend on: the scenario's shape. */
interface MachineShape {
  readonly pcpus: number;
  readonly vcpus: number;
  readonly vms: number;
}

/** The static half of a scheduler's descriptor (see the header); read when a machine is laid out or a core built, never per step. */
export interface SchedulerTraits {
  /** The schema's help for the policy: what it is, after its name (`name`, help; …). */
  readonly help: string;
  /** Run-queue rings it needs (the layout's queue region; each policy numbers its own). */
  readonly rings: (shape: MachineShape) => number;
  /** Lines of the layout's sched region its own shared words take; `lines` rounds a byte count up to whole lines. */
  readonly schedLines: (shape: MachineShape, lines: (bytes: number) => number) => number;
  /**
   * Whether it takes a guest's directed yield to a named vCPU (KVM_HC_SCHED_YIELD); the
   * preempted-aware guest falls back to halting or a plain yield where it does not.
   */
  readonly acceptsDirectedYield: boolean;
  /**
   * Whether its instances charge the virtual engine's step for work of their own beyond the
   * step's kind (Platform.chargeStepNs); the engine adds such charges only when this is set.
   */
  readonly chargesStepTime: boolean;
}

const perPcpu = (shape: MachineShape): number => shape.pcpus;
const noLines = (): number => 0;
const oneLine = (): number => 1;

/** Every policy, in the order the schema, the help and the JSON Schema list them; `rr` is the schema's default. */
export const SCHEDULERS = {
  rr: {
    help: 'lock-free round robin over per-pCPU run queues with work stealing',
    rings: perPcpu,
    schedLines: noLines,
    acceptsDirectedYield: true,
    chargesStepTime: false,
  },
  // A ring per priority per pCPU; the accounting epoch's line. Xen's credit has no yield-to (SCHEDOP_yield only).
  credit: {
    help: "Xen's credit scheduler (weights, credits earned every accounting period, UNDER before OVER, BOOST for a vCPU woken from a halt, a preemption rate limit; no directed yield; its time slice, Xen's tslice, is `sliceUs`: 30000 for Xen's default)",
    rings: (shape) => 3 * shape.pcpus,
    schedLines: oneLine,
    acceptsDirectedYield: false,
    chargesStepTime: false,
  },
  // A line per vCPU: its progress and co-stop mark.
  cosched: {
    help: "VMware ESX's relaxed co-scheduling over rr: a vCPU whose progress runs more than `coschedSkewUs` ahead of its slowest sibling is co-stopped until the laggards catch up (halted vCPUs count as progressing)",
    rings: perPcpu,
    schedLines: (shape) => shape.vcpus,
    acceptsDirectedYield: true,
    chargesStepTime: false,
  },
  // Per VM its sibling counts (an i32 per pCPU), then the running VM of each pCPU (as many).
  balance: {
    help: 'round robin that never queues two vCPUs of one VM on one pCPU when another pCPU can take one (Sukwong and Kim, EuroSys 2011)',
    rings: perPcpu,
    schedLines: (shape, lines) => lines(4 * shape.pcpus) * (shape.vms + 1),
    acceptsDirectedYield: true,
    chargesStepTime: false,
  },
  // One ring for the machine; the lock's line. The virtual engine's model of the lock charges its wait and hold to the step.
  'global-lock': {
    help: 'round robin over one run queue under one spinlock, the baseline that shows why the scheduler must be lock-free',
    rings: () => 1,
    schedLines: oneLine,
    acceptsDirectedYield: true,
    chargesStepTime: true,
  },
} satisfies Record<string, SchedulerTraits>;

export type SchedulerPolicy = keyof typeof SCHEDULERS;

/** The registry's names, in its order (the schema's enum). */
export const SCHEDULER_POLICIES = Object.keys(SCHEDULERS) as readonly SchedulerPolicy[] as readonly [SchedulerPolicy, ...SchedulerPolicy[]];

/** The schema's help for `scheduler.policy`: every policy's name and help, in the registry's order. */
export const SCHEDULER_POLICY_HELP = `The hypervisor scheduler policy: ${SCHEDULER_POLICIES.map((name) => `\`${name}\`, ${SCHEDULERS[name].help}`).join('; ')}.`;

/** Whether `policy` takes a guest's directed yield to a named vCPU (see SchedulerTraits). */
export function acceptsDirectedYield(policy: SchedulerPolicy): boolean {
  return SCHEDULERS[policy].acceptsDirectedYield;
}
