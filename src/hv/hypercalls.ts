/**
 * The hypercalls a guest makes, owned by the hypervisor side: their codes, their arguments,
 * and the conditional halt's comparison. A spin-wait policy (guest/policies) answers a spin with
 * a code, the guest's unlock path asks for a kick; the core (core/hypercall-exit.ts) handles
 * each as a VM exit at the start of the next step, with the engine's fresh clock.
 *
 * A halt's arguments travel in the halting vCPU's hypervisor block (VCPU_HV), where the kicker
 * and the self-checks can read them; a kick's target is chosen and kicked within the unlocking
 * step (core/hypercall-exit.ts `kickWaiter`).
 */

export const HYPERCALL = {
  NONE: 0,
  /** Hyper-V's NotifyLongSpinWait: "I have spun a long time; run someone else". No argument. */
  NOTIFY_LONG_SPIN_WAIT: 1,
  /**
   * Conditional halt, Linux's `pv_wait(ptr, val)` (KVM: HLT with interrupts enabled; Xen:
   * SCHEDOP_poll): sleep unless the condition on the word already fails or a kick is pending.
   * Arguments: the vCPU's VCPU_HV.haltWord, haltValue, haltMode.
   */
  HALT: 2,
} as const;

/** How a conditional halt compares its word with its value. */
export const HALT_MODE = {
  /** Sleep while `*word === value` (Linux's `pv_wait(ptr, val)`). */
  WHILE_EQUAL: 0,
  /** Sleep until `*word === value` (the pv ticket lock's "until head == my ticket"). */
  UNTIL_EQUAL: 1,
} as const;

/** Whether a halt on `word` holding `current` should (still) sleep. */
export function haltConditionHolds(mode: number, current: number, value: number): boolean {
  return mode === HALT_MODE.WHILE_EQUAL ? current === value : current !== value;
}
