/**
 * The round-robin family: rr (round-robin.ts) and the policies built on its round robin,
 * balance (balance.ts) and global-lock (global-lock.ts). What they share beyond every policy's
 * part (run-queue-scheduler.ts):
 *   - slices (hv/slice-clock.ts): fixed `sliceUs` slices, the first one staggered by p/P of a
 *     slice on pCPU p, a directed yield's target running for the rest of the yielder's slice;
 *     a slice end first asks for a cs-hint extension (hv/slice-extension.ts), and with nobody
 *     else runnable the vCPU goes on for a fresh slice. Bare metal: no slices.
 *   - KVM-style directed yield: `yieldTo(vcpu, -1)` is KVM's kvm_vcpu_on_spin search
 *     (sibling-search.ts: at most 3 failed tries, from the VM's last boosted vCPU, skipping the
 *     spinner, vCPUs that are not `ready` and, every other time, ones in a spin loop
 *     themselves), trying boosted vCPUs first when boosts are on (hv/boost.ts); with a target,
 *     it claims that one if it is runnable. The claim goes through the state word, not a run
 *     queue, and leaves the target's entry behind, stale, for a pick to drop. A claimed target
 *     held back (still asleep, with the `sleep` reaction; co-stopped, cosched) is given back, a
 *     failed try.
 *   - boosts: a kick marks the vCPU it wakes boosted, then queues it from the pCPU it last ran on.
 */
import { markBoosted } from '../boost.js';
import type { Machine } from '../../shm/layout.js';
import type { Platform } from '../platform.js';
import { claim } from '../vcpu-state.js';
import { RunQueueScheduler } from './run-queue-scheduler.js';
import { searchSiblings, type YieldClaimer } from './sibling-search.js';

export abstract class RoundRobinFamily extends RunQueueScheduler implements YieldClaimer {
  /** Boosts are on: kicks mark the vCPUs they wake, and directed yields try those first. */
  protected readonly boost: boolean;

  constructor(machine: Machine, pcpu: number, platform: Platform) {
    super(machine, pcpu, platform);
    this.boost = !this.bare && machine.config.scheduler.boost;
  }

  sliceStarted(_vcpu: number, now: number): void {
    this.sliceEnd = this.clock.start(now);
  }

  sliceExpired(vcpu: number, now: number): number {
    const extendedTo = this.clock.extend(vcpu, now);
    if (extendedTo >= 0) {
      this.sliceEnd = extendedTo;
      return -1;
    }
    const next = this.pickNext(now);
    // Nobody else is runnable: the vCPU keeps the pCPU for a fresh slice.
    if (next < 0) this.sliceEnd = this.clock.fresh(now);
    else this.clock.preempting(vcpu);
    return next;
  }

  /** KVM's directed yield (see the header); the target runs for the rest of this slice. */
  yieldTo(vcpu: number, target: number, now = 0): number {
    let chosen = -1;
    if (target >= 0) {
      if (target !== vcpu && this.claimForYield(target, now)) chosen = target;
    } else {
      chosen = searchSiblings(this.machine, this, vcpu, this.boost, now);
    }
    if (chosen >= 0) this.clock.donate(this.sliceEnd);
    return chosen;
  }

  /** A directed yield's claim of `target` (YieldClaimer): fails if another pCPU took it first or it is held back (asleep, co-stopped), then given back. */
  claimForYield(target: number, now: number): boolean {
    if (!claim(this.memory, this.machine.layout.vcpuSharedBase(target), this.pcpu)) return false;
    if (!this.holdsBack || !this.heldBack(target, now)) return true;
    this.giveBack(target, this.pcpu);
    return false;
  }

  /** A kicked vCPU is marked boosted (with boosts), then published and queued from the pCPU it last ran on. */
  protected wake(_now: number, target: number, shared: number, lastPcpu: number): void {
    if (this.boost) markBoosted(this.memory, this.machine.layout.vcpuHvBase(target));
    this.publish(target, shared, lastPcpu);
  }
}
