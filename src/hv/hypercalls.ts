/**
 * The hypercalls a guest makes, owned by the hypervisor side: their codes, their arguments,
 * and the conditional halt's comparison; and the pause-loop exit, which the hardware makes for
 * the guest and the core dispatches with them. A spin-wait policy (guest/policies) answers a
 * spin with a code, the guest's unlock path asks for a kick; the core (core/hypercall-exit.ts,
 * which hands each to its mechanism in core/host/) handles each as a VM exit at the start of the next step, with the engine's fresh clock.
 *
 * A halt's arguments travel in the halting vCPU's hypervisor block (VCPU_HV), where the kicker
 * and the self-checks can read them; a kick's target is chosen and kicked within the unlocking
 * step (core/host/halt-kick.ts `kickWaiter`).
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
  /**
   * Plain yield: "run someone else; I stay runnable" (Xen's SCHEDOP_yield, Linux's sched_yield
   * for a vCPU). The cs-hint guest gives back a slice extension with it. No argument.
   */
  YIELD: 3,
  /**
   * Directed yield to a given vCPU (KVM_HC_SCHED_YIELD, Linux 5.2): "run that vCPU instead of
   * me". Argument: the target vCPU in the caller's VCPU_CTX.hypercallArg.
   */
  YIELD_TO: 4,
  /**
   * Not a hypercall: the hardware's pause-loop exit (hv/ple.ts), which the guest interpreter
   * raises on the spin that outlasts the vCPU's PLE window. A VM exit all the same, handled
   * with the hypercalls at the start of the next step: the hypervisor's spin reaction runs.
   */
  PLE_EXIT: 5,
  /**
   * The boost's half of a kick (hv/boost.ts; KVM's KVM_HC_KICK_CPU ends in kvm_sched_yield to
   * the kicked vCPU): the unlocker that kicked yields to the vCPU it kicked. Argument: that vCPU
   * in the caller's VCPU_CTX.hypercallArg.
   */
  KICK_YIELD: 6,
} as const;

/** What a halted vCPU waits for: written with its halt (VCPU_HV.haltKind), returned by `SpinLock.haltOn`. */
export const HALT_KIND = {
  /** It cannot halt now (the lock's `haltOn` refused). */
  NONE: 0,
  /** Its turn to own the lock (a ticket, an MCS hand-over, a free lock). */
  TURN: 1,
  /** qspinlock: its turn to head the queue (pv_wait_node); the hand-over does not kick it, the unlock does (a lazy kick). */
  NODE: 2,
  /** qspinlock: the queue head, which marked the lock slow (pv_wait_head_or_lock); the unlocker kicks it. */
  HEAD: 3,
} as const;

/** How a conditional halt compares its word with its value. */
export const HALT_MODE = {
  /** Sleep while `*word === value` (Linux's `pv_wait(ptr, val)`). */
  WHILE_EQUAL: 0,
  /** Sleep until `*word === value` (the pv ticket lock's "until head == my ticket"). */
  UNTIL_EQUAL: 1,
  /** Sleep while the word's low byte equals `value` (qspinlock's `pv_wait(&lock->locked, _Q_SLOW_VAL)`: a byte of a wider word). */
  WHILE_LOW_BYTE_EQUAL: 2,
} as const;

/** Whether a halt on `word` holding `current` should (still) sleep. */
export function haltConditionHolds(mode: number, current: number, value: number): boolean {
  if (mode === HALT_MODE.WHILE_EQUAL) return current === value;
  if (mode === HALT_MODE.UNTIL_EQUAL) return current !== value;
  return (current & 0xff) === value;
}
