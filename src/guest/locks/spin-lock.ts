/**
 * `SpinLock`, the base every guest lock algorithm extends: the contract of the lock seam, and
 * its defaults, so that a lock states only what it does differently.
 *
 * A lock is a resumable state machine: each call performs one step (one atomic operation, or
 * one poll) and leaves its progress in the vCPU's context (`VCPU_CTX.lockPhase`, `lockAux`,
 * `backoff*`), so the vCPU may be descheduled between any two steps, in the middle of
 * acquiring, holding or releasing, and resumed on another pCPU. How a waiter waits (spin on,
 * notify, halt) is not the lock's business: the caller applies a spin-wait policy to every SPIN
 * the lock reports.
 *
 * Lock word values name a vCPU as its global id + 1, so 0 always means "nobody".
 *
 * The wait seam: a lock names its waiter's **wait target** (the vCPU that holds it, or for a
 * queued lock the predecessor in the queue, as Linux's `pv_wait_node(node, prev)` sees it),
 * and after a release it tells which waiter it was handed to (`isNextOwner`), so that a
 * paravirtual unlock can kick that one.
 *
 * The defaults, in two groups:
 * - native: a lock with no line (`fifo` and `isQueued` false), whose SPIN is a pure poll: it
 *   writes nothing and fails while the lock's words say so (`certainSpins` Infinity,
 *   `skipSpins` nothing: a lock whose spins count something down overrides both); and the safe
 *   answers where a lock has not said more (`wouldSpin` "cannot tell", `waitTarget` unknown).
 * - paravirtual (pv-halt, whose guest half is ../halt-kick.ts): hooks that do nothing, as
 *   Linux's `__pv_init_node`, `__pv_wait_node`, `__pv_kick_node` and `__pv_wait_head_or_lock`
 *   are empty inlines in the native build (kernel/locking/qspinlock.c): `haltOn` refuses (the
 *   waiter spins on), `isNextOwner` names nobody (nobody halted, nobody to kick), no wait early.
 * A default is written as its signature, which a lock overrides, then a body that ignores the
 * arguments. The hot methods, `acquireStep` and `releaseStep`, have no default: each lock's
 * own, called directly.
 */
import type { LockKind } from '../../config/schema.js';
import { HALT_KIND } from '../../hv/hypercalls.js';
import type { Layout, Machine } from '../../shm/layout.js';
import type { SharedMemory } from '../../shm/memory.js';

/** Step results. */
export const LOCK_STEP = {
  /** The caller owns the lock (acquire) or has let it go (release). */
  DONE: 0,
  /** One spin iteration: the caller must wait and call again. */
  SPIN: 1,
  /** Progress that is not a spin (ticket taken, node linked); call again. */
  PROGRESS: 2,
} as const;

export abstract class SpinLock {
  abstract readonly kind: LockKind;
  /** Waiters are served in arrival order, so preempting a queued waiter stalls everyone behind it. */
  readonly fifo: boolean = false;
  protected readonly memory: SharedMemory;
  /** The machine's words, for the context's plain reads and writes (`memory.i32`, the same array). */
  protected readonly i32: Int32Array;
  protected readonly layout: Layout;

  constructor(machine: Machine) {
    this.memory = machine.memory;
    this.i32 = machine.i32;
    this.layout = machine.layout;
  }

  /**
   * One step of acquiring. `lockBase` is the lock's i32 base, `ctx` the vCPU's context base,
   * `vcpu` its global id. The context's lockPhase is 0 at the first call.
   */
  abstract acquireStep(lockBase: number, ctx: number, vcpu: number): number;

  /** One step of releasing; lockPhase is 0 at the first call. */
  abstract releaseStep(lockBase: number, ctx: number, vcpu: number): number;

  // ---- native defaults ------------------------------------------------------------------

  /** Whether a vCPU in the middle of acquiring is queued (holds a place in line). Default: no line. */
  isQueued(ctx: number): boolean;
  isQueued(): boolean {
    return false;
  }

  /**
   * Right after a SPIN: how many further steps would certainly SPIN too if nobody else wrote
   * the lock meanwhile (Infinity when the lock is seen held; a backoff's remaining pauses when
   * it is free). What a virtual engine may fast-forward instead of polling. Default: a SPIN is
   * a poll that saw the lock taken; until someone else writes, every poll does.
   */
  certainSpins(lockBase: number, ctx: number): number;
  certainSpins(): number {
    return Infinity;
  }

  /** The context change of `spins` such SPIN results in a row (a backoff countdown). Default: a failed poll leaves nothing behind. */
  skipSpins(ctx: number, spins: number): void;
  skipSpins(): void {
    // Nothing to count down.
  }

  /**
   * For a waiter whose last step was a SPIN, with none of its own steps since: whether its next
   * step would certainly SPIN again, reading the lock's words as they are now (`releasing`: it
   * is waiting in releaseStep, not acquireStep). A failed poll writes nothing, so a virtual
   * engine asks this after another vCPU's lock step and leaves the waiter's polls skipped when
   * the answer is true. Default: false, the lock cannot tell (the waiter polls again).
   */
  wouldSpin(lockBase: number, ctx: number, vcpu: number, releasing: boolean): boolean;
  wouldSpin(): boolean {
    return false;
  }

  /**
   * The vCPU a waiter in the middle of acquiring waits for: the holder, or its predecessor in
   * the queue; -1 when unknown (the lock looks free, or the waiter has no place yet). A hint
   * read from shared words, as a real guest reads it: it may be stale by the time it is used.
   * Default: unknown.
   */
  waitTarget(lockBase: number, ctx: number, vcpu: number): number;
  waitTarget(): number {
    return -1;
  }

  // ---- paravirtual hooks (pv-halt; the protocol: ../halt-kick.ts), doing nothing by default

  /**
   * A waiter about to halt (pv-halt): writes its conditional halt, "sleep until it is my turn",
   * into the vCPU's hypervisor block at `hvBase` (with `conditionalHalt` or `sleepUntilEqual`,
   * ../halt-kick.ts) and returns what it waits for (a `HALT_KIND`); or returns HALT_KIND.NONE
   * when this waiter cannot sleep now (it holds no place that a release would hand the lock to).
   * May write the lock (qspinlock's head marks it slow), never so that a waiter's failed poll
   * would succeed. Default: NONE, the waiter spins on.
   */
  haltOn(lockBase: number, ctx: number, vcpu: number, hvBase: number): number;
  haltOn(): number {
    return HALT_KIND.NONE;
  }

  /**
   * Right after `releaser`'s release: whether waiter `waiter` (context `waiterCtx`) is the one
   * the lock was handed to (FIFO locks: the next in line), or, for an unfair lock, one that may
   * take it now (any waiter). The unlock kicks the halted waiter it names. Default: nobody.
   */
  isNextOwner(lockBase: number, waiterCtx: number, waiter: number, releaser: number): boolean;
  isNextOwner(): boolean {
    return false;
  }

  /** Whether the lock has Linux's paravirtual "wait early" hook (`earlyWaitTarget` may answer). */
  readonly waitsEarly: boolean = false;

  /**
   * The "wait early" hook (Linux's pv_wait_node): for a waiter queued behind a predecessor whose
   * hand-over it needs (not yet the queue head), that predecessor's vCPU, so that pv-halt may
   * halt at once when that vCPU is preempted; -1 for every other waiter. Default: -1 (asked
   * only when `waitsEarly` is true).
   */
  earlyWaitTarget(lockBase: number, ctx: number, vcpu: number): number;
  earlyWaitTarget(): number {
    return -1;
  }
}
