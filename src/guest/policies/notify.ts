/**
 * Hyper-V's long-spin-wait notification: every `spinThreshold` spins the guest issues the
 * NotifyLongSpinWait hypercall so the hypervisor can run someone else (ideally the preempted
 * lock holder). Windows reads the threshold from CPUID leaf 0x40000004 (default 0xFFF);
 * 0xFFFFFFFF means never notify.
 * Context: `policySpins` counts spins since the last notification; owner-written.
 */
import { VCPU_CTX } from '../../shm/layout.js';
import { HYPERCALL } from '../../hv/hypercalls.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

export const NEVER_NOTIFY = 0xffffffff;

export class NotifyPolicy implements SpinWaitPolicy {
  readonly kind = 'notify' as const;
  constructor(
    private readonly i32: Int32Array,
    private readonly spinThreshold: number,
  ) {}

  afterSpin(ctx: number): number {
    // Read unsigned: thresholds run up to 0xFFFFFFFF, past the i32 word's signed range.
    const spins = (this.i32[ctx + VCPU_CTX.policySpins]! >>> 0) + 1;
    if (spins >= this.spinThreshold && this.spinThreshold !== NEVER_NOTIFY) {
      this.i32[ctx + VCPU_CTX.policySpins] = 0;
      return HYPERCALL.NOTIFY_LONG_SPIN_WAIT;
    }
    this.i32[ctx + VCPU_CTX.policySpins] = spins;
    return HYPERCALL.NONE;
  }

  quietSpins(ctx: number): number {
    if (this.spinThreshold === NEVER_NOTIFY) return Infinity;
    // afterSpin notifies on the spin that brings the count to the threshold.
    return Math.max(0, this.spinThreshold - 1 - (this.i32[ctx + VCPU_CTX.policySpins]! >>> 0));
  }

  addQuietSpins(ctx: number, spins: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = (this.i32[ctx + VCPU_CTX.policySpins]! >>> 0) + spins;
  }

  waitEnded(ctx: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = 0;
  }
}
