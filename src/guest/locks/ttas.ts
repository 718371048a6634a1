/**
 * Test-and-test-and-set with exponential backoff: test-and-set (tas.ts) whose waiter reads the
 * word until it looks free, then tries compare-and-swap; each failed try doubles a pause window
 * (up to a cap) that it sits out before reading again. Reads keep the line shared while the
 * lock is held.
 * Contract: tas's word (`a` holds the owner's vCPU id + 1, or 0), its release, wait target and
 * pv-halt hooks; unfair, not FIFO. Its `wouldSpin` holds here too: after a SPIN the phase is
 * TEST, and backoff pauses spin, and so does a read while the word names an owner; free, a read
 * may come before the pauses run out, and the lock cannot tell.
 * Context: `backoff` is the current window, `backoffLeft` the pause iterations still to spin;
 * lockPhase TEST (read) or SET (the read found it free: compare-and-swap next). The two are
 * separate steps, as they are separate instructions: another vCPU can take the lock between
 * them, and that lost race is what the backoff is for.
 */
import { LOCK_WORD, VCPU_CTX } from '../../shm/layout.js';
import { LOCK_STEP } from './spin-lock.js';
import { TasLock } from './tas.js';

/** Backoff window bounds, in spin iterations (Linux's arch-independent defaults are similar in spirit). */
const TTAS_MIN_BACKOFF = 1;
export const TTAS_MAX_BACKOFF = 1024;

const TTAS_PHASE = { TEST: 0, SET: 1 } as const;

export class TtasLock extends TasLock {
  override readonly kind = 'ttas' as const;

  override acquireStep(lockBase: number, ctx: number, vcpu: number): number {
    const { i32, memory } = this;
    const left = i32[ctx + VCPU_CTX.backoffLeft]!;
    if (left > 0) {
      i32[ctx + VCPU_CTX.backoffLeft] = left - 1;
      return LOCK_STEP.SPIN;
    }
    if (i32[ctx + VCPU_CTX.lockPhase] === TTAS_PHASE.TEST) {
      // Test: a read, so waiters do not bounce the line while the lock is held.
      if (memory.load(memory.i32, lockBase + LOCK_WORD.a) !== 0) return LOCK_STEP.SPIN;
      i32[ctx + VCPU_CTX.lockPhase] = TTAS_PHASE.SET;
      return LOCK_STEP.PROGRESS;
    }
    // Test-and-set. Partner: the release store.
    i32[ctx + VCPU_CTX.lockPhase] = TTAS_PHASE.TEST;
    if (memory.compareExchange(memory.i32, lockBase + LOCK_WORD.a, 0, vcpu + 1) === 0) {
      i32[ctx + VCPU_CTX.backoff] = 0;
      return LOCK_STEP.DONE;
    }
    const window = Math.min(Math.max(i32[ctx + VCPU_CTX.backoff]! * 2, TTAS_MIN_BACKOFF), TTAS_MAX_BACKOFF);
    i32[ctx + VCPU_CTX.backoff] = window;
    i32[ctx + VCPU_CTX.backoffLeft] = window;
    return LOCK_STEP.SPIN;
  }

  override certainSpins(lockBase: number, ctx: number): number {
    // A backoff pause does not look at the lock: if it is free now, only the pauses left are
    // certain, and the read after them takes it.
    if (this.memory.load(this.memory.i32, lockBase + LOCK_WORD.a) !== 0) return Infinity;
    return this.i32[ctx + VCPU_CTX.backoffLeft]!;
  }

  override skipSpins(ctx: number, spins: number): void {
    // Backoff pauses count down; once the window is spent, each further spin is a read that
    // finds the lock still held and changes nothing.
    const left = this.i32[ctx + VCPU_CTX.backoffLeft]!;
    this.i32[ctx + VCPU_CTX.backoffLeft] = left > spins ? left - spins : 0;
  }
}
