/**
 * How a waiting vCPU waits: the guest side of an enlightenment. The lock reports each spin
 * iteration; the policy sees what a real one sees (the vCPU, the lock, and through the lock its
 * wait target: the holder, or the predecessor in a queue) and may answer with a hypercall
 * (hv/hypercalls.ts). Enlightened = naive + a policy, never a second copy of a lock.
 */
import type { PolicySpec } from '../../config/schema.js';

export interface SpinWaitPolicy {
  /** The policy's name, or the combination's as written. */
  readonly kind: PolicySpec;
  /**
   * Called after every spin iteration of vCPU `vcpu` (context base `ctx`) waiting for the lock
   * at `lockBase`; returns a `HYPERCALL` code (HYPERCALL.NONE to spin on).
   */
  afterSpin(ctx: number, vcpu: number, lockBase: number): number;
  /** Called when a wait ends (the lock was acquired or released): resets the policy's state. */
  waitEnded(ctx: number): void;
  /** Spins that `afterSpin` would answer NONE to, from now (Infinity if it never asks for anything). */
  quietSpins(ctx: number): number;
  /** Records `spins` spins that `afterSpin` would all have answered NONE to (fast-forward). */
  addQuietSpins(ctx: number, spins: number): void;
}
