/**
 * The vCPU state word: which scheduling state a vCPU is in, on which pCPU when running, and
 * whether it has an entry in a run queue. A vCPU runs on at most one pCPU, always: it is
 * claimed only by a compare-and-swap from RUNNABLE, and only its owner moves it back.
 *
 * Encoding: bits 0-3 the state code, bits 4-15 the pCPU id when RUNNING, bit 16 QUEUED.
 *
 * QUEUED keeps each vCPU to at most one run-queue entry. A directed yield claims a vCPU
 * without popping its entry, which stays behind, stale; if every release pushed a new entry,
 * vCPUs yielding back and forth would fill the queues. So a release pushes only when QUEUED
 * was clear (the old entry, if any, is live again otherwise), and whoever pops an entry clears
 * the bit in the same compare-and-swap that claims the vCPU or finds it running elsewhere.
 * Holding the flag in the state word makes "runnable and findable" one atomic fact.
 *
 * Ownership: whoever wins RUNNABLE → RUNNING(p) owns the vCPU's context until it releases it;
 * the seq-cst compare-and-swap publishes the context written before it to the next owner.
 */
import { VCPU_SHARED } from '../shm/layout.js';

export const VCPU_STATE = {
  /** Not yet initialised. */
  NEW: 0,
  /** Waiting in a run queue (or about to be pushed) for a pCPU. */
  RUNNABLE: 1,
  /** On a pCPU; the pCPU id sits in bits 4-15. */
  RUNNING: 2,
} as const;

/** The vCPU has an entry in some run queue (live if RUNNABLE, stale if RUNNING). */
export const QUEUED = 1 << 16;

const CODE_MASK = 0xf;

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

/**
 * Claims a runnable vCPU for `pcpu` without touching its queue entry (directed yield, bare
 * metal's binding). Partner: the owner's release.
 */
export function claim(i32: Int32Array, sharedBase: number, pcpu: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  const word = Atomics.load(i32, index);
  if (stateCode(word) !== VCPU_STATE.RUNNABLE) return false;
  return Atomics.compareExchange(i32, index, word, runningOn(pcpu) | (word & QUEUED)) === word;
}

/**
 * The popper of a queue entry: claims the vCPU if it is runnable (clearing QUEUED: its entry is
 * gone), else drops the stale entry's mark. Partner: `releaseToQueue`.
 */
export function claimPopped(i32: Int32Array, sharedBase: number, pcpu: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  // Plain first read: the CAS validates it, and a retry takes the value the CAS saw.
  let word = i32[index]!;
  for (;;) {
    const runnable = stateCode(word) === VCPU_STATE.RUNNABLE;
    const seen = Atomics.compareExchange(i32, index, word, runnable ? runningOn(pcpu) : word & ~QUEUED);
    if (seen === word) return runnable;
    word = seen;
  }
}

/**
 * The owner gives a running vCPU back, marked QUEUED; returns a `RELEASED` code. A popper may
 * clear QUEUED concurrently (a stale entry), hence the loop.
 */
export function releaseToQueue(i32: Int32Array, sharedBase: number, pcpu: number): number {
  const index = sharedBase + VCPU_SHARED.state;
  // Plain first read: only this owner changes the RUNNING(pcpu) part; the CAS checks the rest.
  let word = i32[index]!;
  for (;;) {
    if ((word & ~QUEUED) !== runningOn(pcpu)) return RELEASED.NOT_OWNER;
    const seen = Atomics.compareExchange(i32, index, word, VCPU_STATE.RUNNABLE | QUEUED);
    if (seen === word) return word & QUEUED ? RELEASED.ALREADY_QUEUED : RELEASED.PUSH;
    word = seen;
  }
}

/** Bare metal's end of run: the owner gives the vCPU back, with no queue involved. */
export function release(i32: Int32Array, sharedBase: number, pcpu: number): boolean {
  const index = sharedBase + VCPU_SHARED.state;
  return Atomics.compareExchange(i32, index, runningOn(pcpu), VCPU_STATE.RUNNABLE) === runningOn(pcpu);
}

/** Every queue refused the push (a broken invariant, counted by the caller): the vCPU has no entry. */
export function clearQueued(i32: Int32Array, sharedBase: number): void {
  Atomics.and(i32, sharedBase + VCPU_SHARED.state, ~QUEUED);
}

/** Whether the vCPU is runnable but not running: preempted (KVM's candidate for a directed yield). */
export function isPreempted(i32: Int32Array, sharedBase: number): boolean {
  return stateCode(Atomics.load(i32, sharedBase + VCPU_SHARED.state)) === VCPU_STATE.RUNNABLE;
}
