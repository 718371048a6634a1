/** Builds the spin-wait policy a VM names: one policy, or a `+` combination of them. */
import { hasPolicy, policyParts } from '../../config/policy-spec.js';
import type { PolicyKind, VmConfig } from '../../config/schema.js';
import type { Machine } from '../../shm/layout.js';
import { PvHaltPolicy } from '../halt-kick.js';
import type { SpinLock } from '../locks/spin-lock.js';
import { CombinedPolicy } from './combined.js';
import { CsHintPolicy } from './cs-hint.js';
import { NaivePolicy } from './naive.js';
import { NotifyPolicy } from './notify.js';
import { PreemptedAwarePolicy } from './preempted-aware.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

export function createPolicy(vm: VmConfig, machine: Machine, bare: boolean, lock: SpinLock): SpinWaitPolicy {
  // Bare metal has no hypervisor to notify.
  if (bare) return new NaivePolicy();
  const parts = policyParts(vm.policy).map((kind) => createPart(kind, vm, machine, lock));
  return parts.length === 1 ? parts[0]! : new CombinedPolicy(vm.policy, parts);
}

function createPart(kind: PolicyKind, vm: VmConfig, machine: Machine, lock: SpinLock): SpinWaitPolicy {
  switch (kind) {
    case 'naive':
      return new NaivePolicy();
    case 'notify':
      return new NotifyPolicy(machine.i32, vm.spinThreshold);
    case 'pv-halt':
      return new PvHaltPolicy(machine, lock, vm.haltThreshold);
    case 'preempted-aware':
      return new PreemptedAwarePolicy(machine, lock, machine.config.scheduler, hasPolicy(vm.policy, 'pv-halt'));
    case 'cs-hint':
      return new CsHintPolicy();
  }
}
