/**
 * The lock-free hypervisor scheduler: per-pCPU run queues that any pCPU can push to, work
 * stealing when a pCPU's own queue is empty, and KVM-style directed yield. No lock anywhere:
 * a vCPU changes hands only through its state word's compare-and-swap (hv/vcpu-state.ts).
 *
 * Contract: `pickNext` returns a vCPU already claimed (RUNNING on this pCPU) or -1;
 * `deschedule` takes the caller's running vCPU back and makes it findable. A queue entry whose
 * claim fails is stale (a directed yield took that vCPU) and is dropped: every RUNNABLE vCPU
 * still has exactly one entry, because every release pushes one unless the vCPU already has
 * one (its QUEUED bit, hv/vcpu-state.ts), which then is live again.
 */
import type { Machine } from '../shm/layout.js';
import { CTRL, VM_SHARED } from '../shm/layout.js';
import { PC } from '../stats/events.js';
import type { Platform } from './platform.js';
import { RunQueue } from './run-queue.js';
import { claim, claimPopped, clearQueued, isPreempted, releaseToQueue, RELEASED } from './vcpu-state.js';

/** KVM's kvm_vcpu_on_spin gives up after this many failed yield_to attempts. */
export const DIRECTED_YIELD_TRIES = 3;

export class Scheduler {
  readonly queues: RunQueue[];
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly idleIndex: number;

  constructor(
    private readonly machine: Machine,
    private readonly platform: Platform,
  ) {
    const { layout } = machine;
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    this.queues = [];
    for (let p = 0; p < layout.pcpus; p++) this.queues.push(new RunQueue(machine.i32, layout.queueBase(p), layout.queueCapacity));
    this.idleIndex = layout.controlWord(CTRL.idle);
  }

  /** Next vCPU for `pcpu`, claimed: its own queue first, then a steal from the others. */
  pickNext(pcpu: number): number {
    const own = this.claimFrom(this.queues[pcpu]!, pcpu);
    if (own >= 0) return own;
    const n = this.queues.length;
    for (let i = 1; i < n; i++) {
      const victim = (pcpu + i) % n;
      if (this.queues[victim]!.size() === 0) continue;
      const stolen = this.claimFrom(this.queues[victim]!, pcpu);
      if (stolen >= 0) {
        this.f64[this.machine.layout.pcpuCounterBase(pcpu) + PC.steals]! += 1;
        return stolen;
      }
    }
    return -1;
  }

  private claimFrom(queue: RunQueue, pcpu: number): number {
    for (;;) {
      const vcpu = queue.pop();
      if (vcpu < 0) return -1;
      if (claimPopped(this.i32, this.machine.layout.vcpuSharedBase(vcpu), pcpu)) return vcpu;
      // Stale entry: the vCPU was claimed directly by a directed yield. Dropped.
    }
  }

  /**
   * The owner takes a vCPU off `pcpu` and makes it findable: runnable, and in the pCPU's own
   * queue (else any other) unless its entry from before a directed yield is still there.
   * Returns false if the vCPU was not running on `pcpu` (a broken invariant).
   */
  deschedule(pcpu: number, vcpu: number): boolean {
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    const released = releaseToQueue(this.i32, shared, pcpu);
    if (released === RELEASED.NOT_OWNER) return false;
    if (released === RELEASED.PUSH && !this.push(pcpu, vcpu)) clearQueued(this.i32, shared);
    // Dekker pair with the engine's sleep protocol: the release's and the push's seq-cst
    // writes are ordered before this load, and a sleeper's idle increment before its last look
    // at the queues, so either we see the sleeper or it sees the vCPU.
    if (Atomics.load(this.i32, this.idleIndex) > 0) this.platform.wakeIdlePcpu();
    return true;
  }

  private push(pcpu: number, vcpu: number): boolean {
    const n = this.queues.length;
    for (let i = 0; i < n; i++) {
      if (this.queues[(pcpu + i) % n]!.push(vcpu)) return true;
      this.f64[this.machine.layout.pcpuCounterBase(pcpu) + PC.queueFull]! += 1;
    }
    return false;
  }

  /**
   * KVM's directed yield (kvm_vcpu_on_spin): starting after the VM's last boosted vCPU, try
   * siblings that are runnable but preempted, not `self`; claim the first that can be claimed,
   * giving up after DIRECTED_YIELD_TRIES failed claims. Returns the claimed vCPU or -1.
   */
  directedYield(pcpu: number, vm: number, self: number): number {
    const { layout } = this.machine;
    const { firstVcpu, vcpus } = layout.vms[vm]!;
    const cursor = layout.vmSharedBase(vm) + VM_SHARED.lastBoosted;
    const last = Atomics.load(this.i32, cursor);
    let failures = 0;
    for (let i = 1; i <= vcpus; i++) {
      const index = (last + i) % vcpus;
      const candidate = firstVcpu + index;
      if (candidate === self) continue;
      const shared = layout.vcpuSharedBase(candidate);
      if (!isPreempted(this.i32, shared)) continue;
      if (claim(this.i32, shared, pcpu)) {
        // Racy like KVM's WRITE_ONCE(last_boosted_vcpu): a hint for fairness, not a correctness word.
        Atomics.store(this.i32, cursor, index);
        return candidate;
      }
      if (++failures >= DIRECTED_YIELD_TRIES) break;
    }
    return -1;
  }
}
