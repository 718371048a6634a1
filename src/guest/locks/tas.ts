/**
 * Test-and-set: one word; a waiter retries compare-and-swap 0 → me until it wins.
 * Contract: word `a` holds the owner's vCPU id + 1, or 0 when free. Unfair, not FIFO: any
 * waiter may win, so preempting a waiter costs nobody else anything (SpinLock's defaults: no
 * line; a spin is a poll that leaves nothing behind).
 * pv-halt: any waiter may sleep, until the word says free; an unlock may kick any of them,
 * since whoever polls first after the release takes it.
 */
import { LOCK_WORD } from '../../shm/layout.js';
import { sleepUntilEqual } from '../halt-kick.js';
import { LOCK_STEP, SpinLock } from './spin-lock.js';

export class TasLock extends SpinLock {
  /** ttas.ts extends this lock. */
  readonly kind: 'tas' | 'ttas' = 'tas';

  acquireStep(lockBase: number, _ctx: number, vcpu: number): number {
    // Partner: the release store below.
    return this.memory.compareExchange(this.memory.i32, lockBase + LOCK_WORD.a, 0, vcpu + 1) === 0 ? LOCK_STEP.DONE : LOCK_STEP.SPIN;
  }

  releaseStep(lockBase: number): number {
    // Publishes the critical section's plain writes to the next owner's CAS.
    this.memory.store(this.memory.i32, lockBase + LOCK_WORD.a, 0);
    return LOCK_STEP.DONE;
  }

  override wouldSpin(lockBase: number): boolean {
    // The compare-and-swap fails while the word names an owner.
    return this.memory.load(this.memory.i32, lockBase + LOCK_WORD.a) !== 0;
  }

  override waitTarget(lockBase: number): number {
    // The owner, -1 when free.
    return this.memory.load(this.memory.i32, lockBase + LOCK_WORD.a) - 1;
  }

  override isNextOwner(): boolean {
    // Unfair: whoever polls first after the release takes it.
    return true;
  }

  override haltOn(lockBase: number, _ctx: number, _vcpu: number, hvBase: number): number {
    // Sleep until the lock word says free.
    return sleepUntilEqual(this.i32, hvBase, lockBase + LOCK_WORD.a, 0);
  }
}
