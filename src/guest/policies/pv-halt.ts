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
 * Wait early (pv_wait_node, with PV_PREV_CHECK_MASK 0xff): on a lock with the hook (qspinlock),
 * a waiter queued behind a predecessor looks every 256 spins at whether the predecessor's vCPU
 * is preempted (hv/steal-time.ts) and, if so, halts at once instead of spinning out its
 * threshold.
 *
 * Context: `policySpins` counts spins since the wait began or the vCPU last halted; owner-written.
 */
import { VC } from '../../events/table.js';
import { HYPERCALL } from '../../hv/hypercalls.js';
import { vcpuIsPreempted } from '../../hv/steal-time.js';
import type { Machine } from '../../shm/layout.js';
import { VCPU_CTX } from '../../shm/layout.js';
import type { SpinLock } from '../locks/spin-lock.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

/** pv_wait_node looks at its predecessor's state when (loop & PV_PREV_CHECK_MASK) == 0. */
export const PREV_CHECK_SPINS = 256;

export class PvHaltPolicy implements SpinWaitPolicy {
  readonly kind = 'pv-halt' as const;
  private readonly i32: Int32Array;
  private readonly waitsEarly: boolean;
  constructor(
    private readonly machine: Machine,
    private readonly lock: SpinLock,
    private readonly haltThreshold: number,
  ) {
    this.i32 = machine.i32;
    this.waitsEarly = lock.waitsEarly;
  }

  afterSpin(ctx: number, vcpu: number, lockBase: number): number {
    const spins = this.i32[ctx + VCPU_CTX.policySpins]! + 1;
    if (spins >= this.haltThreshold || (this.waitsEarly && spins % PREV_CHECK_SPINS === 0 && this.predecessorPreempted(ctx, vcpu, lockBase))) {
      this.i32[ctx + VCPU_CTX.policySpins] = 0;
      return HYPERCALL.HALT;
    }
    this.i32[ctx + VCPU_CTX.policySpins] = spins;
    return HYPERCALL.NONE;
  }

  /** pv_wait_early: the waiter's predecessor in the queue is preempted (counted: the halt it asks for is early). */
  private predecessorPreempted(ctx: number, vcpu: number, lockBase: number): boolean {
    const predecessor = this.lock.earlyWaitTarget(lockBase, ctx, vcpu);
    if (predecessor < 0 || !vcpuIsPreempted(this.machine, predecessor)) return false;
    this.machine.f64[this.machine.layout.vcpuCounterBase(vcpu) + VC.earlyWaits]! += 1;
    return true;
  }

  quietSpins(ctx: number): number {
    // afterSpin halts on the spin that brings the count to the threshold, and may on the next
    // multiple of PREV_CHECK_SPINS when the lock waits early.
    const spins = this.i32[ctx + VCPU_CTX.policySpins]!;
    const toThreshold = Math.max(0, this.haltThreshold - 1 - spins);
    if (!this.waitsEarly) return toThreshold;
    const toCheck = PREV_CHECK_SPINS - 1 - (spins % PREV_CHECK_SPINS);
    return toCheck < toThreshold ? toCheck : toThreshold;
  }

  addQuietSpins(ctx: number, spins: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = this.i32[ctx + VCPU_CTX.policySpins]! + spins;
  }

  waitEnded(ctx: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = 0;
  }
}
