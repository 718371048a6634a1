/**
 * Unfair queued spinlock: the qspinlock (qspinlock.ts) as Linux's paravirtual guests run it,
 * with lock stealing (kernel/locking/qspinlock_paravirt.h `pv_hybrid_queued_unfair_trylock`,
 * which replaces `queued_spin_trylock` in the pv slow path, and `pv_wait_head_or_lock`'s
 * `set_pending` / `trylock_clear_pending` / `clear_pending`). Not FIFO: an arriving vCPU may
 * take the lock past a queue whose head is not spinning, so a preempted or halted queue head
 * does not keep the lock idle (lock-waiter preemption hurts less), at the price of fairness.
 *
 * What it adds to the qspinlock, written as overrides of that class:
 *   steal     after the fast path fails, the arrival loops (STEAL_POLL, STEAL_CAS): while
 *             locked and pending are clear it takes the lock by cmpxchg, queue or not
 *             (`lockSteals` counts a steal past a non-empty queue); it stops stealing and
 *             queues (ENQUEUE) when the queue is empty or the pending bit is set; otherwise
 *             (held, queue waiting, pending clear) it spins.
 *   pending   the queue head sets pending (HEAD_PENDING, set_pending) while it spins, so that
 *             arrivals queue instead of stealing; its claim clears it with the locked byte
 *             (trylock_clear_pending), and before halting (pv-halt) it clears it
 *             (clear_pending), so stealing happens while the head is not actively spinning.
 *             Pending means only this here: there is no pending path (Linux's pv slow path
 *             goes straight to the queue, `if (pv_enabled()) goto pv_queue`).
 * Context phases: STEAL_POLL, STEAL_CAS (lockAux: the word seen), HEAD_PENDING; the rest are
 * the qspinlock's. `isNextOwner` names the queue head, as the qspinlock's does: a stealer may
 * take the lock before the kicked head runs, and the head's poll then fails (a spurious
 * wake-up, as Linux's qstat counts it).
 *
 * Simplifications, and why:
 * - Every steal is a cmpxchg of the whole word seen (Linux: a byte cmpxchg of `locked` after
 *   reading the word): a change of pending or tail in between makes it fail and decide again.
 * - set_pending and clear_pending are atomic adds: only the head writes pending in this lock,
 *   and there is one head, so the bit is known before each add.
 * - Without pv-halt the head never clears pending before its claim: stealing then only happens
 *   between one head's claim and the next head's set_pending.
 * - Stealers cannot halt (a release hands the lock to nobody in particular): they spin, as
 *   Linux's loop does.
 */
import { VC } from '../../events/table.js';
import { HALT_KIND } from '../../hv/hypercalls.js';
import { LOCK_WORD, VCPU_CTX } from '../../shm/layout.js';
import { LOCK_STEP } from './spin-lock.js';
import { Q, QSPIN_PHASE, QueuedSpinLock } from './qspinlock.js';

const P = QSPIN_PHASE;

/** pv_hybrid_queued_unfair_trylock's loop condition: held, a queue waiting, its head not spinning (pending clear). */
function stealerSpins(word: number): boolean {
  return (word & Q.LOCKED_MASK) !== 0 && (word & Q.PENDING_MASK) === 0 && (word & Q.TAIL_MASK) !== 0;
}

export class UnfairQueuedLock extends QueuedSpinLock {
  override readonly kind = 'unfair-queued' as const;
  override readonly fifo = false;
  protected override readonly headBusy = Q.LOCKED_MASK;
  protected override readonly headPhase = P.HEAD_PENDING;

  override acquireStep(lockBase: number, ctx: number, vcpu: number): number {
    const { i32, memory } = this;
    const phase = i32[ctx + VCPU_CTX.lockPhase];
    if (phase === P.STEAL_POLL) {
      // Partners: the release's `and`, the head's set_pending and clear_pending.
      return this.contended(ctx, memory.load(memory.i32, lockBase + LOCK_WORD.a)) === P.STEAL_POLL ? LOCK_STEP.SPIN : LOCK_STEP.PROGRESS;
    }
    if (phase === P.STEAL_CAS) {
      // *,0,0 → *,0,1 on the word seen; a changed word fails it and decides again. Partners:
      // the head's claim and set_pending, the other stealers, FAST.
      const expected = i32[ctx + VCPU_CTX.lockAux]!;
      const seen = memory.compareExchange(memory.i32, lockBase + LOCK_WORD.a, expected, expected | Q.LOCKED_VAL);
      if (seen !== expected) {
        this.contended(ctx, seen);
        return LOCK_STEP.PROGRESS;
      }
      // The acquiring vCPU's counters belong to the pCPU running it: this one.
      if ((expected & Q.TAIL_MASK) !== 0) this.f64[this.layout.vcpuCounterBase(vcpu) + VC.lockSteals]! += 1;
      return this.owned(lockBase, ctx, vcpu);
    }
    if (phase === P.HEAD_PENDING) {
      // set_pending: stealers queue from now on. Only the head writes pending, and a head enters
      // here with it clear (its predecessor's claim cleared it, or its own halt did), so the add
      // sets exactly the bit. Partner: the stealers' polls and cmpxchgs, which see it.
      memory.add(memory.i32, lockBase + LOCK_WORD.a, Q.PENDING_VAL);
      i32[ctx + VCPU_CTX.lockPhase] = P.HEAD_WAIT;
      return LOCK_STEP.PROGRESS;
    }
    return super.acquireStep(lockBase, ctx, vcpu);
  }

  /** pv_hybrid_queued_unfair_trylock's choice for the word `seen`: steal, spin for a steal, or queue. */
  protected override contended(ctx: number, seen: number): number {
    let phase: number;
    if ((seen & Q.LOCKED_PENDING_MASK) === 0) phase = P.STEAL_CAS;
    else if ((seen & Q.TAIL_MASK) === 0 || (seen & Q.PENDING_MASK) !== 0) phase = P.ENQUEUE;
    else phase = P.STEAL_POLL;
    this.i32[ctx + VCPU_CTX.lockAux] = seen;
    this.i32[ctx + VCPU_CTX.lockPhase] = phase;
    return phase;
  }

  override wouldSpin(lockBase: number, ctx: number, vcpu: number, releasing: boolean): boolean {
    if (!releasing && this.i32[ctx + VCPU_CTX.lockPhase] === P.STEAL_POLL) return stealerSpins(this.memory.load(this.memory.i32, lockBase + LOCK_WORD.a));
    return super.wouldSpin(lockBase, ctx, vcpu, releasing);
  }

  override haltOn(lockBase: number, ctx: number, vcpu: number, hvBase: number): number {
    const { i32, memory } = this;
    if (i32[ctx + VCPU_CTX.lockPhase] !== P.HEAD_WAIT) return super.haltOn(lockBase, ctx, vcpu, hvBase);
    const word = lockBase + LOCK_WORD.a;
    // Free: keep pending (no steal in between), poll and take it.
    if ((memory.load(memory.i32, word) & Q.LOCKED_MASK) === 0) return HALT_KIND.NONE;
    // clear_pending before sleeping: stealers may take the lock while the head is away, and
    // set_pending again when it runs on (pv_wait_head_or_lock's loop). Clearing it lets no
    // parked poll through: a stealer spins only while pending is clear, so none is parked with
    // it set, and for every other poll pending is either not looked at or the head's own.
    // Partner: the stealers' polls.
    memory.add(memory.i32, word, -Q.PENDING_VAL);
    i32[ctx + VCPU_CTX.lockPhase] = P.HEAD_PENDING;
    return this.haltOnLockByte(lockBase, hvBase, true);
  }
}
