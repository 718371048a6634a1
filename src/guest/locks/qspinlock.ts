/**
 * Queued spinlock, Linux's spinlock since 4.2 (kernel/locking/qspinlock.c
 * `queued_spin_lock_slowpath`, the word of include/asm-generic/qspinlock_types.h), with the
 * paravirtual hooks of kernel/locking/qspinlock_paravirt.h (`pv_wait_node`, `pv_kick_node`,
 * `pv_wait_head_or_lock`, `__pv_queued_spin_unlock`) that a pv-halt guest uses. Without pv-halt
 * the same lock is the native qspinlock: the hooks are only called by that policy and the core's
 * paravirtual unlock.
 *
 * Contract: word `a` is Linux's 32-bit lock word (NR_CPUS < 16K layout):
 *   bits 0-7    locked byte: 0 free, 1 held (_Q_LOCKED_VAL), 3 held with a queue head asleep on
 *               it (_Q_SLOW_VAL)
 *   bits 8-15   pending byte (_Q_PENDING_VAL = 1 << 8): the first contender waits here, without
 *               a queue node, for the holder to go
 *   bits 16-31  tail: the last queued vCPU's id + 1, 0 for an empty queue. Linux keeps CPU + 1
 *               in bits 18-31 and a nesting index (task, softirq, hardirq, nmi) in bits 16-17; a
 *               vCPU here holds one lock at a time, so one queue node per vCPU (VCPU_MCS, Linux's
 *               per-CPU `qnodes`) and no index.
 * A node's `next` is written by its successor (LINK); its `locked` is set by itself (1: wait)
 * and cleared by its predecessor's hand-over (Linux's mcs `locked` counts the other way: there
 * 1 means "your turn"). Word `owner` is a hint for wait targets: the vCPU (id + 1) that last
 * took the lock, a plain store, as ticket.ts keeps it.
 *
 * Acquire phases (lockPhase; lockAux holds the lock word last seen, or the predecessor's id + 1
 * while queued behind one; backoffLeft counts SETTLE's polls). One atomic operation or one poll
 * per step:
 *   FAST           cmpxchg 0 → locked (queued_spin_lock); on failure, with the word it saw:
 *   SETTLE         the word is exactly "pending" (a pending waiter between its poll and its
 *                  claim): poll up to _Q_PENDING_LOOPS times (x86: 1 << 9) for it to move on
 *   PENDING_SET    the holder alone: set pending (Linux's fetch_or, here a cmpxchg)
 *   PENDING_WAIT   spin until the locked byte is 0, then PENDING_CLAIM: clear_pending_set_locked
 *   ENQUEUE        reset the node, then xchg_tail (a cmpxchg loop, one try a step)
 *   LINK           prev->next = me, then NODE_WAIT: spin on my node (arch_mcs_spin_lock_contended)
 *   HEAD_WAIT      the queue head: spin until locked and pending are clear
 *   HEAD_CLAIM     cmpxchg n,0,0 → 0,0,1 when the tail is me, else *,0,0 → *,0,1
 *   HAND_OVER      the new owner waits for its successor to link and clears its node's `locked`
 *                  (arch_mcs_spin_unlock_contended); then the lock is taken
 * STEAL_POLL, STEAL_CAS and HEAD_PENDING are unfair-queued's (unfair-queued.ts).
 * Release: one atomic `and` clears the locked byte and keeps pending and tail
 * (`smp_store_release(&lock->locked, 0)`, in native_queued_spin_unlock and in both pv unlocks),
 * preceded in the same step by the hand-over HAND_OVER left to the release, if any (lockAux:
 * that successor's id + 1, 0 for none, from the acquire's end to the release).
 *
 * Paravirtual hooks (pv-halt; the protocol around them: ../halt-kick.ts):
 *   node waiter    halts until its node's `locked` is 0 (pv_wait_node), HALT_KIND.NODE; it waits
 *                  early when its predecessor's vCPU is preempted (`earlyWaitTarget`). The
 *                  hand-over does not kick it (pv_kick_node); the unlock does: the lazy kick,
 *                  through `isNextOwner`, which names a node waiter handed headship as the head.
 *                  A successor found asleep is handed headship by the release, just before the
 *                  unlock (see below).
 *   queue head     marks the lock slow (cmpxchg locked byte 1 → 3, other bits kept) and halts
 *                  while the locked byte is 3 (`pv_wait(&lock->locked, _Q_SLOW_VAL)`),
 *                  HALT_KIND.HEAD; the unlock's `and` ends the condition and the core's unlock
 *                  path kicks it. Not while pending is set: a pending waiter goes first.
 *   pending waiter halts as the head does, HALT_KIND.TURN (see below), and is kicked first.
 *
 * Simplifications, and why:
 * - One 32-bit word, no byte or halfword accesses (SharedMemory has i32 operations only):
 *   Linux's byte stores become atomic operations on the whole word that keep the other bits
 *   (the release's `and`, clear_pending_set_locked's add), and its halfword xchg_tail becomes
 *   the cmpxchg loop Linux itself uses when the pending field is one bit (_Q_PENDING_BITS != 8).
 * - Setting pending is a cmpxchg on the word "held, nothing else", not fetch_or + undo: the
 *   same outcome (pending is set only when nobody else contends), and a failed one writes
 *   nothing, which the virtual engine's parked polls rely on.
 * - The pending path is always there: the lock cannot tell whether its VM runs pv-halt (it is
 *   built from the lock kind alone), so it does not skip to the queue as Linux's
 *   `if (pv_enabled()) goto pv_queue` does. So that a pv guest's first contender can sleep
 *   (with two vCPUs it is always the pending waiter), the pending waiter halts as the head
 *   does, on the slow mark; the release hands the lock to it before the head (`isNextOwner`),
 *   and a head halts only once no pending waiter is ahead of it, so one kick per release wakes
 *   the vCPU whose turn it is.
 * - The head of this (fair) lock does not set pending while it spins, as pv_wait_head_or_lock
 *   does: pending only keeps stealers out, and here arrivals never overtake a queue (the fast
 *   path needs the whole word 0, the pending path an empty tail). unfair-queued does set it.
 * - The head's halt uses Linux 4.2's cmpxchg(&l->locked, _Q_LOCKED_VAL, _Q_SLOW_VAL); when the
 *   lock is free it does not halt and polls (later kernels xchg and own the lock at once).
 * - The hand-over to a successor asleep (pv_kick_node finds it vcpu_halted) is made by the
 *   release step, right before the unlock, not at once as Linux's arch_mcs_spin_unlock_contended
 *   makes it: asleep, the successor cannot see its node before its kick at the unlock, so no
 *   vCPU sees a difference, and its own halt condition ("until my node is 0") holds until that
 *   kick, as the end-of-run check that no wake-up was lost expects of every halted vCPU
 *   (Linux's pv_wait on `pn->state` stops holding at pv_kick_node instead). Under real threads
 *   a successor that halts while the owner looks may still be handed over at once; the lazy
 *   kick finds it all the same (`isNextOwner`).
 * - pv_hash and the pv_node `state` are the lock's halt record (guest/halt-kick.ts): the
 *   unlocker finds its waiter there, whether or not the lock was marked slow, so pv_kick_node
 *   needs no _Q_SLOW_VAL to make the unlock look.
 */
import { HALT_KIND, HALT_MODE } from '../../hv/hypercalls.js';
import type { Machine } from '../../shm/layout.js';
import { LOCK_WORD, VCPU_CTX, VCPU_HV, VCPU_MCS } from '../../shm/layout.js';
import { conditionalHalt } from '../halt-kick.js';
import { LOCK_STEP, SpinLock } from './spin-lock.js';

/** The lock word's fields (include/asm-generic/qspinlock_types.h; _Q_SLOW_VAL from qspinlock_paravirt.h). */
export const Q = {
  LOCKED_MASK: 0xff,
  LOCKED_VAL: 1,
  SLOW_VAL: 3,
  PENDING_MASK: 0xff00,
  PENDING_VAL: 1 << 8,
  LOCKED_PENDING_MASK: 0xffff,
  TAIL_OFFSET: 16,
  TAIL_MASK: ~0xffff,
} as const;

/** Polls a contender spends waiting out a pending waiter's hand-over before it queues (x86's _Q_PENDING_LOOPS, arch/x86/include/asm/qspinlock.h). */
export const Q_PENDING_LOOPS = 1 << 9;

/**
 * Acquire phases. Ordered: below PENDING_WAIT a vCPU holds no place; PENDING_WAIT.. are queued
 * (the pending waiter included: its bit makes the queue head wait for it); HEAD_PENDING..HEAD_CLAIM
 * are the queue head.
 */
export const QSPIN_PHASE = {
  FAST: 0,
  SETTLE: 1,
  PENDING_SET: 2,
  /** unfair-queued: pv_hybrid_queued_unfair_trylock's poll. */
  STEAL_POLL: 3,
  /** unfair-queued: its cmpxchg of the locked byte. */
  STEAL_CAS: 4,
  ENQUEUE: 5,
  PENDING_WAIT: 6,
  PENDING_CLAIM: 7,
  LINK: 8,
  NODE_WAIT: 9,
  /** unfair-queued: the head's set_pending before it spins. */
  HEAD_PENDING: 10,
  HEAD_WAIT: 11,
  HEAD_CLAIM: 12,
  HAND_OVER: 13,
} as const;

const P = QSPIN_PHASE;

export class QueuedSpinLock extends SpinLock {
  readonly kind: 'qspinlock' | 'unfair-queued' = 'qspinlock';
  override readonly fifo: boolean = true;
  override readonly waitsEarly = true;
  /** The word bits a queue head waits to see clear before it claims the lock. */
  protected readonly headBusy: number = Q.LOCKED_PENDING_MASK;
  /** The phase a vCPU enters when it becomes the queue head. */
  protected readonly headPhase: number = P.HEAD_WAIT;
  protected readonly f64: Float64Array;

  constructor(machine: Machine) {
    super(machine);
    this.f64 = machine.f64;
  }

  acquireStep(lockBase: number, ctx: number, vcpu: number): number {
    const { i32, memory } = this;
    const word = lockBase + LOCK_WORD.a;
    switch (i32[ctx + VCPU_CTX.lockPhase]) {
      case P.FAST: {
        // Succeeds only on a zero word: free, nobody pending, nobody queued. Partners: the
        // release's `and` and HEAD_CLAIM's emptying of the queue, which leave it so.
        const seen = memory.compareExchange(memory.i32, word, 0, Q.LOCKED_VAL);
        if (seen === 0) return this.owned(lockBase, ctx, vcpu);
        this.contended(ctx, seen);
        return LOCK_STEP.PROGRESS;
      }
      case P.SETTLE: {
        // Partner: the pending waiter's clear_pending_set_locked.
        const seen = memory.load(memory.i32, word);
        const left = i32[ctx + VCPU_CTX.backoffLeft]!;
        if (seen === Q.PENDING_VAL && left > 0) {
          i32[ctx + VCPU_CTX.backoffLeft] = left - 1;
          return LOCK_STEP.SPIN;
        }
        // Moved on, or no forward progress within the bound: decide afresh (still pending: queue).
        this.native(ctx, seen, false);
        return LOCK_STEP.PROGRESS;
      }
      case P.PENDING_SET: {
        // 0,0,1 → 0,1,1 only from "held, nobody else": a queue or another pending waiter makes
        // it fail, and the word it sees decides again. Partner: the other contenders' cmpxchgs.
        const expected = i32[ctx + VCPU_CTX.lockAux]!;
        const seen = memory.compareExchange(memory.i32, word, expected, expected | Q.PENDING_VAL);
        if (seen === expected) i32[ctx + VCPU_CTX.lockPhase] = P.PENDING_WAIT;
        else this.native(ctx, seen, true);
        return LOCK_STEP.PROGRESS;
      }
      case P.PENDING_WAIT: {
        // Partner: the release's `and` of the locked byte.
        if ((memory.load(memory.i32, word) & Q.LOCKED_MASK) !== 0) return LOCK_STEP.SPIN;
        i32[ctx + VCPU_CTX.lockPhase] = P.PENDING_CLAIM;
        return LOCK_STEP.PROGRESS;
      }
      case P.PENDING_CLAIM: {
        // *,1,0 → *,0,1. Nobody else sets the locked byte while pending is set: the fast path
        // needs a zero word, the head waits for pending to clear, and the slow mark needs the
        // byte held. So the add is exact.
        memory.add(memory.i32, word, Q.LOCKED_VAL - Q.PENDING_VAL);
        return this.owned(lockBase, ctx, vcpu);
      }
      case P.ENQUEUE: {
        const node = this.layout.vcpuMcsBase(vcpu);
        // Reset before the cmpxchg publishes the node: the successor's LINK and the
        // predecessor's hand-over land after these. Partners: LINK and HAND_OVER.
        memory.store(memory.i32, node + VCPU_MCS.next, 0);
        memory.store(memory.i32, node + VCPU_MCS.locked, 1);
        // xchg_tail: the tail becomes me, locked and pending stay. Partner: HEAD_CLAIM's
        // cmpxchg, which empties the queue only if the tail is still its own.
        const expected = i32[ctx + VCPU_CTX.lockAux]!;
        const seen = memory.compareExchange(memory.i32, word, expected, (expected & Q.LOCKED_PENDING_MASK) | ((vcpu + 1) << Q.TAIL_OFFSET));
        if (seen !== expected) {
          i32[ctx + VCPU_CTX.lockAux] = seen;
          return LOCK_STEP.PROGRESS;
        }
        const prev = expected >>> Q.TAIL_OFFSET;
        if (prev === 0) {
          i32[ctx + VCPU_CTX.lockPhase] = this.headPhase;
        } else {
          i32[ctx + VCPU_CTX.lockAux] = prev;
          i32[ctx + VCPU_CTX.lockPhase] = P.LINK;
        }
        return LOCK_STEP.PROGRESS;
      }
      case P.LINK: {
        // Partner: the predecessor's HAND_OVER poll of its `next`.
        memory.store(memory.i32, this.layout.vcpuMcsBase(i32[ctx + VCPU_CTX.lockAux]! - 1) + VCPU_MCS.next, vcpu + 1);
        i32[ctx + VCPU_CTX.lockPhase] = P.NODE_WAIT;
        return LOCK_STEP.PROGRESS;
      }
      case P.NODE_WAIT: {
        // Partner: the predecessor's hand-over store of 0.
        if (memory.load(memory.i32, this.layout.vcpuMcsBase(vcpu) + VCPU_MCS.locked) !== 0) return LOCK_STEP.SPIN;
        i32[ctx + VCPU_CTX.lockPhase] = this.headPhase;
        return LOCK_STEP.PROGRESS;
      }
      case P.HEAD_WAIT: {
        // Partners: the release's `and`, and the pending waiter's claim.
        const seen = memory.load(memory.i32, word);
        if ((seen & this.headBusy) !== 0) return LOCK_STEP.SPIN;
        i32[ctx + VCPU_CTX.lockAux] = seen;
        i32[ctx + VCPU_CTX.lockPhase] = P.HEAD_CLAIM;
        return LOCK_STEP.PROGRESS;
      }
      case P.HEAD_CLAIM: {
        // n,0,0 → 0,0,1 when I am the tail (the queue empties), else *,0,0 → *,0,1; pending is
        // cleared with it (unfair-queued's head holds it: trylock_clear_pending). A cmpxchg on
        // the word seen, so an arrival's xchg_tail or a steal in between makes it fail.
        // Partners: ENQUEUE's cmpxchg, and unfair-queued's stealers'.
        const expected = i32[ctx + VCPU_CTX.lockAux]!;
        const alone = expected >>> Q.TAIL_OFFSET === vcpu + 1;
        const seen = memory.compareExchange(memory.i32, word, expected, (alone ? 0 : expected & Q.TAIL_MASK) | Q.LOCKED_VAL);
        if (seen === expected) {
          if (alone) return this.owned(lockBase, ctx, vcpu);
          this.ownerHint(lockBase, vcpu);
          i32[ctx + VCPU_CTX.lockPhase] = P.HAND_OVER;
          return LOCK_STEP.PROGRESS;
        }
        if ((seen & this.headBusy) === 0) i32[ctx + VCPU_CTX.lockAux] = seen;
        else i32[ctx + VCPU_CTX.lockPhase] = P.HEAD_WAIT;
        return LOCK_STEP.PROGRESS;
      }
      case P.HAND_OVER: {
        // Someone queued behind me: wait for its link, then make it the head. Partner: its LINK store.
        const next = memory.load(memory.i32, this.layout.vcpuMcsBase(vcpu) + VCPU_MCS.next);
        if (next === 0) return LOCK_STEP.SPIN;
        // pv_kick_node: a successor asleep is not woken now; my release hands over and the
        // unlock kicks it (the lazy kick). Plain read of a hint: if it is stale, the successor
        // is only made head later (at my release), or at once as Linux does, and then the lazy
        // kick finds it handed over (isNextOwner).
        if (i32[this.layout.vcpuHvBase(next - 1) + VCPU_HV.asleep] === 1) {
          i32[ctx + VCPU_CTX.lockAux] = next;
          return LOCK_STEP.DONE;
        }
        // Partner: its NODE_WAIT poll.
        memory.store(memory.i32, this.layout.vcpuMcsBase(next - 1) + VCPU_MCS.locked, 0);
        return this.taken(ctx);
      }
      default:
        throw new Error(`qspinlock: acquire phase ${i32[ctx + VCPU_CTX.lockPhase]} is not its own`);
    }
  }

  /** The lock is the caller's: records the owner hint and reports DONE. */
  protected owned(lockBase: number, ctx: number, vcpu: number): number {
    this.ownerHint(lockBase, vcpu);
    return this.taken(ctx);
  }

  /** DONE with no hand-over left for the release (lockAux 0: see releaseStep). */
  private taken(ctx: number): number {
    this.i32[ctx + VCPU_CTX.lockAux] = 0;
    return LOCK_STEP.DONE;
  }

  private ownerHint(lockBase: number, vcpu: number): void {
    // Plain: a hint for waiters, published by the next atomic operation.
    this.i32[lockBase + LOCK_WORD.owner] = vcpu + 1;
  }

  /**
   * After a failed fast path, with the word `seen`: chooses the slow path (writes lockPhase and
   * lockAux) and returns the phase. The native qspinlock's choice; unfair-queued steals first.
   */
  protected contended(ctx: number, seen: number): number {
    return this.native(ctx, seen, true);
  }

  /** queued_spin_lock_slowpath's choice for the word `seen`; `mayPause`: a word that is exactly pending may be waited out (once). */
  private native(ctx: number, seen: number, mayPause: boolean): number {
    const i32 = this.i32;
    let phase: number;
    if (seen === 0) phase = P.FAST;
    else if (seen === Q.PENDING_VAL && mayPause) {
      phase = P.SETTLE;
      i32[ctx + VCPU_CTX.backoffLeft] = Q_PENDING_LOOPS;
    } else if ((seen & ~Q.LOCKED_MASK) !== 0) phase = P.ENQUEUE;
    else phase = P.PENDING_SET;
    i32[ctx + VCPU_CTX.lockAux] = seen;
    i32[ctx + VCPU_CTX.lockPhase] = phase;
    return phase;
  }

  releaseStep(lockBase: number, ctx: number): number {
    const { i32, memory } = this;
    const successor = i32[ctx + VCPU_CTX.lockAux]!;
    if (successor !== 0) {
      // The hand-over HAND_OVER left to me (its successor was asleep): make it the head first,
      // in the same step as the unlock, so that no step boundary (a preemption, the run's end)
      // finds it handed over, asleep and not yet kicked. Partners: its NODE_WAIT poll when it
      // runs again, and isNextOwner in the unlock's kick.
      memory.store(memory.i32, this.layout.vcpuMcsBase(successor - 1) + VCPU_MCS.locked, 0);
      i32[ctx + VCPU_CTX.lockAux] = 0;
    }
    // Clears the locked byte, slow (3) or not, keeping pending and tail; publishes the critical
    // section's writes. Partners: the pending waiter's and the head's polls, FAST's cmpxchg.
    memory.and(memory.i32, lockBase + LOCK_WORD.a, ~Q.LOCKED_MASK);
    return LOCK_STEP.DONE;
  }

  override certainSpins(_lockBase: number, ctx: number): number {
    // SETTLE's wait is bounded: its polls left. Every other SPIN is a poll that saw the lock (or
    // a node) not yet its own; until someone else writes, every poll does.
    return this.i32[ctx + VCPU_CTX.lockPhase] === P.SETTLE ? this.i32[ctx + VCPU_CTX.backoffLeft]! : Infinity;
  }

  override wouldSpin(lockBase: number, ctx: number, vcpu: number, releasing: boolean): boolean {
    // The release never spins. Each case is the poll's own SPIN condition, read now.
    if (releasing) return false;
    const { i32, memory } = this;
    const word = lockBase + LOCK_WORD.a;
    switch (i32[ctx + VCPU_CTX.lockPhase]) {
      case P.SETTLE:
        return i32[ctx + VCPU_CTX.backoffLeft]! > 0 && memory.load(memory.i32, word) === Q.PENDING_VAL;
      case P.PENDING_WAIT:
        return (memory.load(memory.i32, word) & Q.LOCKED_MASK) !== 0;
      case P.NODE_WAIT:
        return memory.load(memory.i32, this.layout.vcpuMcsBase(vcpu) + VCPU_MCS.locked) !== 0;
      case P.HEAD_WAIT:
        return (memory.load(memory.i32, word) & this.headBusy) !== 0;
      case P.HAND_OVER:
        return memory.load(memory.i32, this.layout.vcpuMcsBase(vcpu) + VCPU_MCS.next) === 0;
      default:
        return false;
    }
  }

  override skipSpins(ctx: number, spins: number): void {
    // Only SETTLE's polls count down; every other failed poll leaves nothing behind.
    if (this.i32[ctx + VCPU_CTX.lockPhase] !== P.SETTLE) return;
    const left = this.i32[ctx + VCPU_CTX.backoffLeft]!;
    this.i32[ctx + VCPU_CTX.backoffLeft] = left > spins ? left - spins : 0;
  }

  override isQueued(ctx: number): boolean {
    // From the pending bit or the tail exchange until the lock is taken (the hand-over included:
    // the new owner's successor waits on it).
    return this.i32[ctx + VCPU_CTX.lockPhase]! >= P.PENDING_WAIT;
  }

  override waitTarget(lockBase: number, ctx: number): number {
    const { i32, memory } = this;
    const phase = i32[ctx + VCPU_CTX.lockPhase]!;
    // A node waiter waits for its predecessor (pv_wait_node's `prev`).
    if (phase === P.LINK || phase === P.NODE_WAIT) return i32[ctx + VCPU_CTX.lockAux]! - 1;
    // The pending waiter, the head and a stealer wait for the holder, while there is one.
    if (phase === P.PENDING_WAIT || phase === P.STEAL_POLL || (phase >= P.HEAD_PENDING && phase <= P.HEAD_CLAIM)) {
      if ((memory.load(memory.i32, lockBase + LOCK_WORD.a) & Q.LOCKED_MASK) === 0) return -1;
      return memory.load(memory.i32, lockBase + LOCK_WORD.owner) - 1;
    }
    return -1;
  }

  // ---- paravirtual hooks (qspinlock_paravirt.h) --------------------------------------------

  override isNextOwner(lockBase: number, waiterCtx: number, waiter: number): boolean {
    // After a release, the lock is handed to the pending waiter if there is one, else to the
    // queue head: halted as HEAD, or halted as NODE and handed headship since (the lazy kick of
    // pv_kick_node). Partners: HAND_OVER's store, PENDING_CLAIM's add.
    const { i32, memory } = this;
    const phase = i32[waiterCtx + VCPU_CTX.lockPhase]!;
    if (phase === P.PENDING_WAIT) return true;
    const head =
      (phase >= P.HEAD_PENDING && phase <= P.HEAD_CLAIM) ||
      (phase === P.NODE_WAIT && memory.load(memory.i32, this.layout.vcpuMcsBase(waiter) + VCPU_MCS.locked) === 0);
    return head && (memory.load(memory.i32, lockBase + LOCK_WORD.a) & Q.PENDING_MASK) === 0;
  }

  override earlyWaitTarget(_lockBase: number, ctx: number, vcpu: number): number {
    // pv_wait_node's pv_wait_early: a node waiter not yet handed headship looks at its predecessor.
    if (this.i32[ctx + VCPU_CTX.lockPhase] !== P.NODE_WAIT) return -1;
    if (this.memory.load(this.memory.i32, this.layout.vcpuMcsBase(vcpu) + VCPU_MCS.locked) === 0) return -1;
    return this.i32[ctx + VCPU_CTX.lockAux]! - 1;
  }

  override haltOn(lockBase: number, ctx: number, vcpu: number, hvBase: number): number {
    const phase = this.i32[ctx + VCPU_CTX.lockPhase];
    // A node waiter sleeps until its predecessor makes it the head (pv_wait_node).
    if (phase === P.NODE_WAIT)
      return conditionalHalt(this.i32, hvBase, this.layout.vcpuMcsBase(vcpu) + VCPU_MCS.locked, HALT_MODE.UNTIL_EQUAL, 0, HALT_KIND.NODE);
    if (phase === P.HEAD_WAIT) return this.haltOnLockByte(lockBase, hvBase, true);
    if (phase === P.PENDING_WAIT) return this.haltOnLockByte(lockBase, hvBase, false);
    // A new owner waiting for its successor to link, a stealer: no release hands the lock to
    // them in particular, so nobody would kick them. They spin on.
    return HALT_KIND.NONE;
  }

  /**
   * The head's pv_wait_head_or_lock after its spin (`head`), or the pending waiter's halt: marks
   * the lock slow and writes the halt "while the locked byte is _Q_SLOW_VAL", HALT_KIND.HEAD
   * for the head, TURN for the pending waiter. HALT_KIND.NONE when the lock is free (it polls
   * and takes it instead), and for a head while pending is set: a pending waiter goes first, so
   * the next release is not the head's turn, and it spins until that waiter has the lock.
   *
   * The mark never lets a parked waiter through: it turns locked 1 into 3, never into 0, and
   * every poll that fails on a held lock tests the locked byte for 0 (PENDING_WAIT, HEAD_WAIT,
   * unfair-queued's STEAL_POLL), the whole word for "exactly pending" (SETTLE: a held word is
   * not), or a node word it does not touch. So no SPIN turns into a success without a lock
   * step, which the virtual engine would not see (it asks wouldSpin after lock steps only).
   */
  protected haltOnLockByte(lockBase: number, hvBase: number, head: boolean): number {
    const { memory } = this;
    const word = lockBase + LOCK_WORD.a;
    for (;;) {
      const seen = memory.load(memory.i32, word);
      const locked = seen & Q.LOCKED_MASK;
      if (locked === 0 || (head && (seen & Q.PENDING_MASK) !== 0)) return HALT_KIND.NONE;
      // Already slow: an earlier halt of mine that a pending kick overtook.
      if (locked === Q.SLOW_VAL) break;
      // cmpxchg(&lock->locked, _Q_LOCKED_VAL, _Q_SLOW_VAL) on the whole word. Partner: the
      // release's `and`: a release in between fails it, and the next read sees the lock free.
      if (memory.compareExchange(memory.i32, word, seen, (seen & ~Q.LOCKED_MASK) | Q.SLOW_VAL) === seen) break;
    }
    return conditionalHalt(this.i32, hvBase, word, HALT_MODE.WHILE_LOW_BYTE_EQUAL, Q.SLOW_VAL, head ? HALT_KIND.HEAD : HALT_KIND.TURN);
  }
}
