/**
 * The vCPU state word: which scheduling state a vCPU is in, on which pCPU when running, whether
 * it has an entry in a run queue, and whether a kick is pending. A vCPU runs on at most one
 * pCPU, always: it is claimed only by a compare-and-swap from RUNNABLE, and only its owner
 * moves it back.
 *
 * Encoding: bits 0-3 the state code, bits 4-15 the pCPU id when RUNNING, bit 16 QUEUED, bit 17
 * KICK_PENDING.
 *
 * States:
 *   RUNNABLE   waiting for a pCPU (in a run queue, or about to be pushed).
 *   RUNNING(p) on pCPU p, which owns the vCPU's context.
 *   HALTED     asleep after a conditional halt (hv/hypercalls.ts): in no run queue (an entry
 *              left from before is stale and dropped when popped), never picked, owned by nobody
 *              until a kick claims it.
 *   WAKING     a kicker has claimed the halted vCPU and is making it runnable: it owns the
 *              context (steal clock, wake-up time) until it stores RUNNABLE.
 *
 * QUEUED keeps each vCPU to at most one run-queue entry. A directed yield claims a vCPU
 * without popping its entry, which stays behind, stale; if every release pushed a new entry,
 * vCPUs yielding back and forth would fill the queues. So a release pushes only when QUEUED
 * was clear (the old entry, if any, is live again otherwise), and whoever pops an entry clears
 * the bit in the same compare-and-swap that claims the vCPU or finds it not runnable.
 * Holding the flag in the state word makes "runnable and findable" one atomic fact.
 *
 * KICK_PENDING is Linux's pending wake-up for `pv_wait(ptr, val)` (KVM's pv_unhalted): a kick
 * that finds its target still RUNNING (it has checked its halt condition but not yet halted)
 * sets the bit, and the halt's compare-and-swap, which expects the bit clear, fails and
 * consumes it instead of sleeping. The kick and the halt meet on this one word, so a kick sent
 * before the target has finished halting is never lost.
 *
 * Ownership: whoever wins RUNNABLE → RUNNING(p) owns the vCPU's context until it releases it;
 * a kicker that wins HALTED → WAKING owns it until it stores RUNNABLE. The seq-cst
 * compare-and-swap (or store) publishes the context written before it to the next owner.
 */
import type { SharedMemory } from '../shm/memory.js';
import { VCPU_SHARED } from '../shm/layout.js';

export const VCPU_STATE = {
  /** Not yet initialised. */
  NEW: 0,
  /** Waiting in a run queue (or about to be pushed) for a pCPU. */
  RUNNABLE: 1,
  /** On a pCPU; the pCPU id sits in bits 4-15. */
  RUNNING: 2,
  /** Asleep on a conditional halt, until kicked. */
  HALTED: 3,
  /** Claimed by a kicker that is making it runnable. */
  WAKING: 4,
} as const;

/** The vCPU has an entry in some run queue (live if RUNNABLE, stale otherwise). */
export const QUEUED = 1 << 16;
/** A kick reached the vCPU while it was running: its next halt returns at once. */
export const KICK_PENDING = 1 << 17;

const CODE_MASK = 0xf;
/** The state code and pCPU id, without the flag bits. */
const PLACE_MASK = 0xffff;

export const runningOn = (pcpu: number): number => VCPU_STATE.RUNNING | (pcpu << 4);
export const stateCode = (word: number): number => word & CODE_MASK;
export const pcpuOf = (word: number): number => (word >>> 4) & 0xfff;

/** What `releaseToQueue` found. */
export const RELEASED = {
  /** The word was not RUNNING on this pCPU: a broken invariant. */
  NOT_OWNER: 0,
  /** Released and marked QUEUED: the caller must push an entry. */
  PUSH: 1,
  /** Released; an entry already exists (left by a directed yield) and is live again. */
  ALREADY_QUEUED: 2,
} as const;

/** What `haltRunning` did. */
export const HALTED = {
  /** The vCPU is HALTED; its pCPU no longer owns it. */
  HALTED: 0,
  /** A kick was pending: consumed, the vCPU stays RUNNING on this pCPU. */
  KICKED: 1,
  /** The word was not RUNNING on this pCPU: a broken invariant. */
  NOT_OWNER: 2,
} as const;

/** What `kickVcpu` found. */
export const KICKED = {
  /** It was HALTED: the caller now owns it (WAKING) and must call `finishWake`. */
  WAKE: 0,
  /** It was RUNNING: KICK_PENDING set, its next halt returns at once. */
  PENDING: 1,
  /** It was RUNNABLE or being woken by another kicker: nothing to do. */
  NOT_HALTED: 2,
} as const;

/**
 * Claims a runnable vCPU for `pcpu` without touching its queue entry (directed yield, bare
 * metal's binding). Partner: the owner's release.
 */
export function claim(memory: SharedMemory, sharedBase: number, pcpu: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  const word = memory.load(memory.i32, index);
  if (stateCode(word) !== VCPU_STATE.RUNNABLE) return false;
  return memory.compareExchange(memory.i32, index, word, runningOn(pcpu) | (word & ~PLACE_MASK)) === word;
}

/**
 * The popper of a queue entry: claims the vCPU if it is runnable (clearing QUEUED: its entry is
 * gone), else drops the stale entry's mark. Partner: `releaseToQueue`, `finishWake`.
 */
export function claimPopped(memory: SharedMemory, sharedBase: number, pcpu: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  // Plain first read (both engines): the CAS validates it, and a retry takes the value the CAS saw.
  let word = memory.i32[index]!;
  for (;;) {
    const runnable = stateCode(word) === VCPU_STATE.RUNNABLE;
    const seen = memory.compareExchange(memory.i32, index, word, runnable ? runningOn(pcpu) | (word & KICK_PENDING) : word & ~QUEUED);
    if (seen === word) return runnable;
    word = seen;
  }
}

/**
 * The owner gives a running vCPU back, marked QUEUED; returns a `RELEASED` code. A popper may
 * clear QUEUED concurrently (a stale entry), and a kicker may set KICK_PENDING (kept: the next
 * halt consumes it), hence the loop.
 */
export function releaseToQueue(memory: SharedMemory, sharedBase: number, pcpu: number): number {
  const index = sharedBase + VCPU_SHARED.state;
  // Plain first read (both engines): only this owner changes the RUNNING(pcpu) part; the CAS checks the rest.
  let word = memory.i32[index]!;
  for (;;) {
    if ((word & PLACE_MASK) !== runningOn(pcpu)) return RELEASED.NOT_OWNER;
    const seen = memory.compareExchange(memory.i32, index, word, VCPU_STATE.RUNNABLE | QUEUED | (word & KICK_PENDING));
    if (seen === word) return word & QUEUED ? RELEASED.ALREADY_QUEUED : RELEASED.PUSH;
    word = seen;
  }
}

/**
 * The owner halts its running vCPU: RUNNING(pcpu) → HALTED, unless a kick is pending, which it
 * consumes instead. Returns a `HALTED` code. Partner: `kickVcpu`'s KICK_PENDING and its claim of
 * a HALTED word.
 */
export function haltRunning(memory: SharedMemory, sharedBase: number, pcpu: number): number {
  const index = sharedBase + VCPU_SHARED.state;
  let word = memory.load(memory.i32, index);
  for (;;) {
    if ((word & PLACE_MASK) !== runningOn(pcpu)) return HALTED.NOT_OWNER;
    const kicked = (word & KICK_PENDING) !== 0;
    const seen = memory.compareExchange(memory.i32, index, word, kicked ? word & ~KICK_PENDING : VCPU_STATE.HALTED | (word & QUEUED));
    if (seen === word) return kicked ? HALTED.KICKED : HALTED.HALTED;
    word = seen;
  }
}

/**
 * The owner of a running vCPU takes a pending kick, if any (a halt that does not go ahead
 * consumes it as the halt's compare-and-swap would). Returns whether one was pending. Partner:
 * `kickVcpu`'s KICK_PENDING.
 */
export function takePendingKick(memory: SharedMemory, sharedBase: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  if ((memory.load(memory.i32, index) & KICK_PENDING) === 0) return false;
  memory.and(memory.i32, index, ~KICK_PENDING);
  return true;
}

/**
 * A kick: claims a HALTED vCPU for waking (WAKING: the caller owns it and must `finishWake`),
 * or marks a RUNNING one KICK_PENDING. Returns a `KICKED` code. Partner: `haltRunning`.
 */
export function kickVcpu(memory: SharedMemory, sharedBase: number): number {
  const index = sharedBase + VCPU_SHARED.state;
  let word = memory.load(memory.i32, index);
  for (;;) {
    const code = stateCode(word);
    let next: number;
    if (code === VCPU_STATE.HALTED) next = VCPU_STATE.WAKING | (word & QUEUED);
    else if (code === VCPU_STATE.RUNNING && (word & KICK_PENDING) === 0) next = word | KICK_PENDING;
    else return code === VCPU_STATE.RUNNING ? KICKED.PENDING : KICKED.NOT_HALTED;
    const seen = memory.compareExchange(memory.i32, index, word, next);
    if (seen === word) return code === VCPU_STATE.HALTED ? KICKED.WAKE : KICKED.PENDING;
    word = seen;
  }
}

/**
 * The kicker ends a wake-up: WAKING → RUNNABLE, marked QUEUED. Returns true when the caller must
 * push an entry (false: a stale entry from before the halt is live again). A popper may drop
 * that stale entry meanwhile, clearing QUEUED, hence the loop. Partner: `claimPopped`.
 */
export function finishWake(memory: SharedMemory, sharedBase: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  let word = memory.load(memory.i32, index);
  for (;;) {
    const seen = memory.compareExchange(memory.i32, index, word, VCPU_STATE.RUNNABLE | QUEUED);
    if (seen === word) return (word & QUEUED) === 0;
    word = seen;
  }
}

/** Bare metal's end of run: the owner gives the vCPU back, with no queue involved. */
export function release(memory: SharedMemory, sharedBase: number, pcpu: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  return memory.compareExchange(memory.i32, index, runningOn(pcpu), VCPU_STATE.RUNNABLE) === runningOn(pcpu);
}

/** Every queue refused the push (a broken invariant, counted by the caller): the vCPU has no entry. */
export function clearQueued(memory: SharedMemory, sharedBase: number): void {
  memory.and(memory.i32, sharedBase + VCPU_SHARED.state, ~QUEUED);
}

/** Whether the vCPU is runnable but not running: preempted (KVM's candidate for a directed yield). */
export function isPreempted(memory: SharedMemory, sharedBase: number): boolean {
  return stateCode(memory.load(memory.i32, sharedBase + VCPU_SHARED.state)) === VCPU_STATE.RUNNABLE;
}
