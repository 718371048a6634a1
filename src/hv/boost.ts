/**
 * Boosts of a kicked vCPU (`scheduler.boost`), KVM's two changes of 2019 (Linux 5.3, Wanpeng
 * Li): "KVM: Boost vCPUs that are delivering interrupts" (d73eb57b80b9: kvm_vcpu_wake_up marks
 * the vCPU it wakes `ready`, a directed-yield candidate until it runs, kvm_sched_in clearing
 * it) and "KVM: X86: Boost queue head vCPU to mitigate lock waiter preemption" (266e85a5ec91:
 * the KVM_HC_KICK_CPU handler, after kvm_pv_kick_cpu_op, calls kvm_sched_yield(vcpu, target),
 * a yield_to the kicked vCPU if it is `ready`). Here:
 *   - a kick that wakes a halted vCPU marks it boosted (VCPU_HV.boosted), written by the kicker
 *     while it owns the vCPU (WAKING: hv/schedulers/run-queue-scheduler.ts `kick`), cleared at its next
 *     switch-in (core/host/boost.ts, a switch-in hook); a directed yield that searches (`yieldTo(vcpu, -1)`) tries
 *     boosted siblings first, in its usual order (KVM makes them candidates; "first" is this
 *     model's reading of the boost);
 *   - the kicker yields its pCPU to the vCPU it kicked, unless the kick found it running
 *     (core/host/boost.ts, the core's kick hook: a HYPERCALL.KICK_YIELD handled at the start of the next step:
 *     one exit more than KVM's single hypercall, `exitNs` on the virtual engine).
 * Off by default, so that the results of scenarios without it stay as they were.
 */
import type { SharedMemory } from '../shm/memory.js';
import { VCPU_HV } from '../shm/layout.js';

/** The kicker, owning the woken vCPU (WAKING): marks it boosted. */
export function markBoosted(memory: SharedMemory, hvBase: number): void {
  memory.store(memory.i32, hvBase + VCPU_HV.boosted, 1);
}

/** Any pCPU: whether the vCPU is boosted (a hint). */
export function isBoosted(memory: SharedMemory, hvBase: number): boolean {
  return memory.load(memory.i32, hvBase + VCPU_HV.boosted) === 1;
}

/** The owner at switch-in: the boost is over (kvm_sched_in: ready = false). */
export function clearBoost(memory: SharedMemory, hvBase: number): void {
  if (memory.load(memory.i32, hvBase + VCPU_HV.boosted) !== 0) memory.store(memory.i32, hvBase + VCPU_HV.boosted, 0);
}
