/**
 * Preemptable ticket spinlock: Ouyang and Lange, "Preemptable Ticket Spinlocks: Improving
 * Consolidated Performance in the Cloud" (VEE 2013), as the authors' Linux patch of x86
 * `__ticket_spin_lock` / `__ticket_spin_unlock` (arch/x86/include/asm/spinlock.h, the version
 * published with the paper) implements it. A ticket lock in which the tickets order only the
 * timely waiters: a waiter that has waited longer than a timeout proportional to its distance
 * from the head of the line presumes that an earlier waiter was preempted, and competes for the
 * lock out of turn, so that a preempted waiter no longer blocks everyone behind it
 * (lock-waiter preemption). Fairness is given up only when the line stops moving.
 *
 * The algorithm. Mutual exclusion rests on the flag alone; the tickets only decide who tries.
 *   lock     take ticket t = tail++ (fetch-and-add); distance d = t - head. d = 0: straight to
 *            the flag. Otherwise poll head with a countdown of d × TIMEOUT_UNIT polls, set afresh
 *            from the new distance whenever head moves; when head reaches t (in turn) or the
 *            countdown runs out (timed out), go to the flag.
 *   flag     test-and-set until won.
 *   unlock   head++, then clear the flag. Head counts releases ("now serving"), whoever made
 *            them, so the next ticket still sees its turn after an acquisition out of turn.
 * A consequence of counting releases: while a passed waiter has not acquired, head stays one
 * short of the line, so each later waiter (even one arriving at a free lock) waits out one
 * timeout; the lag ends when the passed waiter, its turn gone by, takes the flag.
 * Constant: TIMEOUT_UNIT = 1 << 14 polls per position in line, the patch's TIMEOUT_UNIT (the
 * authors' later versions make it a shift, default 14, later 8). One of the patch's polls is a
 * read of head and a cpu_relax: the simulator's spin iteration (virtualCosts.spinNs, ~30 ns),
 * so the factor is 1, and a position in line waits 16384 spins, about 0.5 ms.
 *
 * Contract: word `a` is the tail (next ticket to hand out), `b` the head (releases so far);
 * `owner` is the flag: the holder's vCPU id + 1, 0 when free. FIFO as a rule (`fifo`): while the
 * line moves, waiters are served in ticket order; out of turn only after a timeout, which a
 * preempted earlier waiter causes, and then `lockSteals` counts the acquisition.
 * Context: lockPhase TAKE → LINE (holding ticket `lockAux`, polling head) → FLAG (in turn) or
 * TIMED_OUT (out of turn), both competing for the flag and still holding the ticket; in LINE,
 * `backoff` is the head last seen and `backoffLeft` the polls left before the timeout. Only a
 * TIMED_OUT win reads head again, to tell a steal (head short of the ticket) from a win that
 * came in turn after all: the uncontended path makes no such read.
 *
 * Simplifications, and why:
 * - The patch's xadd returns head and tail together; here they are two words, and the TAKE
 *   step reads head right after its add, in the same step: a distance at least as fresh.
 * - The patch's test-and-set is xchg(&acquired, 1); here a compare-and-swap 0 → id + 1: the same
 *   outcome, but a failed one writes nothing (what the virtual engine's parked polls rely on),
 *   and the flag names its holder, which is the wait target.
 * - Distances are signed 32-bit differences, and a waiter whose turn head has passed goes to
 *   the flag (the published version's `tail <= head`); wrap-around, which the authors' v2.0
 *   fixed for 16-bit tickets, is harmless here.
 * - pv-halt (the patch has no paravirtual slow path): only a LINE waiter may halt, "until head
 *   shows my ticket" (HALT_KIND.TURN), and the unlocker kicks the halted waiter whose ticket
 *   head has reached. A halted waiter does not poll, so it cannot time out while asleep: later
 *   waiters may time out and pass it, and it wakes at its turn. A flag waiter cannot halt: a
 *   release hands the flag to nobody in particular, and its one kick could not reach every
 *   flag waiter whose wait it ends; it spins, as the patch's flag loop does.
 */
import { HALT_KIND } from '../../hv/hypercalls.js';
import { VC } from '../../events/table.js';
import type { Machine } from '../../shm/layout.js';
import { LOCK_WORD, VCPU_CTX } from '../../shm/layout.js';
import { sleepUntilEqual } from '../halt-kick.js';
import { LOCK_STEP, SpinLock } from './spin-lock.js';

/** Polls a waiter spends per position between it and the head of the line before it times out (the patch's TIMEOUT_UNIT, 1 << 14). */
export const PT_TIMEOUT_UNIT = 1 << 14;

export const PT_PHASE = { TAKE: 0, LINE: 1, FLAG: 2, TIMED_OUT: 3 } as const;

export class PreemptableTicketLock extends SpinLock {
  readonly kind = 'preemptable-ticket' as const;
  /** Served in ticket order while the line moves; out of turn only after a timeout. */
  override readonly fifo = true;
  private readonly f64: Float64Array;

  /** `timeoutUnit`: polls per position in line (tests shorten it; runs use the patch's). */
  constructor(
    machine: Machine,
    readonly timeoutUnit: number = PT_TIMEOUT_UNIT,
  ) {
    super(machine);
    if (!Number.isInteger(timeoutUnit) || timeoutUnit < 1) throw new Error(`preemptable-ticket: timeout unit ${timeoutUnit} is not a positive integer`);
    this.f64 = machine.f64;
  }

  acquireStep(lockBase: number, ctx: number, vcpu: number): number {
    const { i32, memory } = this;
    const phase = i32[ctx + VCPU_CTX.lockPhase]!;
    if (phase >= PT_PHASE.FLAG) {
      // Test-and-set. Partner: the release's store of 0, which publishes the critical section.
      if (memory.compareExchange(memory.i32, lockBase + LOCK_WORD.owner, 0, vcpu + 1) !== 0) return LOCK_STEP.SPIN;
      // Timed out and head still short of my ticket: in before my turn (the counter is this vCPU's own).
      if (phase === PT_PHASE.TIMED_OUT && ((i32[ctx + VCPU_CTX.lockAux]! - memory.load(memory.i32, lockBase + LOCK_WORD.b)) | 0) > 0)
        this.f64[this.layout.vcpuCounterBase(vcpu) + VC.lockSteals]! += 1;
      return LOCK_STEP.DONE;
    }
    if (phase === PT_PHASE.TAKE) {
      // Partner: other arrivals' adds; the ticket orders me among the timely waiters.
      const ticket = memory.add(memory.i32, lockBase + LOCK_WORD.a, 1);
      // Partner: the release's add to head.
      const head = memory.load(memory.i32, lockBase + LOCK_WORD.b);
      i32[ctx + VCPU_CTX.lockAux] = ticket;
      const distance = (ticket - head) | 0;
      if (distance <= 0) {
        // Nobody ahead: straight to the flag, as the patch's `head == tail` fast path.
        i32[ctx + VCPU_CTX.lockPhase] = PT_PHASE.FLAG;
        return LOCK_STEP.PROGRESS;
      }
      i32[ctx + VCPU_CTX.backoff] = head;
      i32[ctx + VCPU_CTX.backoffLeft] = distance * this.timeoutUnit;
      i32[ctx + VCPU_CTX.lockPhase] = PT_PHASE.LINE;
      return LOCK_STEP.PROGRESS;
    }
    // LINE: poll head. Partner: the release's add to head.
    const head = memory.load(memory.i32, lockBase + LOCK_WORD.b);
    const distance = (i32[ctx + VCPU_CTX.lockAux]! - head) | 0;
    if (distance <= 0) {
      // My turn (or past it: a timed-out waiter's release counted in my place).
      i32[ctx + VCPU_CTX.lockPhase] = PT_PHASE.FLAG;
      return LOCK_STEP.PROGRESS;
    }
    let left = i32[ctx + VCPU_CTX.backoffLeft]!;
    if (head !== i32[ctx + VCPU_CTX.backoff]) {
      // The line moved: the timeout starts afresh, for the new distance.
      i32[ctx + VCPU_CTX.backoff] = head;
      left = distance * this.timeoutUnit;
    } else if (left === 0) {
      // Timed out: an earlier waiter is presumably preempted; compete for the flag out of turn.
      i32[ctx + VCPU_CTX.lockPhase] = PT_PHASE.TIMED_OUT;
      return LOCK_STEP.PROGRESS;
    }
    i32[ctx + VCPU_CTX.backoffLeft] = left - 1;
    return LOCK_STEP.SPIN;
  }

  releaseStep(lockBase: number): number {
    const memory = this.memory;
    // Head first, as the patch: the next ticket sees its turn. Only the holder writes head.
    memory.add(memory.i32, lockBase + LOCK_WORD.b, 1);
    // Then the flag; publishes the critical section's writes. Partner: the flag's test-and-set.
    memory.store(memory.i32, lockBase + LOCK_WORD.owner, 0);
    return LOCK_STEP.DONE;
  }

  override certainSpins(lockBase: number, ctx: number): number {
    const { i32, memory } = this;
    if (i32[ctx + VCPU_CTX.lockPhase]! >= PT_PHASE.FLAG) return memory.load(memory.i32, lockBase + LOCK_WORD.owner) !== 0 ? Infinity : 0;
    // LINE: while head stays where the last poll saw it, the countdown's polls spin and the one
    // after them times out. A head that moved since (not right after my own poll) resets the
    // countdown, which skipSpins cannot see: then nothing is certain.
    if (memory.load(memory.i32, lockBase + LOCK_WORD.b) !== i32[ctx + VCPU_CTX.backoff]) return 0;
    return i32[ctx + VCPU_CTX.backoffLeft]!;
  }

  override wouldSpin(lockBase: number, ctx: number, _vcpu: number, releasing: boolean): boolean {
    const { i32, memory } = this;
    if (releasing) return false;
    const phase = i32[ctx + VCPU_CTX.lockPhase]!;
    if (phase >= PT_PHASE.FLAG) return memory.load(memory.i32, lockBase + LOCK_WORD.owner) !== 0;
    // LINE: a head that moved changes what the next poll does (my turn, or a fresh timeout);
    // an unmoved one spins until the countdown is spent. (`backoffLeft` is as of my last poll:
    // a virtual engine asks only within the polls certainSpins allowed, all before it is spent.)
    return phase === PT_PHASE.LINE && memory.load(memory.i32, lockBase + LOCK_WORD.b) === i32[ctx + VCPU_CTX.backoff] && i32[ctx + VCPU_CTX.backoffLeft]! > 0;
  }

  override skipSpins(ctx: number, spins: number): void {
    // LINE polls count the timeout down (head unmoved: certainSpins allowed no more); a failed
    // test-and-set leaves nothing behind.
    const i32 = this.i32;
    if (i32[ctx + VCPU_CTX.lockPhase] !== PT_PHASE.LINE) return;
    const left = i32[ctx + VCPU_CTX.backoffLeft]!;
    i32[ctx + VCPU_CTX.backoffLeft] = left > spins ? left - spins : 0;
  }

  override isQueued(ctx: number): boolean {
    // Holds a ticket: a preempted holder of the next ticket stalls the line until the waiters
    // behind it time out.
    return this.i32[ctx + VCPU_CTX.lockPhase] !== PT_PHASE.TAKE;
  }

  override waitTarget(lockBase: number, ctx: number): number {
    if (this.i32[ctx + VCPU_CTX.lockPhase] === PT_PHASE.TAKE) return -1;
    // The flag names the holder (-1 when free).
    return this.memory.load(this.memory.i32, lockBase + LOCK_WORD.owner) - 1;
  }

  override isNextOwner(lockBase: number, waiterCtx: number): boolean {
    // A LINE waiter whose ticket head has reached: the one whose turn this release made, or one
    // whose turn went by while it went to sleep (threads engine: a steal and its release between
    // a release and its unlocker's look at the halt record), which this release's kick wakes
    // instead of leaving it to sleep on a head that will not come back to its ticket.
    const i32 = this.i32;
    return (
      i32[waiterCtx + VCPU_CTX.lockPhase] === PT_PHASE.LINE &&
      ((i32[waiterCtx + VCPU_CTX.lockAux]! - this.memory.load(this.memory.i32, lockBase + LOCK_WORD.b)) | 0) <= 0
    );
  }

  override haltOn(lockBase: number, ctx: number, _vcpu: number, hvBase: number): number {
    const { i32, memory } = this;
    if (i32[ctx + VCPU_CTX.lockPhase] !== PT_PHASE.LINE) return HALT_KIND.NONE;
    const ticket = i32[ctx + VCPU_CTX.lockAux]!;
    // Head at or past my ticket: poll instead (a halt until head equals it would not end if head
    // has passed it). Partner: the release's add to head.
    if (((ticket - memory.load(memory.i32, lockBase + LOCK_WORD.b)) | 0) <= 0) return HALT_KIND.NONE;
    // Sleep until "now serving" shows my ticket; asleep, the countdown does not run.
    return sleepUntilEqual(i32, hvBase, lockBase + LOCK_WORD.b, ticket);
  }
}
