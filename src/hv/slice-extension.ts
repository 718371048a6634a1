/**
 * Delayed preemption for a vCPU inside a critical section (the `cs-hint` policy's host side):
 * Uhlig et al., "Towards Scalable Multiprocessor Virtual Machines" (VM 2004), eCS (Kashyap et
 * al., USENIX ATC 2018), and the Linux scheduler's time-slice extension (rseq slice extension,
 * `rseq_slice_extension`, 2025), whose default grant is 50 µs. The guest marks, in a per-vCPU word
 * the hypervisor reads (VCPU_HV.csHint), that it holds a lock; at that vCPU's slice end the
 * scheduler grants one bounded extension instead of preempting it, at most once per critical
 * section. The guest gives a granted extension back with a yield at its release
 * (core/host/slice-extension.ts); an extension that runs out first ends in a preemption ("expired").
 *
 * Words: VCPU_HV.csHint (written by the guest, read here) and VCPU_HV.extension (EXTENSION),
 * both written only by the pCPU that owns the vCPU, so plain. Every scheduler policy calls
 * `grant` at a slice end before it preempts, and `preempting` when it does.
 */
import { hasPolicy } from '../config/policy-spec.js';
import { VC } from '../events/table.js';
import type { Machine } from '../shm/layout.js';
import { VCPU_HV } from '../shm/layout.js';

/** The extension of a vCPU's current critical section. */
export const EXTENSION = {
  /** None granted in this critical section. */
  NONE: 0,
  /** Granted: the vCPU runs on it, and yields at its release. */
  GRANTED: 1,
  /** Granted, ran out, and the vCPU was preempted anyway. */
  EXPIRED: 2,
} as const;

export class SliceExtensions {
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  /** Per VM: its extension in ns, 0 when its guest does not mark critical sections. */
  private readonly extensionNs: Float64Array;
  readonly any: boolean;

  constructor(private readonly machine: Machine) {
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    const bare = machine.config.mode === 'bare';
    this.extensionNs = Float64Array.from(machine.config.vms, (vm) => (!bare && hasPolicy(vm.policy, 'cs-hint') ? vm.extensionUs * 1000 : 0));
    this.any = this.extensionNs.some((ns) => ns > 0);
  }

  /**
   * At `vcpu`'s slice end at `now` (owned by the caller's pCPU): the end of an extension granted
   * now, or -1 when none is (its guest does not mark critical sections, it is outside one, or
   * it had its extension in this critical section already).
   */
  grant(vcpu: number, now: number): number {
    if (!this.any) return -1;
    const { layout } = this.machine;
    const ns = this.extensionNs[layout.vmOfVcpu[vcpu]!]!;
    if (ns === 0) return -1;
    const hv = layout.vcpuHvBase(vcpu);
    if (this.i32[hv + VCPU_HV.csHint] !== 1 || this.i32[hv + VCPU_HV.extension] !== EXTENSION.NONE) return -1;
    this.i32[hv + VCPU_HV.extension] = EXTENSION.GRANTED;
    this.f64[layout.vcpuCounterBase(vcpu) + VC.extensionsGranted]! += 1;
    return now + ns;
  }

  /** The scheduler preempts `vcpu` at a slice end: an extension it was running on has expired. */
  preempting(vcpu: number): void {
    if (!this.any) return;
    const { layout } = this.machine;
    const hv = layout.vcpuHvBase(vcpu);
    if (this.i32[hv + VCPU_HV.extension] !== EXTENSION.GRANTED) return;
    this.i32[hv + VCPU_HV.extension] = EXTENSION.EXPIRED;
    this.f64[layout.vcpuCounterBase(vcpu) + VC.extensionsExpired]! += 1;
  }
}
