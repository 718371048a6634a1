/**
 * The scheduler interface: what the core asks of a hypervisor scheduler policy, modelled on
 * Xen's `struct sched_ops` (xen/common/sched/private.h: `.pick_resched`/`do_schedule`,
 * `.sleep`, `.wake`, `.yield`, `.context_saved`). One policy per file in hv/schedulers/, chosen
 * by the scenario and built by `createScheduler` from the policy's `SchedulerOps` (below).
 *
 * One instance per pCPU, driven only by that pCPU's core (like Xen's per-CPU scheduler data);
 * the instances of a machine share the run queues and vCPU state words in the buffer, which
 * change only by compare-and-swap, so a policy is lock-free unless it is the global-lock
 * baseline. Slice bookkeeping lives here, not in the core: when the running vCPU's slice ends,
 * the first slice's stagger, and a directed yield's donation of the rest of a slice.
 *
 * Contract:
 *   - `pickNext`, `sliceExpired`, `yield` and `yieldTo` return a vCPU already claimed (RUNNING
 *     on this pCPU) or -1; the core then switches it in and calls `sliceStarted`.
 *   - `deschedule` takes the running vCPU back (after the core has done its accounting) and
 *     makes it findable again, or halts it; a halted vCPU is in no run queue and is never
 *     picked until `kick` wakes it.
 *   - Every runnable vCPU has exactly one live run-queue entry or is being woken; no vCPU is
 *     ever on two pCPUs (hv/vcpu-state.ts).
 */
import type { Machine } from '../shm/layout.js';
import type { Platform } from './platform.js';

/** Why the core takes a vCPU off its pCPU. */
export const DESCHEDULE = {
  /** Its slice ended and someone else runs. */
  SLICE_END: 0,
  /** It gave the pCPU up (a yield, a directed yield, a NotifyLongSpinWait reaction). */
  YIELD: 1,
  /** A conditional halt: it sleeps until kicked. */
  HALT: 2,
  /** The run ended. */
  STOP: 3,
} as const;

/** What `deschedule` did. */
export const DESCHEDULED = {
  /** Runnable and findable again (or halted, for a HALT). */
  DONE: 0,
  /** A HALT found a kick pending: the vCPU is runnable and queued instead of halted. */
  KICKED: 1,
  /** The vCPU was not running on this pCPU: a broken invariant, counted by the caller. */
  NOT_OWNER: 2,
} as const;

/** What `kick` found. */
export const KICK = {
  /** The target was halted: it is runnable now (and an idle pCPU woken, if one sleeps). */
  WOKEN: 0,
  /** The target was running: its next halt returns at once. */
  PENDING: 1,
  /** The target was runnable already: nothing to do. */
  NOT_HALTED: 2,
} as const;

/**
 * What `sliceExpired` returns besides a vCPU or -1: take the vCPU off and let the pCPU idle,
 * though nobody else is runnable (cosched's co-stop of a vCPU too far ahead of its siblings).
 */
export const SLICE_OFF = -2;

export interface Scheduler {
  /** Next vCPU for this pCPU, claimed, or -1 when there is none. */
  pickNext(now: number): number;
  /** A vCPU was put on this pCPU at `now`: its slice starts (or goes on, donated). */
  sliceStarted(vcpu: number, now: number): void;
  /** When the running vCPU's slice ends, in ns (Infinity: never). Read every step. */
  readonly sliceEnd: number;
  /**
   * `vcpu`'s slice ended at `now`: the vCPU to switch to, claimed, or -1 to let `vcpu` go on
   * (the scheduler has then given it a new slice), or SLICE_OFF to take it off all the same.
   */
  sliceExpired(vcpu: number, now: number): number;
  /** The core takes `vcpu` off this pCPU for `reason` (DESCHEDULE), after it ran `ranNs`; returns a DESCHEDULED code. */
  deschedule(vcpu: number, reason: number, ranNs: number, now: number): number;
  /** `vcpu` yields: the vCPU to run instead, claimed, or -1 (nobody else: it goes on). */
  yield(vcpu: number, now: number): number;
  /**
   * Directed yield from `vcpu` to `target` (-1: the scheduler picks a candidate among its VM's
   * preempted siblings, as KVM's kvm_vcpu_on_spin does): the vCPU to run instead, claimed, or
   * -1. The target runs for the rest of the yielder's slice.
   */
  yieldTo(vcpu: number, target: number, now: number): number;
  /** Wakes `target` (a kick): a KICK code. A woken vCPU is runnable and findable, and an idle pCPU is woken if one sleeps. */
  kick(target: number, now: number): number;
  /**
   * Whether a runnable vCPU is held back until a time no engine keeps a timer for (a co-stop):
   * an idle pCPU then looks again a while later instead of sleeping (core/idle.ts `idle`).
   */
  pendingHeldBack(now: number): boolean;
}

/**
 * The hypervisor half of a scheduler policy's descriptor (Xen's `struct scheduler`), exported
 * by the policy's file and registered by name in hv/schedulers/index.ts; the static half (its
 * name, run-queue rings, sched-region lines, capabilities) is its entry in
 * config/scheduler-registry.ts. Consulted when a machine starts and a core is built, never per step.
 */
export interface SchedulerOps {
  /** Xen's `alloc_pdata`: the policy's instance for `pcpu`, built once, by the thread that steps that pCPU. */
  create(machine: Machine, pcpu: number, platform: Platform): Scheduler;
  /**
   * Xen's `init`/`alloc_domdata`: the start state of the policy's words in the layout's sched
   * region, after initMachine has queued every vCPU; on the main thread, before any pCPU
   * thread sees the buffer. Absent: they start at zero.
   */
  initShared?(machine: Machine): void;
}
