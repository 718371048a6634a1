/**
 * `pv-halt`: the Linux paravirtual spinlock's slow path, as KVM, Xen and Hyper-V guests run it
 * (kernel/locking/qspinlock_paravirt.h; for ticket locks before Linux 4.2,
 * arch/x86/kernel/kvm.c `kvm_lock_spinning` / `kvm_unlock_kick`). A waiter spins up to
 * `haltThreshold` iterations (Linux's SPIN_THRESHOLD, 1 << 15, arch/x86/include/asm/spinlock.h),
 * then halts its vCPU on the lock
 * word it waits on: `pv_wait(ptr, val)`, a conditional halt that sleeps only if the word still
 * says "not yet" and no kick is pending (hv/hypercalls.ts HALT). The unlocker kicks the waiter
 * it hands the lock to (`pv_kick`), found through the lock's halt record (guest/halt-record.ts).
 * A woken waiter polls the lock again; if it is still taken (a spurious wake-up) it spins and may
 * halt again.
 *
 * Context: `policySpins` counts spins since the wait began or the vCPU last halted; owner-written.
 */
import { HYPERCALL } from '../../hv/hypercalls.js';
import { VCPU_CTX } from '../../shm/layout.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

export class PvHaltPolicy implements SpinWaitPolicy {
  readonly kind = 'pv-halt' as const;
  constructor(
    private readonly i32: Int32Array,
    private readonly haltThreshold: number,
  ) {}

  afterSpin(ctx: number): number {
    const spins = this.i32[ctx + VCPU_CTX.policySpins]! + 1;
    if (spins >= this.haltThreshold) {
      this.i32[ctx + VCPU_CTX.policySpins] = 0;
      return HYPERCALL.HALT;
    }
    this.i32[ctx + VCPU_CTX.policySpins] = spins;
    return HYPERCALL.NONE;
  }

  quietSpins(ctx: number): number {
    // afterSpin halts on the spin that brings the count to the threshold.
    return Math.max(0, this.haltThreshold - 1 - this.i32[ctx + VCPU_CTX.policySpins]!);
  }

  addQuietSpins(ctx: number, spins: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = this.i32[ctx + VCPU_CTX.policySpins]! + spins;
  }

  waitEnded(ctx: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = 0;
  }
}
