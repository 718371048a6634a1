/**
 * The directed yield's search of the round-robin family (rr, balance, global-lock), their
 * `yieldTo(vcpu, -1)` (round-robin-family.ts): KVM's kvm_vcpu_on_spin (virt/kvm/kvm_main.c).
 * From the sibling after the VM's last boosted vCPU, round robin, try the spinner's siblings
 * that are runnable and not running (`ready`) and eligible (kvm_vcpu_eligible_for_directed_yield,
 * hv/spin-reaction.ts); claim the first that can be claimed; give up after 3 failed claims
 * (`int try = 3`). With `scheduler.boost`, a first round tries only the boosted siblings
 * (hv/boost.ts), a second the others. The caller's `claimForYield` claims (and, under the sleep
 * reaction, gives back a sibling still asleep: a failed try). No allocation: it runs at every
 * spin reaction.
 */
import { eligibleForDirectedYield } from '../spin-reaction.js';
import { isBoosted } from '../boost.js';
import { isPreempted } from '../vcpu-state.js';
import type { Machine } from '../../shm/layout.js';
import { VM_SHARED } from '../../shm/layout.js';

/** KVM's kvm_vcpu_on_spin gives up after this many failed yield_to attempts (`int try = 3`). */
const DIRECTED_YIELD_TRIES = 3;

/** What the search needs from its scheduler: a directed yield's claim of one candidate. */
export interface YieldClaimer {
  /** Claims `target` for this pCPU; false if another pCPU took it first or (sleep reaction) it is asleep. */
  claimForYield(target: number, now: number): boolean;
}

/**
 * Searches `vcpu`'s siblings for a directed yield (see the header); the claimed sibling, or -1.
 * On success the VM's last-boosted cursor names it: racy like KVM's WRITE_ONCE(last_boosted_vcpu),
 * a hint for fairness, not a correctness word.
 */
export function searchSiblings(machine: Machine, claimer: YieldClaimer, vcpu: number, boost: boolean, now: number): number {
  const { layout, memory } = machine;
  const vm = layout.vmOfVcpu[vcpu]!;
  const { firstVcpu, vcpus } = layout.vms[vm]!;
  const cursor = layout.vmSharedBase(vm) + VM_SHARED.lastBoosted;
  const last = memory.load(memory.i32, cursor);
  let failures = 0;
  // Round 0: the boosted siblings only (with boosts); round 1: the others (or all, without).
  for (let round = boost ? 0 : 1; round <= 1; round++) {
    for (let i = 1; i <= vcpus; i++) {
      const index = (last + i) % vcpus;
      const candidate = firstVcpu + index;
      if (candidate === vcpu) continue;
      if (!isPreempted(memory, layout.vcpuSharedBase(candidate))) continue;
      const hv = layout.vcpuHvBase(candidate);
      if (boost && isBoosted(memory, hv) !== (round === 0)) continue;
      if (!eligibleForDirectedYield(memory, hv)) continue;
      if (claimer.claimForYield(candidate, now)) {
        memory.store(memory.i32, cursor, index);
        return candidate;
      }
      if (++failures >= DIRECTED_YIELD_TRIES) return -1;
    }
  }
  return -1;
}
