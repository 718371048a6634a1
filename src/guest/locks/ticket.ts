/**
 * Ticket lock: take a number with fetch-and-add, wait until the "now serving" word shows it.
 * Contract: word `a` is the next ticket to hand out, word `b` the ticket being served; the lock
 * is free when a == b. FIFO: a waiter that is preempted after taking its ticket blocks every
 * waiter behind it (lock-waiter preemption).
 * Context: lockPhase 0 = no ticket yet, 1 = holding ticket `lockAux` and waiting.
 * Wait target: word `owner` records the vCPU (id + 1) that last took the lock, a plain store
 * (a hint for waiters, as a guest's lock debugging field would be); a ticket says nothing of
 * who holds it.
 */
import { HALT_KIND } from '../../hv/hypercalls.js';
import { LOCK_WORD, VCPU_CTX } from '../../shm/layout.js';
import { sleepUntilEqual } from '../halt-kick.js';
import { LOCK_STEP, SpinLock } from './spin-lock.js';

export const TICKET_PHASE = { TAKE: 0, WAIT: 1 } as const;

export class TicketLock extends SpinLock {
  readonly kind = 'ticket' as const;
  override readonly fifo = true;

  acquireStep(lockBase: number, ctx: number, vcpu: number): number {
    const { i32, memory } = this;
    if (i32[ctx + VCPU_CTX.lockPhase] === TICKET_PHASE.TAKE) {
      i32[ctx + VCPU_CTX.lockAux] = memory.add(memory.i32, lockBase + LOCK_WORD.a, 1);
      i32[ctx + VCPU_CTX.lockPhase] = TICKET_PHASE.WAIT;
      return LOCK_STEP.PROGRESS;
    }
    // Partner: the owner's increment of `b` in releaseStep.
    if (memory.load(memory.i32, lockBase + LOCK_WORD.b) !== i32[ctx + VCPU_CTX.lockAux]) return LOCK_STEP.SPIN;
    // Plain: a hint for waiters, published by the next atomic operation.
    i32[lockBase + LOCK_WORD.owner] = vcpu + 1;
    return LOCK_STEP.DONE;
  }

  releaseStep(lockBase: number): number {
    // Only the owner writes `b`; the add publishes the critical section's writes to the next ticket.
    this.memory.add(this.memory.i32, lockBase + LOCK_WORD.b, 1);
    return LOCK_STEP.DONE;
  }

  override wouldSpin(lockBase: number, ctx: number): boolean {
    // A waiter holds its ticket (a SPIN comes only from the WAIT poll): it spins until `b` shows it.
    return this.memory.load(this.memory.i32, lockBase + LOCK_WORD.b) !== this.i32[ctx + VCPU_CTX.lockAux];
  }

  override isQueued(ctx: number): boolean {
    return this.i32[ctx + VCPU_CTX.lockPhase] === TICKET_PHASE.WAIT;
  }

  override waitTarget(lockBase: number, ctx: number): number {
    if (this.i32[ctx + VCPU_CTX.lockPhase] !== TICKET_PHASE.WAIT) return -1;
    return this.memory.load(this.memory.i32, lockBase + LOCK_WORD.owner) - 1;
  }

  override isNextOwner(lockBase: number, waiterCtx: number): boolean {
    const i32 = this.i32;
    return (
      i32[waiterCtx + VCPU_CTX.lockPhase] === TICKET_PHASE.WAIT &&
      i32[waiterCtx + VCPU_CTX.lockAux] === this.memory.load(this.memory.i32, lockBase + LOCK_WORD.b)
    );
  }

  override haltOn(lockBase: number, ctx: number, _vcpu: number, hvBase: number): number {
    const i32 = this.i32;
    if (i32[ctx + VCPU_CTX.lockPhase] !== TICKET_PHASE.WAIT) return HALT_KIND.NONE;
    // Sleep until "now serving" shows my ticket (kvm_lock_spinning's `head == want` check).
    return sleepUntilEqual(i32, hvBase, lockBase + LOCK_WORD.b, i32[ctx + VCPU_CTX.lockAux]!);
  }
}
