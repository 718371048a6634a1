/** Builds the spin-wait policy a VM names. */
import type { VmConfig } from '../../config/schema.js';
import type { Machine } from '../../shm/layout.js';
import { NaivePolicy } from './naive.js';
import { NotifyPolicy } from './notify.js';
import { PvHaltPolicy } from './pv-halt.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

export function createPolicy(vm: VmConfig, machine: Machine, bare: boolean): SpinWaitPolicy {
  // Bare metal has no hypervisor to notify.
  if (bare) return new NaivePolicy();
  switch (vm.policy) {
    case 'naive':
      return new NaivePolicy();
    case 'notify':
      return new NotifyPolicy(machine.i32, vm.spinThreshold);
    case 'pv-halt':
      return new PvHaltPolicy(machine.i32, vm.haltThreshold);
  }
}
