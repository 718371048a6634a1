/**
 * Waking a halted vCPU, shared by every scheduler policy: the part of a kick between claiming
 * the HALTED vCPU (hv/vcpu-state.ts `kickVcpu` → WAKING) and publishing it as RUNNABLE. While
 * WAKING the kicker owns the vCPU's context, so it closes the halt's books here: halt time
 * ends, steal time starts, the kick-to-run clock starts, and the guest's halt record learns
 * that a wake is on its way (guest/halt-kick.ts).
 */
import type { Machine } from '../shm/layout.js';
import { LOCK_WORD, VCPU_HV, VCPU_TIME } from '../shm/layout.js';
import { VC } from '../events/table.js';
import { finishWake } from './vcpu-state.js';

/**
 * The kicker owns `vcpu` (WAKING): accounts the end of its halt at `now`. Returns the pCPU
 * whose run queue should take it (the one it last ran on).
 */
export function beginWake(machine: Machine, vcpu: number, now: number): number {
  const { f64, i32, layout, memory } = machine;
  const time = layout.vcpuTimeBase(vcpu);
  const hv = layout.vcpuHvBase(vcpu);
  const counters = layout.vcpuCounterBase(vcpu);
  // On real threads the kicker's clock (read at the start of its step) can be a little behind
  // the halter's: the wake-up is never before the halt.
  const haltedSince = f64[time + VCPU_TIME.haltedSince]!;
  const at = now > haltedSince ? now : haltedSince;
  f64[counters + VC.haltNs]! += at - haltedSince;
  f64[counters + VC.wakeUps]! += 1;
  f64[time + VCPU_TIME.runnableSince] = at;
  f64[time + VCPU_TIME.wokenAt] = at;
  i32[hv + VCPU_HV.woken] = 1;
  i32[hv + VCPU_HV.asleep] = 0;
  const lock = i32[hv + VCPU_HV.haltLock]!;
  // Partner: the woken vCPU's decrement at its next poll (guest/halt-kick.ts `resumeAfterHalt`).
  if (lock >= 0) memory.add(memory.i32, layout.lockBase(lock) + LOCK_WORD.wakesInFlight, 1);
  return i32[hv + VCPU_HV.lastPcpu]!;
}

/** Publishes the woken vCPU as runnable; true when the caller must push a run-queue entry. */
export function endWake(machine: Machine, vcpu: number): boolean {
  return finishWake(machine.memory, machine.layout.vcpuSharedBase(vcpu));
}
