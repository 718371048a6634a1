/**
 * The vCPU state word: which scheduling state a vCPU is in and, when running, on which pCPU.
 * Changed only by compare-and-swap, so that a vCPU runs on at most one pCPU, always: the CAS
 * that moves it to RUNNING is the one claim; the owner's CAS back to RUNNABLE releases it.
 *
 * Encoding: bits 0-3 the state code, bits 4-15 the pCPU id when RUNNING.
 * Ownership: whoever wins RUNNABLE → RUNNING(p) owns the vCPU's context until it CASes the word
 * back; the CAS's seq-cst ordering publishes the context written before it to the next owner.
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

const CODE_MASK = 0xf;

export const runningOn = (pcpu: number): number => VCPU_STATE.RUNNING | (pcpu << 4);
export const stateCode = (word: number): number => word & CODE_MASK;
export const pcpuOf = (word: number): number => word >>> 4;

/** Claims a runnable vCPU for `pcpu`. Partner: `release` by the previous owner. */
export function claim(i32: Int32Array, sharedBase: number, pcpu: number): boolean {
  return Atomics.compareExchange(i32, sharedBase + VCPU_SHARED.state, VCPU_STATE.RUNNABLE, runningOn(pcpu)) === VCPU_STATE.RUNNABLE;
}

/** Gives a running vCPU back (it becomes runnable). False means the word was not RUNNING(pcpu): a broken invariant. */
export function release(i32: Int32Array, sharedBase: number, pcpu: number): boolean {
  return Atomics.compareExchange(i32, sharedBase + VCPU_SHARED.state, runningOn(pcpu), VCPU_STATE.RUNNABLE) === runningOn(pcpu);
}

/** Whether the vCPU is runnable but not running: preempted (KVM's candidate for a directed yield). */
export function isPreempted(i32: Int32Array, sharedBase: number): boolean {
  return Atomics.load(i32, sharedBase + VCPU_SHARED.state) === VCPU_STATE.RUNNABLE;
}
