/**
 * Test-and-set: one word; a waiter retries compare-and-swap 0 → me until it wins.
 * Contract: word `a` holds the owner's vCPU id + 1, or 0 when free. Unfair, not FIFO: any
 * waiter may win, so preempting a waiter costs nobody else anything.
 */
import { LOCK_WORD } from '../../shm/layout.js';
import type { SharedMemory } from '../../shm/memory.js';
import { sleepUntilEqual } from '../halt-kick.js';
import { holderOf, LOCK_STEP, type SpinLock } from './spin-lock.js';

export class TasLock implements SpinLock {
  readonly kind = 'tas' as const;
  readonly fifo = false;
  private readonly i32: Int32Array;
  constructor(private readonly memory: SharedMemory) {
    this.i32 = memory.i32;
  }

  acquireStep(lockBase: number, _ctx: number, vcpu: number): number {
    // Partner: the release store below.
    return this.memory.compareExchange(this.memory.i32, lockBase + LOCK_WORD.a, 0, vcpu + 1) === 0 ? LOCK_STEP.DONE : LOCK_STEP.SPIN;
  }

  releaseStep(lockBase: number): number {
    // Publishes the critical section's plain writes to the next owner's CAS.
    this.memory.store(this.memory.i32, lockBase + LOCK_WORD.a, 0);
    return LOCK_STEP.DONE;
  }

  certainSpins(): number {
    // A SPIN here is a poll that saw the lock taken; until someone else writes, every poll does.
    return Infinity;
  }

  wouldSpin(lockBase: number): boolean {
    // The compare-and-swap fails while the word names an owner.
    return this.memory.load(this.memory.i32, lockBase + LOCK_WORD.a) !== 0;
  }

  skipSpins(): void {
    // A failed poll leaves nothing behind in the context.
  }

  isQueued(): boolean {
    return false;
  }

  waitTarget(lockBase: number): number {
    return holderOf(this.memory, lockBase + LOCK_WORD.a);
  }

  isNextOwner(): boolean {
    // Unfair: whoever polls first after the release takes it.
    return true;
  }

  readonly waitsEarly = false;
  earlyWaitTarget(): number {
    return -1;
  }

  haltOn(lockBase: number, _ctx: number, _vcpu: number, hvBase: number): number {
    // Sleep until the lock word says free.
    return sleepUntilEqual(this.i32, hvBase, lockBase + LOCK_WORD.a, 0);
  }
}
