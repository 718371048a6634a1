/**
 * MCS queue lock: each waiter spins on a flag in its own node, so a release touches one
 * waiter's line instead of all of them. Every vCPU owns one node (it holds at most one lock).
 * Contract: word `a` is the tail of the queue (vCPU id + 1, 0 = free). A node's `next` is
 * written by its successor; its `locked` is written by itself (set) and by its predecessor
 * (cleared on hand-over). FIFO: a preempted waiter, or a waiter preempted between swapping
 * itself into the tail and linking to its predecessor, stalls the hand-over.
 * Context: acquire phases ENQUEUE → LINK → WAIT; release phases HANDOFF → WAIT_SUCCESSOR.
 * `lockAux` holds the predecessor (id + 1) between ENQUEUE and LINK.
 */
import { HALT_KIND } from '../../hv/hypercalls.js';
import { LOCK_WORD, VCPU_CTX, VCPU_MCS } from '../../shm/layout.js';
import { sleepUntilEqual } from '../halt-kick.js';
import { LOCK_STEP, SpinLock } from './spin-lock.js';

export const MCS_ACQUIRE = { ENQUEUE: 0, LINK: 1, WAIT: 2 } as const;
export const MCS_RELEASE = { HANDOFF: 0, WAIT_SUCCESSOR: 1 } as const;

export class McsLock extends SpinLock {
  readonly kind = 'mcs' as const;
  override readonly fifo = true;

  acquireStep(lockBase: number, ctx: number, vcpu: number): number {
    const { i32, memory } = this;
    switch (i32[ctx + VCPU_CTX.lockPhase]) {
      case MCS_ACQUIRE.ENQUEUE: {
        const node = this.layout.vcpuMcsBase(vcpu);
        // Reset before the exchange publishes the node: a successor's LINK store and the
        // predecessor's hand-over store land after these. Partners: LINK and releaseStep.
        memory.store(memory.i32, node + VCPU_MCS.next, 0);
        memory.store(memory.i32, node + VCPU_MCS.locked, 1);
        // Partner: the tail CAS in releaseStep (an owner with no successor).
        const prev = memory.exchange(memory.i32, lockBase + LOCK_WORD.a, vcpu + 1);
        if (prev === 0) return LOCK_STEP.DONE;
        i32[ctx + VCPU_CTX.lockAux] = prev;
        i32[ctx + VCPU_CTX.lockPhase] = MCS_ACQUIRE.LINK;
        return LOCK_STEP.PROGRESS;
      }
      case MCS_ACQUIRE.LINK: {
        // Partner: the predecessor's WAIT_SUCCESSOR loop reads this.
        const prevNode = this.layout.vcpuMcsBase(i32[ctx + VCPU_CTX.lockAux]! - 1);
        memory.store(memory.i32, prevNode + VCPU_MCS.next, vcpu + 1);
        i32[ctx + VCPU_CTX.lockPhase] = MCS_ACQUIRE.WAIT;
        return LOCK_STEP.PROGRESS;
      }
      default: {
        // Partner: the predecessor's hand-over store of 0.
        const node = this.layout.vcpuMcsBase(vcpu);
        return memory.load(memory.i32, node + VCPU_MCS.locked) === 0 ? LOCK_STEP.DONE : LOCK_STEP.SPIN;
      }
    }
  }

  releaseStep(lockBase: number, ctx: number, vcpu: number): number {
    const { i32, memory } = this;
    const node = this.layout.vcpuMcsBase(vcpu);
    let successor = memory.load(memory.i32, node + VCPU_MCS.next);
    if (successor === 0 && i32[ctx + VCPU_CTX.lockPhase] === MCS_RELEASE.HANDOFF) {
      // No successor visible: try to empty the queue. Partner: the exchange in ENQUEUE.
      if (memory.compareExchange(memory.i32, lockBase + LOCK_WORD.a, vcpu + 1, 0) === vcpu + 1) return LOCK_STEP.DONE;
      // Someone swapped into the tail but has not linked yet: wait for the link.
      i32[ctx + VCPU_CTX.lockPhase] = MCS_RELEASE.WAIT_SUCCESSOR;
      successor = memory.load(memory.i32, node + VCPU_MCS.next);
    }
    if (successor === 0) return LOCK_STEP.SPIN;
    // Hand over; publishes the critical section's writes. Partner: the WAIT poll in acquireStep.
    memory.store(memory.i32, this.layout.vcpuMcsBase(successor - 1) + VCPU_MCS.locked, 0);
    return LOCK_STEP.DONE;
  }

  override wouldSpin(_lockBase: number, _ctx: number, vcpu: number, releasing: boolean): boolean {
    // A SPIN comes from the WAIT poll of my node's flag, or from WAIT_SUCCESSOR's read of my
    // node's next (in which the HANDOFF compare-and-swap is behind: the phase is set).
    const node = this.layout.vcpuMcsBase(vcpu);
    const { memory } = this;
    return releasing ? memory.load(memory.i32, node + VCPU_MCS.next) === 0 : memory.load(memory.i32, node + VCPU_MCS.locked) !== 0;
  }

  override isQueued(ctx: number): boolean {
    const phase = this.i32[ctx + VCPU_CTX.lockPhase];
    return phase === MCS_ACQUIRE.LINK || phase === MCS_ACQUIRE.WAIT;
  }

  override waitTarget(_lockBase: number, ctx: number): number {
    // The predecessor in the queue, whose hand-over this waiter needs (pv_wait_node's `prev`).
    return this.isQueued(ctx) ? this.i32[ctx + VCPU_CTX.lockAux]! - 1 : -1;
  }

  override isNextOwner(_lockBase: number, _waiterCtx: number, waiter: number, releaser: number): boolean {
    return this.memory.load(this.memory.i32, this.layout.vcpuMcsBase(releaser) + VCPU_MCS.next) === waiter + 1;
  }

  override haltOn(_lockBase: number, ctx: number, vcpu: number, hvBase: number): number {
    const i32 = this.i32;
    // Only a linked waiter can sleep: its predecessor's hand-over is what a kick follows.
    if (i32[ctx + VCPU_CTX.lockPhase] !== MCS_ACQUIRE.WAIT) return HALT_KIND.NONE;
    // Sleep until the predecessor clears my node's flag (pv_wait_node).
    return sleepUntilEqual(i32, hvBase, this.layout.vcpuMcsBase(vcpu) + VCPU_MCS.locked, 0);
  }
}
