/**
 * `preempted-aware`: a waiter stops spinning on a vCPU that is not running. The hypervisor
 * publishes per vCPU whether it is preempted (KVM's steal-time `preempted` flag, hv/steal-time.ts);
 * Linux reads it through `vcpu_is_preempted`, and its spin-on-owner loops give up when the
 * owner's vCPU is preempted (kernel/locking/mutex.c `mutex_spin_on_owner`, osq_lock.c), as
 * qspinlock's pv_wait_node halts early. Here every waiter does: every PREV_CHECK_SPINS spins
 * (pv_wait_node's period) it reads its wait target (the holder, or its predecessor in a queue:
 * `SpinLock.waitTarget`) and, if that vCPU is preempted, stops spinning:
 *   - it yields to that vCPU (a directed yield, KVM_HC_SCHED_YIELD, Linux 5.2) where the
 *     hypervisor's scheduler accepts one;
 *   - else, combined with pv-halt, it halts until kicked;
 *   - else it yields its pCPU.
 *
 * Context: `awareSpins` counts spins since the wait began or the target was last looked at;
 * `hypercallArg` carries the directed yield's target. Both owner-written.
 */
import { acceptsDirectedYield } from '../../config/scheduler-registry.js';
import type { Config } from '../../config/schema.js';
import { VC } from '../../events/table.js';
import { HYPERCALL } from '../../hv/hypercalls.js';
import { vcpuIsPreempted } from '../../hv/steal-time.js';
import type { Machine } from '../../shm/layout.js';
import { VCPU_CTX } from '../../shm/layout.js';
import { PREV_CHECK_SPINS } from '../halt-kick.js';
import type { SpinLock } from '../locks/spin-lock.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

export class PreemptedAwarePolicy implements SpinWaitPolicy {
  readonly kind = 'preempted-aware' as const;
  private readonly i32: Int32Array;
  /** What a waiter does when its target is preempted: a HYPERCALL code. */
  private readonly reaction: number;

  /** `halts`: combined with pv-halt, whose halt is the fallback when no directed yield is accepted. */
  constructor(
    private readonly machine: Machine,
    private readonly lock: SpinLock,
    scheduler: Config['scheduler'],
    halts: boolean,
  ) {
    this.i32 = machine.i32;
    this.reaction = acceptsDirectedYield(scheduler.policy) ? HYPERCALL.YIELD_TO : halts ? HYPERCALL.HALT : HYPERCALL.YIELD;
  }

  afterSpin(ctx: number, vcpu: number, lockBase: number): number {
    const i32 = this.i32;
    const spins = i32[ctx + VCPU_CTX.awareSpins]! + 1;
    if (spins < PREV_CHECK_SPINS) {
      i32[ctx + VCPU_CTX.awareSpins] = spins;
      return HYPERCALL.NONE;
    }
    i32[ctx + VCPU_CTX.awareSpins] = 0;
    const target = this.lock.waitTarget(lockBase, ctx, vcpu);
    if (target < 0 || target === vcpu || !vcpuIsPreempted(this.machine, target)) return HYPERCALL.NONE;
    this.machine.f64[this.machine.layout.vcpuCounterBase(vcpu) + VC.preemptedTargets]! += 1;
    if (this.reaction === HYPERCALL.YIELD_TO) i32[ctx + VCPU_CTX.hypercallArg] = target;
    return this.reaction;
  }

  quietSpins(ctx: number): number {
    return PREV_CHECK_SPINS - 1 - this.i32[ctx + VCPU_CTX.awareSpins]!;
  }

  addQuietSpins(ctx: number, spins: number): void {
    this.i32[ctx + VCPU_CTX.awareSpins] = this.i32[ctx + VCPU_CTX.awareSpins]! + spins;
  }

  waitEnded(ctx: number): void {
    this.i32[ctx + VCPU_CTX.awareSpins] = 0;
  }
}
