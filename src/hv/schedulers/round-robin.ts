/**
 * `rr`: the lock-free round-robin scheduler. Per-pCPU run queues that any pCPU can push to,
 * work stealing when a pCPU's own queue is empty, fixed time slices, and KVM-style directed
 * yield. No lock anywhere: a vCPU changes hands only through its state word's compare-and-swap
 * (hv/vcpu-state.ts), a run-queue entry through the ring's (hv/run-queue.ts).
 *
 * Contract (besides the Scheduler interface's): a queue entry whose claim fails is stale (a
 * directed yield took that vCPU, or it halted) and is dropped: every RUNNABLE vCPU still has
 * exactly one entry, because every release pushes one unless the vCPU already has one (its
 * QUEUED bit), which then is live again. The claims, releases, halts and kicks are every
 * policy's (run-queue-scheduler.ts).
 *
 * Slices (hv/slice-clock.ts, through round-robin-family.ts): `sliceUs` each; pCPU p's first
 * slice is longer by p/P of a slice, because real pCPUs' timers are not in step, and slices
 * that all ended together would gang-schedule a VM's vCPUs by accident and hide lock-holder
 * preemption. A directed yield donates the rest of the yielder's slice (as KVM's yield_to does),
 * not a fresh one: the target was taken past the run queue, so with a fresh slice the vCPUs of
 * one VM could pass the pCPU among themselves forever and starve everyone queued on it. Bare
 * metal: one vCPU bound per pCPU, no slices. A slice end first asks for a cs-hint extension
 * (hv/slice-extension.ts).
 *
 * Spin reactions (hv/spin-reaction.ts), in round-robin-family.ts: `yieldTo(vcpu, -1)` is KVM's
 * kvm_vcpu_on_spin search, shared with the round-robin family (sibling-search.ts: at most 3
 * failed tries, from the VM's last boosted vCPU, skipping the spinner, vCPUs that are not
 * `ready` and, every other time, ones in a spin loop themselves), trying boosted vCPUs first
 * when boosts are on (hv/boost.ts); a kick marks the vCPU it wakes boosted. With the `sleep`
 * reaction a claimed vCPU whose spin sleep lasts is given back at once: popped, it goes to the
 * tail of its queue; a directed yield counts it a failed try.
 *
 * What is rr's own, here: the rings (one per pCPU, numbered by pCPU), the pick (own ring, then
 * a steal), and the placement (a released vCPU on the pCPU it leaves, a woken one on the pCPU
 * it last ran on, else the next ring that takes it).
 */
import type { Machine } from '../../shm/layout.js';
import { PC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import { RunQueue } from '../run-queue.js';
import type { SchedulerOps } from '../scheduler.js';
import { RoundRobinFamily } from './round-robin-family.js';

export class RoundRobinScheduler extends RoundRobinFamily {
  /** Per pCPU, its ring. */
  readonly queues: RunQueue[];

  constructor(machine: Machine, pcpu: number, platform: Platform) {
    super(machine, pcpu, platform);
    const { layout } = machine;
    this.queues = [];
    for (let p = 0; p < layout.pcpus; p++) this.queues.push(new RunQueue(machine.memory, layout.queueBase(p), layout.queueCapacity));
  }

  /** Own queue first, then a steal from the others. */
  pickNext(now = 0): number {
    const pcpu = this.pcpu;
    const own = this.claimFrom(pcpu, now);
    if (own >= 0) return own;
    const n = this.queues.length;
    for (let i = 1; i < n; i++) {
      const victim = (pcpu + i) % n;
      if (this.queues[victim]!.size() === 0) continue;
      const stolen = this.claimFrom(victim, now);
      if (stolen >= 0) {
        this.f64[this.pcpuCounters + PC.steals]! += 1;
        return stolen;
      }
    }
    return -1;
  }

  protected pop(ring: number): number {
    return this.queues[ring]!.pop();
  }

  /** Pushes to `first`'s queue, else any other; false when every queue was full (a broken invariant). */
  protected push(first: number, vcpu: number): boolean {
    const n = this.queues.length;
    for (let i = 0; i < n; i++) {
      if (this.queues[(first + i) % n]!.push(vcpu)) return true;
      this.f64[this.pcpuCounters + PC.queueFull]! += 1;
    }
    return false;
  }

  /** The pCPU it leaves, or the one it last ran on. */
  protected placement(_vcpu: number, first: number): number {
    return first;
  }
}

/** rr's registry ops (hv/schedulers/index.ts): one ring per pCPU and no words of its own (config/scheduler-registry.ts). */
export const roundRobinOps: SchedulerOps = {
  create: (machine, pcpu, platform) => new RoundRobinScheduler(machine, pcpu, platform),
};
