/**
 * How a waiting vCPU waits: the guest side of an enlightenment. The lock reports each spin
 * iteration; the policy sees it and may ask for a hypercall. Enlightened = naive + a policy,
 * never a second copy of a lock.
 */
import type { PolicyKind } from '../../config/schema.js';

/** What a policy asks of the hypervisor after a spin. */
export const HYPERCALL = {
  NONE: 0,
  /** Hyper-V's NotifyLongSpinWait: "I have spun a long time; run someone else". */
  NOTIFY_LONG_SPIN_WAIT: 1,
} as const;

export interface SpinWaitPolicy {
  readonly kind: PolicyKind;
  /** Called after every spin iteration of a vCPU (context base `ctx`); returns a `HYPERCALL` code. */
  afterSpin(ctx: number): number;
  /** Called when a wait ends (the lock was acquired or released): resets the policy's state. */
  waitEnded(ctx: number): void;
  /** Spins that `afterSpin` would answer NONE to, from now (Infinity if it never asks for anything). */
  quietSpins(ctx: number): number;
  /** Records `spins` spins that `afterSpin` would all have answered NONE to (fast-forward). */
  addQuietSpins(ctx: number, spins: number): void;
}
