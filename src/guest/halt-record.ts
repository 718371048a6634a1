/**
 * A lock's halt record: which vCPUs sleep on it, so that its unlocker can find the one to kick.
 * The guest side of pv halt/kick, modelled on Linux's hash of halted lock waiters (pv_hash in
 * kernel/locking/qspinlock_paravirt.h) and, for ticket locks, on the per-CPU `lock_waiting`
 * records that `kvm_unlock_kick` scanned (arch/x86/kernel/kvm.c, Linux 3.12-4.1).
 *
 * Words: per lock, LOCK_WORD.halted (vCPUs registered) and LOCK_WORD.wakesInFlight (woken
 * waiters that have not polled it since); per vCPU, VCPU_HV.haltLock (the lock it is registered
 * on, or -1) and the halt's word, value and mode.
 *
 * Protocol (the Dekker pair that keeps a wake-up from being lost):
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
import type { Machine } from '../shm/layout.js';
import { LOCK_WORD, VCPU_HV } from '../shm/layout.js';
import { VC } from '../events/table.js';
import type { SpinLock } from './locks/spin-lock.js';

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
