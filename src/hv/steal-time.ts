/**
 * The preempted flag a hypervisor publishes per vCPU for its guest: KVM's steal-time page
 * (`struct kvm_steal_time.preempted`, set in kvm_arch_vcpu_put when the vCPU is scheduled out
 * while still runnable, cleared when it runs again: arch/x86/kvm/x86.c `kvm_steal_time_set_preempted`,
 * `record_steal_time`), which Linux guests read through `vcpu_is_preempted` (arch/x86/kernel/kvm.c
 * `__kvm_vcpu_is_preempted`). A halted vCPU is not preempted: it gave its pCPU up.
 *
 * Written only at switch-out and switch-in (core/switching.ts), by the pCPU that owns the vCPU;
 * read by any vCPU of the machine as a hint, which may be stale by the time it is used, as the
 * real flag may.
 */
import type { Machine } from '../shm/layout.js';
import { VCPU_HV } from '../shm/layout.js';

/**
 * Owner pCPU, at a switch: publishes whether the vCPU whose hypervisor block is `hvBase` is now
 * preempted. A plain store: the flag is a hint (KVM writes it without a fence too), and the
 * switch's compare-and-swap on the state word right after it (release at switch-out, partner:
 * the next owner's claim) or before it (claim at switch-in) orders it for every reader.
 */
export function publishPreempted(i32: Int32Array, hvBase: number, preempted: boolean): void {
  i32[hvBase + VCPU_HV.preempted] = preempted ? 1 : 0;
}

/** Linux's `vcpu_is_preempted(vcpu)`: the flag as the hypervisor last published it. */
export function vcpuIsPreempted(machine: Machine, vcpu: number): boolean {
  const memory = machine.memory;
  return memory.load(memory.i32, machine.layout.vcpuHvBase(vcpu) + VCPU_HV.preempted) === 1;
}
