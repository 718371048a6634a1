/**
 * The guest half of paravirtual halt and kick, in one place: Linux's pv spinlocks
 * (kernel/locking/qspinlock_paravirt.h; for ticket locks before Linux 4.2, arch/x86/kernel/kvm.c
 * `kvm_lock_spinning` / `kvm_unlock_kick`), as KVM, Xen and Hyper-V guests run them. A waiter
 * that has spun long enough halts its vCPU instead of spinning on; the unlocker kicks the one
 * it hands the lock to. Here: when a waiter halts (the `pv-halt` policy), the halt condition a
 * lock writes, and the lock's halt record, through which the unlocker finds the waiter to kick.
 *
 * The host half is src/core/host/halt-kick.ts: the halt hypercall (it calls the lock's `haltOn`
 * and `registerHalt` below, then sleeps only if the condition still holds and no kick is
 * pending) and the kick (`Scheduler.kick`), with hv/wake.ts (the wake-up's books),
 * hv/vcpu-state.ts (HALTED, WAKING, KICK_PENDING) and hv/hypercalls.ts (HALT_MODE, HALT_KIND,
 * `haltConditionHolds`). The two hypercalls are Linux's:
 *   pv_wait(ptr, val)  HYPERCALL.HALT: sleep only if the word the lock named still says "not
 *                      yet" (the vCPU's VCPU_HV.haltWord, haltValue, haltMode) and no kick is
 *                      pending; made by the waiter, handled at the start of its next step
 *   pv_kick(cpu)       the unlock's kick, made inside the unlocking step, never left pending
 *
 * A waiter's states (Linux's pv_node `state`: vcpu_running, vcpu_hashed, vcpu_halted):
 *   spinning    not registered (VCPU_HV.haltLock -1): it polls, and `pv-halt` counts its spins.
 *               After haltThreshold of them (Linux's SPIN_THRESHOLD, 1 << 15), or at once
 *               when a lock that waits early finds its predecessor preempted (pv_wait_node's
 *               check every PREV_CHECK_SPINS), the policy answers HALT (so does
 *               preempted-aware's reaction, combined with pv-halt). The host asks the lock's
 *               `haltOn`: HALT_KIND.NONE (no place a release hands over) and it spins on;
 *               else the condition is written and the waiter registers:
 *   registered  in the lock's record (haltLock, LOCK_WORD.halted): the unlocker can find it
 *               (Linux's pv_hash, vcpu_hashed). The host then reads the condition: it no
 *               longer holds, or a kick is pending: deregistered, spinning again; else:
 *   halted      asleep (host state HALTED, VCPU_HV.asleep), in no run queue (vcpu_halted),
 *               until a kick:
 *   woken       kicked (VCPU_HV.woken, counted in LOCK_WORD.wakesInFlight), runnable, not yet
 *               polled. Its next poll (`resumeAfterHalt`) deregisters it: it owns the lock, or
 *               the poll failed (a spurious wake-up) and it is spinning again, and may halt
 *               again. A halt overtaken by a kick (threads engine: `haltRaces`) runs on
 *               registered until that poll too.
 * The unlocker: its release writes the lock word; then `findKickTarget` reads `halted` and, if
 * anyone is registered, scans the VM's vCPUs from its own successor for the registered, not yet
 * woken waiter the lock's `isNextOwner` names; the host kicks it.
 *
 * Each lock's hooks (SpinLock's `haltOn`, `isNextOwner`, `waitsEarly`/`earlyWaitTarget`; the
 * base's defaults are Linux's empty __pv_* hooks: nobody halts, nobody is kicked):
 *   lock                who may halt, until what (HALT_KIND)             whom an unlock kicks
 *   tas, ttas           any waiter, until the word is 0 (TURN)           the first one found
 *   ticket              a ticket holder, until `b` shows it (TURN)       the one `b` shows
 *   preemptable-ticket  a LINE waiter, until `b` shows its ticket (TURN) a LINE one `b` reached
 *   mcs                 a linked waiter, until its node is 0 (TURN)      the releaser's successor
 *   qspinlock           a node waiter, until its node is 0 (NODE; it     the pending waiter, else
 *                       waits early); the head and the pending waiter    the head (a node waiter
 *                       mark the lock slow and sleep while its locked    made head since: the
 *                       byte is _Q_SLOW_VAL (HEAD; TURN)                 lazy kick)
 *   unfair-queued       as qspinlock (its head clears pending first); stealers never halt
 *
 * The halt record (the Dekker pair that keeps a wake-up from being lost), modelled on Linux's
 * hash of halted lock waiters (pv_hash) and on the per-CPU `lock_waiting` records that
 * `kvm_unlock_kick` scanned (Linux 3.12-4.1). Words: per lock, LOCK_WORD.halted (vCPUs
 * registered) and LOCK_WORD.wakesInFlight (woken waiters that have not polled it since); per
 * vCPU, VCPU_HV.haltLock (the lock it is registered on, or -1) and the halt's word, value, mode.
 *   waiter    registers (haltLock, then an atomic add to `halted`), then reads the lock word
 *             (the halt condition), then halts with a compare-and-swap on its state word.
 *   unlocker  writes the lock word (the release), then reads `halted`; if anyone is
 *             registered, scans for the waiter the lock was handed to and kicks it.
 * Both are sequentially consistent, so either the unlocker sees the registration or the waiter
 * sees the release (and does not sleep). A kick that reaches the waiter between its check and
 * its halt sets KICK_PENDING, which the halt's compare-and-swap consumes (hv/vcpu-state.ts).
 *
 * Ownership: a vCPU registers and deregisters itself (its owner pCPU does); a kicker only reads
 * the registration, and while it owns the woken vCPU (WAKING) marks it woken (hv/wake.ts).
 */
import { VC } from '../events/table.js';
import { HALT_KIND, HALT_MODE, HYPERCALL } from '../hv/hypercalls.js';
import { vcpuIsPreempted } from '../hv/steal-time.js';
import type { Machine } from '../shm/layout.js';
import { LOCK_WORD, VCPU_CTX, VCPU_HV } from '../shm/layout.js';
import type { SpinLock } from './locks/spin-lock.js';
import type { SpinWaitPolicy } from './policies/spin-wait-policy.js';

// ---- when to halt: the pv-halt policy ------------------------------------------------------

/** pv_wait_node looks at its predecessor's state when (loop & PV_PREV_CHECK_MASK) == 0. */
export const PREV_CHECK_SPINS = 256;

/**
 * `pv-halt`: a waiter spins up to `haltThreshold` iterations (Linux's SPIN_THRESHOLD, 1 << 15,
 * arch/x86/include/asm/spinlock.h), then asks for the conditional halt. Wait early
 * (pv_wait_node, with PV_PREV_CHECK_MASK 0xff): on a lock with the hook (qspinlock), a waiter
 * queued behind a predecessor looks every PREV_CHECK_SPINS spins at whether the predecessor's
 * vCPU is preempted (hv/steal-time.ts) and, if so, halts at once instead of spinning out its
 * threshold. Context: `policySpins` counts spins since the wait began or the vCPU last asked to
 * halt; owner-written.
 */
export class PvHaltPolicy implements SpinWaitPolicy {
  readonly kind = 'pv-halt' as const;
  private readonly i32: Int32Array;
  private readonly waitsEarly: boolean;
  constructor(
    private readonly machine: Machine,
    private readonly lock: SpinLock,
    private readonly haltThreshold: number,
  ) {
    this.i32 = machine.i32;
    this.waitsEarly = lock.waitsEarly;
  }

  afterSpin(ctx: number, vcpu: number, lockBase: number): number {
    const spins = this.i32[ctx + VCPU_CTX.policySpins]! + 1;
    if (spins >= this.haltThreshold || (this.waitsEarly && spins % PREV_CHECK_SPINS === 0 && this.predecessorPreempted(ctx, vcpu, lockBase))) {
      this.i32[ctx + VCPU_CTX.policySpins] = 0;
      return HYPERCALL.HALT;
    }
    this.i32[ctx + VCPU_CTX.policySpins] = spins;
    return HYPERCALL.NONE;
  }

  /** pv_wait_early: the waiter's predecessor in the queue is preempted (counted: the halt it asks for is early). */
  private predecessorPreempted(ctx: number, vcpu: number, lockBase: number): boolean {
    const predecessor = this.lock.earlyWaitTarget(lockBase, ctx, vcpu);
    if (predecessor < 0 || !vcpuIsPreempted(this.machine, predecessor)) return false;
    this.machine.f64[this.machine.layout.vcpuCounterBase(vcpu) + VC.earlyWaits]! += 1;
    return true;
  }

  quietSpins(ctx: number): number {
    // afterSpin halts on the spin that brings the count to the threshold, and may on the next
    // multiple of PREV_CHECK_SPINS when the lock waits early.
    const spins = this.i32[ctx + VCPU_CTX.policySpins]!;
    const toThreshold = Math.max(0, this.haltThreshold - 1 - spins);
    if (!this.waitsEarly) return toThreshold;
    const toCheck = PREV_CHECK_SPINS - 1 - (spins % PREV_CHECK_SPINS);
    return toCheck < toThreshold ? toCheck : toThreshold;
  }

  addQuietSpins(ctx: number, spins: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = this.i32[ctx + VCPU_CTX.policySpins]! + spins;
  }

  waitEnded(ctx: number): void {
    this.i32[ctx + VCPU_CTX.policySpins] = 0;
  }
}

// ---- the halt condition a lock's haltOn writes ---------------------------------------------

/**
 * The conditional halt "sleep while (WHILE_EQUAL) or until (UNTIL_EQUAL) the word at `word`
 * equals `value`" (or while its low byte does, WHILE_LOW_BYTE_EQUAL), written into the vCPU's
 * hypervisor block at `hvBase`, waiting for `kind` (HALT_KIND). Returns `kind`.
 */
export function conditionalHalt(i32: Int32Array, hvBase: number, word: number, mode: number, value: number, kind: number): number {
  i32[hvBase + VCPU_HV.haltWord] = word;
  i32[hvBase + VCPU_HV.haltValue] = value;
  i32[hvBase + VCPU_HV.haltMode] = mode;
  i32[hvBase + VCPU_HV.haltKind] = kind;
  return kind;
}

/** The halt most locks write: "sleep until the word at `word` equals `value`", waiting for the waiter's turn. */
export function sleepUntilEqual(i32: Int32Array, hvBase: number, word: number, value: number): number {
  return conditionalHalt(i32, hvBase, word, HALT_MODE.UNTIL_EQUAL, value, HALT_KIND.TURN);
}

// ---- the halt record -----------------------------------------------------------------------

/** The vCPU registers as halting on global lock `lock`. Partner: `findKickTarget`'s read of `halted`. */
export function registerHalt(machine: Machine, vcpu: number, lock: number): void {
  const { i32, layout, memory } = machine;
  i32[layout.vcpuHvBase(vcpu) + VCPU_HV.haltLock] = lock;
  memory.add(memory.i32, layout.lockBase(lock) + LOCK_WORD.halted, 1);
}

/** The vCPU, its hypervisor block at `hv`, leaves the record it is registered in, if any. */
export function deregisterHalt(machine: Machine, hv: number): void {
  const { i32, layout, memory } = machine;
  const lock = i32[hv + VCPU_HV.haltLock]!;
  if (lock < 0) return;
  i32[hv + VCPU_HV.haltLock] = -1;
  memory.add(memory.i32, layout.lockBase(lock) + LOCK_WORD.halted, -1);
}

/**
 * Right after `releaser` released global lock `lock` (at `lockBase`, of VM vCPUs
 * `firstVcpu`..`firstVcpu + vcpus - 1`): the registered waiter the lock was handed to, or -1
 * when nobody is registered or none of them is next (a woken waiter that has not polled yet is
 * not kicked again). Scans round-robin from the releaser's successor, so an unfair lock's
 * waiters are kicked in turn.
 */
export function findKickTarget(
  machine: Machine,
  spinLock: SpinLock,
  lock: number,
  lockBase: number,
  firstVcpu: number,
  vcpus: number,
  releaser: number,
): number {
  const { i32, layout, memory } = machine;
  if (memory.load(memory.i32, lockBase + LOCK_WORD.halted) <= 0) return -1;
  const start = releaser - firstVcpu;
  for (let i = 1; i < vcpus; i++) {
    const waiter = firstVcpu + ((start + i) % vcpus);
    const hv = layout.vcpuHvBase(waiter);
    // Plain reads: published by the waiter's atomic add to `halted`, which the load above saw.
    if (i32[hv + VCPU_HV.haltLock] !== lock) continue;
    // Already woken and on its way (it has not polled yet): another kick would find it awake.
    if (i32[hv + VCPU_HV.woken] === 1) continue;
    if (spinLock.isNextOwner(lockBase, layout.vcpuCtxBase(waiter), waiter, releaser)) return waiter;
  }
  return -1;
}

/**
 * A registered vCPU polled its lock after a halt (woken by a kick, or its halt was overtaken by
 * one): it was on its way, and is no longer; a failed poll after a wake-up is a spurious wake-up.
 * `hv` and `counters` are the vCPU's hypervisor-block and counter bases.
 */
export function resumeAfterHalt(machine: Machine, hv: number, counters: number, pollFailed: boolean): void {
  const { i32, f64, layout, memory } = machine;
  if (i32[hv + VCPU_HV.woken] === 1) {
    i32[hv + VCPU_HV.woken] = 0;
    // Partner: the kicker's increment in hv/wake.ts `beginWake`.
    memory.add(memory.i32, layout.lockBase(i32[hv + VCPU_HV.haltLock]!) + LOCK_WORD.wakesInFlight, -1);
    if (pollFailed) f64[counters + VC.spuriousWakeUps]! += 1;
  }
  deregisterHalt(machine, hv);
}
