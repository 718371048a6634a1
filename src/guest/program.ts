/**
 * The synthetic guest program each vCPU runs, as phases of a loop:
 *   OUTSIDE (work, no lock) → ACQUIRE (lock steps, spinning) → INSIDE (work under the lock,
 *   guest memory read at the start and written back + 1 at the end, non-atomically) →
 *   RELEASE (lock steps) → OUTSIDE …
 * A VM's `GuestVm` holds what every vCPU of that VM shares: its lock algorithm, its spin-wait
 * policy, its length samplers and its lock choice.
 */
import { hasPolicy } from '../config/policy-spec.js';
import type { VmConfig } from '../config/schema.js';
import type { Machine } from '../shm/layout.js';
import type { VmLayout } from '../shm/layout.js';
import { Sampler } from './distribution.js';
import { createLock } from './locks/index.js';
import type { SpinLock } from './locks/spin-lock.js';
import { createPolicy } from './policies/index.js';
import type { SpinWaitPolicy } from './policies/spin-wait-policy.js';

export const GUEST_PHASE = {
  /** Not started: draws its first stretch of outside work. */
  START: 0,
  OUTSIDE: 1,
  ACQUIRE: 2,
  INSIDE: 3,
  RELEASE: 4,
} as const;

export class GuestVm {
  readonly lock: SpinLock;
  readonly policy: SpinWaitPolicy;
  readonly outside: Sampler;
  readonly inside: Sampler;
  readonly firstLock: number;
  readonly locks: number;
  /** The VM's vCPUs are global ids firstVcpu .. firstVcpu + vcpus - 1. */
  readonly firstVcpu: number;
  readonly vcpus: number;
  /**
   * The guest runs paravirtual spinlocks (pv-halt): waiters may halt, so its unlock path looks
   * at the lock's halt record and kicks, and its waiters leave the record when they poll again.
   */
  readonly paravirtual: boolean;
  /** The guest marks its critical sections for the scheduler (cs-hint): it writes VCPU_HV.csHint at acquire and release. */
  readonly csHint: boolean;
  /** Probability of the hot lock (lock 0); -1 when the choice is uniform. */
  readonly hotLockFraction: number;

  constructor(config: VmConfig, vm: VmLayout, machine: Machine, bare: boolean) {
    this.lock = createLock(config.workload.lock, machine);
    this.policy = createPolicy(config, machine, bare, this.lock);
    this.outside = new Sampler(config.workload.outsideUnits);
    this.inside = new Sampler(config.workload.insideUnits);
    this.firstLock = vm.firstLock;
    this.locks = vm.locks;
    this.firstVcpu = vm.firstVcpu;
    this.vcpus = vm.vcpus;
    this.paravirtual = !bare && hasPolicy(config.policy, 'pv-halt');
    this.csHint = !bare && hasPolicy(config.policy, 'cs-hint');
    this.hotLockFraction = config.workload.lockChoice === 'skewed' && vm.locks > 1 ? config.workload.hotLockFraction : -1;
  }

  /** Lock index within the VM for two uniform draws in [0, 1). */
  chooseLock(u1: number, u2: number): number {
    if (this.hotLockFraction < 0) return Math.floor(u1 * this.locks);
    return u1 < this.hotLockFraction ? 0 : 1 + Math.floor(u2 * (this.locks - 1));
  }
}

export function guestVms(machine: Machine): GuestVm[] {
  const bare = machine.config.mode === 'bare';
  return machine.layout.vms.map((vm) => new GuestVm(machine.config.vms[vm.index]!, vm, machine, bare));
}
