/**
 * Ticket lock: take a number with fetch-and-add, wait until the "now serving" word shows it.
 * Contract: word `a` is the next ticket to hand out, word `b` the ticket being served; the lock
 * is free when a == b. FIFO: a waiter that is preempted after taking its ticket blocks every
 * waiter behind it (lock-waiter preemption).
 * Context: lockPhase 0 = no ticket yet, 1 = holding ticket `lockAux` and waiting.
 */
import { LOCK_WORD, VCPU_CTX } from '../../shm/layout.js';
import { LOCK_STEP, type SpinLock } from './spin-lock.js';

export const TICKET_PHASE = { TAKE: 0, WAIT: 1 } as const;

export class TicketLock implements SpinLock {
  readonly kind = 'ticket' as const;
  readonly fifo = true;
  constructor(private readonly i32: Int32Array) {}

  acquireStep(lockBase: number, ctx: number): number {
    const i32 = this.i32;
    if (i32[ctx + VCPU_CTX.lockPhase] === TICKET_PHASE.TAKE) {
      i32[ctx + VCPU_CTX.lockAux] = Atomics.add(i32, lockBase + LOCK_WORD.a, 1);
      i32[ctx + VCPU_CTX.lockPhase] = TICKET_PHASE.WAIT;
      return LOCK_STEP.PROGRESS;
    }
    // Partner: the owner's increment of `b` in releaseStep.
    return Atomics.load(i32, lockBase + LOCK_WORD.b) === i32[ctx + VCPU_CTX.lockAux] ? LOCK_STEP.DONE : LOCK_STEP.SPIN;
  }

  releaseStep(lockBase: number): number {
    // Only the owner writes `b`; the add publishes the critical section's writes to the next ticket.
    Atomics.add(this.i32, lockBase + LOCK_WORD.b, 1);
    return LOCK_STEP.DONE;
  }

  certainSpins(): number {
    // A SPIN here is a poll that saw the lock taken; until someone else writes, every poll does.
    return Infinity;
  }

  skipSpins(): void {
    // A failed poll leaves nothing behind in the context.
  }

  isQueued(ctx: number): boolean {
    return this.i32[ctx + VCPU_CTX.lockPhase] === TICKET_PHASE.WAIT;
  }
}
