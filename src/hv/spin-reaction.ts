/**
 * What the hypervisor does with a detected spin: a PLE exit (hv/ple.ts) or a guest's
 * NotifyLongSpinWait. One reaction per machine, `scheduler.reaction`; the core carries it out
 * (core/host/spin-reaction.ts, one class per reaction), the scheduler picks who runs.
 *
 *   yield           run the next runnable vCPU; the spinner stays runnable (Xen: the PLE exit
 *                   handler calls vcpu_yield, xen/arch/x86/hvm/vmx/vmx.c
 *                   EXIT_REASON_PAUSE_INSTRUCTION; Hyper-V's reaction to the notification).
 *                   Nobody else runnable: the spinner goes on.
 *   directed-yield  KVM's kvm_vcpu_on_spin (virt/kvm/kvm_main.c, Linux 2.6.39+, Rik van Riel's
 *                   "use yield_to instead of sleep"): from the VM's last boosted vCPU, round
 *                   robin over the spinner's siblings, for one that is `ready` (runnable, not
 *                   running: preempted, or woken and not yet run); skip the spinner itself, a
 *                   halted vCPU (one with a kick pending is never halted here: the kick made it
 *                   runnable), and every other time one that is in a spin loop itself
 *                   (kvm_vcpu_eligible_for_directed_yield: in_spin_loop && !dy_eligible, and the
 *                   look toggles dy_eligible); give up after 3 failed yields (a candidate
 *                   claimed by another pCPU first). The target runs for the rest of the
 *                   spinner's slice (yield_to). No candidate: the spinner goes on (KVM has no
 *                   fallback to a plain yield). The scheduler's `yieldTo(vcpu, -1)` does the
 *                   search (hv/schedulers/round-robin-family.ts, sibling-search.ts).
 *   sleep           KVM's kvm_vcpu_on_spin before 2.6.39 (2.6.32-2.6.38): "Sleep for 100 us,
 *                   and hope lock-holder got scheduled", schedule_hrtimeout of 100000 ns in
 *                   TASK_INTERRUPTIBLE: the spinner leaves its pCPU and no pCPU may take it for
 *                   `spinSleepUs` (default 100), after which it is runnable again. Modelled as
 *                   a runnable, queued vCPU that no claim keeps while its sleep lasts
 *                   (`isAsleep`); an idle pCPU with a sleeper pending polls for it every
 *                   wake-up's worth of time (core/idle.ts `idle`) instead of sleeping,
 *                   since no engine timer would wake it. A kick does not cut the sleep short (pv kicks came later).
 *
 * The spin-loop word (VCPU_HV.spinLoop) is KVM's spin_loop.in_spin_loop and dy_eligible: the
 * spinner sets it when its directed yield starts (kvm_vcpu_set_in_spin_loop(me, true)); it is
 * cleared when the spinner runs again (the end of kvm_vcpu_on_spin comes after yield_to's
 * schedule() returns: in_spin_loop false, dy_eligible false), or at once when nobody was found.
 */
import type { SharedMemory } from '../shm/memory.js';
import { VCPU_HV, VCPU_TIME } from '../shm/layout.js';

/** VCPU_HV.spinLoop values: in_spin_loop and dy_eligible in one word. */
export const SPIN_LOOP = {
  /** Not in a spin loop: always eligible for a directed yield. */
  NONE: 0,
  /** In a spin loop, dy_eligible false: passed over (and made eligible for the next look). */
  PASSED: 1,
  /** In a spin loop, dy_eligible true: eligible (and passed over at the next look). */
  ELIGIBLE: 2,
} as const;

/** The owner: its spin reaction's directed yield starts (in_spin_loop true, dy_eligible false). */
export function enterSpinLoop(memory: SharedMemory, hvBase: number): void {
  memory.store(memory.i32, hvBase + VCPU_HV.spinLoop, SPIN_LOOP.PASSED);
}

/** The owner: its kvm_vcpu_on_spin is over (in_spin_loop and dy_eligible false). */
export function leaveSpinLoop(memory: SharedMemory, hvBase: number): void {
  if (memory.load(memory.i32, hvBase + VCPU_HV.spinLoop) !== SPIN_LOOP.NONE) memory.store(memory.i32, hvBase + VCPU_HV.spinLoop, SPIN_LOOP.NONE);
}

/**
 * KVM's kvm_vcpu_eligible_for_directed_yield, by another pCPU looking at candidate `hvBase`:
 * eligible unless it is in a spin loop and was found eligible the last time; a candidate in a
 * spin loop has its dy_eligible toggled. A racy hint, as KVM's (a lost toggle is harmless).
 */
export function eligibleForDirectedYield(memory: SharedMemory, hvBase: number): boolean {
  const index = hvBase + VCPU_HV.spinLoop;
  const word = memory.load(memory.i32, index);
  if (word === SPIN_LOOP.NONE) return true;
  memory.compareExchange(memory.i32, index, word, word === SPIN_LOOP.ELIGIBLE ? SPIN_LOOP.PASSED : SPIN_LOOP.ELIGIBLE);
  return word === SPIN_LOOP.ELIGIBLE;
}

/** Whether the vCPU whose time scratch is at `timeBase` is asleep at `now` (the sleep reaction); read by whoever owns it. */
export function isAsleep(f64: Float64Array, timeBase: number, now: number): boolean {
  return f64[timeBase + VCPU_TIME.sleepUntil]! > now;
}
