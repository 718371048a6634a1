/**
 * `balance`: balance scheduling, after Sukwong and Kim, "Is co-scheduling too expensive for SMP
 * VMs?" (EuroSys 2011). Co-scheduling runs a VM's vCPUs together to keep a lock holder and its
 * waiters on pCPUs at once; balance scheduling gets much of that benefit without the
 * synchronisation: it only never stacks two sibling vCPUs (of one VM) on one pCPU's run queue,
 * where one can only ever run after the other. Their KVM patch did it where Linux chooses a
 * vCPU thread's run queue; here it is rr's lock-free round robin (round-robin.ts: per-pCPU
 * Vyukov rings, work stealing, fixed slices with the first slice's stagger, KVM-style directed
 * yield with its donated slice, cs-hint extensions at every slice end) with the run queue chosen
 * at push time.
 *
 * A pCPU's run queue, as in Linux, holds the vCPU running there too. A push of a vCPU of VM m
 * (a requeue at a slice end, a yield, a stop, a kick's wake-up) goes to its first choice (rr's:
 * the pCPU it leaves, or the one it last ran on) when that pCPU holds no sibling, queued or
 * running; else to the least loaded pCPU (shortest ring, first from the first choice on) that
 * holds none (`siblingSpreads`); only when every pCPU holds one does it stack, on the pCPU with
 * the fewest. Stealing needs no rule of its own: a pCPU steals only when its own ring is empty,
 * so the stolen vCPU meets no queued sibling there, and a sibling it would run beside is the
 * vCPU the same switch is taking off that pCPU, whose requeue then goes elsewhere.
 *
 * Words (the balance part of the sched region, Layout.balanceQueuedBase/balanceRunningBase):
 *   queued[m][p]  entries of VM m's vCPUs in pCPU p's ring, live or stale: a pusher adds 1
 *                 before its push, a popper takes 1 off after its pop (so it never goes below
 *                 the entries there); the start state's are set by `initBalance`.
 *   running[p]    VM + 1 of the vCPU on pCPU p (claimed there and not yet descheduled), 0 for
 *                 none; written by p only. A hint: read racily by pushers, like the ring sizes.
 * The rule is a placement preference, never a correctness condition: the state word and the
 * rings keep rr's invariants whatever the counts say.
 */
import type { Machine } from '../../shm/layout.js';
import { CTRL, VCPU_HV } from '../../shm/layout.js';
import type { SharedMemory } from '../../shm/memory.js';
import { PC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import { RunQueue } from '../run-queue.js';
import { DESCHEDULE, DESCHEDULED, KICK, type Scheduler } from '../scheduler.js';
import { claim, claimPopped, clearQueued, HALTED, haltRunning, KICKED, kickVcpu, release, releaseToQueue, RELEASED } from '../vcpu-state.js';
import { SliceExtensions } from '../slice-extension.js';
import { markBoosted } from '../boost.js';
import { isAsleep } from '../spin-reaction.js';
import { beginWake, endWake } from '../wake.js';
import { searchSiblings, type YieldClaimer } from './sibling-search.js';

/**
 * The start state's sibling counts: initMachine queues vCPU v on pCPU v mod P
 * (Layout.startQueue). On the main thread, before any pCPU thread sees the buffer.
 */
export function initBalance(machine: Machine): void {
  const { i32, layout } = machine;
  if (machine.config.mode === 'bare') return;
  for (let v = 0; v < layout.vcpus; v++) i32[layout.balanceQueuedBase(layout.vmOfVcpu[v]!) + layout.startQueue(v)]! += 1;
}

export class BalanceScheduler implements Scheduler, YieldClaimer {
  readonly queues: RunQueue[];
  sliceEnd = Infinity;
  private readonly memory: SharedMemory;
  private readonly i32: Int32Array;
  private readonly f64: Float64Array;
  private readonly idleIndex: number;
  private readonly pcpuCounters: number;
  private readonly sliceNs: number;
  private readonly bare: boolean;
  /** Per VM, the base of its sibling counts (add a pCPU). */
  private readonly queuedBase: Int32Array;
  /** Base of the running-VM words (add a pCPU). */
  private readonly runningBase: number;
  /** The vCPU a pick or directed yield claimed in this switch, until its slice starts; -1 if none. */
  private claimed = -1;
  private firstSliceStagger: number;
  private donatedSliceEnd = -1;
  private readonly extensions: SliceExtensions;
  /** The sleep reaction is on: a claimed vCPU may be asleep, and is then given back (as rr). */
  private readonly sleeps: boolean;
  /** Boosts are on: kicks mark the vCPUs they wake, and directed yields try those first (as rr). */
  private readonly boost: boolean;

  constructor(
    private readonly machine: Machine,
    private readonly pcpu: number,
    private readonly platform: Platform,
  ) {
    const { layout, config } = machine;
    this.memory = machine.memory;
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    this.queues = [];
    for (let p = 0; p < layout.pcpus; p++) this.queues.push(new RunQueue(machine.memory, layout.queueBase(p), layout.queueCapacity));
    this.idleIndex = layout.controlWord(CTRL.idle);
    this.pcpuCounters = layout.pcpuCounterBase(pcpu);
    this.sliceNs = config.scheduler.sliceUs * 1000;
    this.bare = config.mode === 'bare';
    this.queuedBase = Int32Array.from(layout.vms, (vm) => layout.balanceQueuedBase(vm.index));
    this.runningBase = layout.balanceRunningBase();
    this.firstSliceStagger = (this.sliceNs * pcpu) / layout.pcpus;
    this.extensions = new SliceExtensions(machine);
    this.sleeps = !this.bare && config.scheduler.reaction === 'sleep';
    this.boost = !this.bare && config.scheduler.boost;
  }

  /** Own queue first, then a steal from the others (as rr). */
  pickNext(now: number): number {
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

  /**
   * Pops `queue` until an entry's vCPU can be claimed (a stale entry, a directed yield's or a
   * halted vCPU's, is dropped, as in rr). A vCPU asleep after a spin goes back to the tail (as
   * rr); meeting the same one again, or as many as there are vCPUs, means all left are asleep.
   */
  private claimFrom(queue: number, now: number): number {
    const { memory, machine } = this;
    const layout = machine.layout;
    let firstAsleep = -1;
    let asleep = 0;
    for (;;) {
      const vcpu = this.queues[queue]!.pop();
      if (vcpu < 0) return -1;
      // The entry is gone from `queue`. Partner: the pusher's add in push().
      memory.add(this.i32, this.queuedBase[layout.vmOfVcpu[vcpu]!]! + queue, -1);
      if (!claimPopped(memory, layout.vcpuSharedBase(vcpu), this.pcpu)) continue;
      if (!this.sleeps || !isAsleep(this.f64, layout.vcpuTimeBase(vcpu), now)) {
        this.claimedHere(vcpu);
        return vcpu;
      }
      this.giveBack(vcpu, queue);
      if (vcpu === firstAsleep || ++asleep >= layout.vcpus) return -1;
      if (firstAsleep < 0) firstAsleep = vcpu;
    }
  }

  /** Releases `vcpu`, claimed here and never run, runnable and queued (on `queue`, its sleep not a placement). */
  private giveBack(vcpu: number, queue: number): void {
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    if (releaseToQueue(this.memory, shared, this.pcpu) === RELEASED.PUSH && !this.pushTo(queue, vcpu)) clearQueued(this.memory, shared);
  }

  /** `vcpu` is to run here: what pushers see as this pCPU's running VM from now on. */
  private claimedHere(vcpu: number): void {
    this.claimed = vcpu;
    this.memory.store(this.i32, this.runningBase + this.pcpu, this.machine.layout.vmOfVcpu[vcpu]! + 1);
  }

  sliceStarted(_vcpu: number, now: number): void {
    this.claimed = -1;
    if (this.donatedSliceEnd >= 0) {
      this.sliceEnd = this.donatedSliceEnd;
      this.donatedSliceEnd = -1;
    } else {
      this.sliceEnd = this.bare ? Infinity : now + this.sliceNs + this.firstSliceStagger;
    }
    this.firstSliceStagger = 0;
  }

  sliceExpired(vcpu: number, now: number): number {
    const extendedTo = this.extensions.grant(vcpu, now);
    if (extendedTo >= 0) {
      this.sliceEnd = extendedTo;
      return -1;
    }
    const next = this.pickNext(now);
    if (next < 0) this.sliceEnd = now + this.sliceNs;
    else this.extensions.preempting(vcpu);
    return next;
  }

  deschedule(vcpu: number, reason: number): number {
    const memory = this.memory;
    const shared = this.machine.layout.vcpuSharedBase(vcpu);
    if (this.bare) return release(memory, shared, this.pcpu) ? DESCHEDULED.DONE : DESCHEDULED.NOT_OWNER;
    // The vCPU leaves this pCPU: the one running here next is the one claimed for this switch, if any.
    if (this.claimed < 0) memory.store(this.i32, this.runningBase + this.pcpu, 0);
    let outcome: number = DESCHEDULED.DONE;
    if (reason === DESCHEDULE.HALT) {
      const halted = haltRunning(memory, shared, this.pcpu);
      if (halted === HALTED.NOT_OWNER) return DESCHEDULED.NOT_OWNER;
      if (halted === HALTED.HALTED) return DESCHEDULED.DONE;
      // A kick came in between the halt's check and its compare-and-swap (as in rr).
      this.i32[this.machine.layout.vcpuHvBase(vcpu) + VCPU_HV.asleep] = 0;
      this.f64[this.pcpuCounters + PC.haltRaces]! += 1;
      outcome = DESCHEDULED.KICKED;
    }
    const released = releaseToQueue(memory, shared, this.pcpu);
    if (released === RELEASED.NOT_OWNER) return DESCHEDULED.NOT_OWNER;
    if (released === RELEASED.PUSH && !this.push(this.pcpu, vcpu)) clearQueued(memory, shared);
    this.wakeAnIdlePcpu();
    return outcome;
  }

  /** As rr's: the push's seq-cst writes come before this load, a sleeper's idle increment before its last look (Dekker pair). */
  private wakeAnIdlePcpu(): void {
    if (this.memory.load(this.memory.i32, this.idleIndex) > 0) this.platform.wakeIdlePcpu();
  }

  /** Pushes `vcpu` to the pCPU the header's rule chooses, starting from `first` (see pushTo); false when every ring refused it. */
  private push(first: number, vcpu: number): boolean {
    const { memory, i32 } = this;
    const vm = this.machine.layout.vmOfVcpu[vcpu]!;
    const queued = this.queuedBase[vm]!;
    const running = vm + 1;
    const n = this.queues.length;
    // Siblings on each pCPU (queued, + 1 if one runs there), read racily: a placement hint.
    let chosen = -1;
    let chosenSize = 0;
    let fewest = -1;
    let fewestSiblings = 0;
    for (let i = 0; i < n; i++) {
      const p = (first + i) % n;
      const siblings = memory.load(i32, queued + p) + (memory.load(i32, this.runningBase + p) === running ? 1 : 0);
      if (siblings === 0) {
        if (p === first) {
          chosen = first;
          break;
        }
        const size = this.queues[p]!.size();
        if (chosen < 0 || size < chosenSize) {
          chosen = p;
          chosenSize = size;
        }
      } else if (fewest < 0 || siblings < fewestSiblings) {
        fewest = p;
        fewestSiblings = siblings;
      }
    }
    if (chosen < 0) chosen = fewest;
    else if (chosen !== first) this.f64[this.pcpuCounters + PC.siblingSpreads]! += 1;
    return this.pushTo(chosen, vcpu);
  }

  /**
   * Pushes `vcpu` to `queue`'s ring, else the next ones'; false when every ring refused it (a
   * broken invariant, counted). One ring may refuse a push without being full: a Vyukov ring
   * refuses while the consumer of the position one lap back has taken its entry but not yet
   * freed the cell (a pCPU thread the host preempted mid-pop), and the rule sends pushes to
   * exactly such a ring, which looks empty. So only a refusal by every ring counts.
   */
  private pushTo(queue: number, vcpu: number): boolean {
    const { memory, i32 } = this;
    const queued = this.queuedBase[this.machine.layout.vmOfVcpu[vcpu]!]!;
    const n = this.queues.length;
    for (let i = 0; i < n; i++) {
      const p = (queue + i) % n;
      // Counted before it is findable, so a popper's decrement never finds it uncounted. Partner: claimFrom's add.
      memory.add(i32, queued + p, 1);
      if (this.queues[p]!.push(vcpu)) return true;
      memory.add(i32, queued + p, -1);
    }
    this.f64[this.pcpuCounters + PC.queueFull]! += 1;
    return false;
  }

  yield(_vcpu: number, now: number): number {
    return this.pickNext(now);
  }

  /** rr's directed yield (sibling-search.ts, KVM's kvm_vcpu_on_spin); with a target, claim it if it is runnable. */
  yieldTo(vcpu: number, target: number, now: number): number {
    let chosen = -1;
    if (target >= 0) {
      if (target !== vcpu && this.claimForYield(target, now)) chosen = target;
    } else {
      chosen = searchSiblings(this.machine, this, vcpu, this.boost, now);
    }
    if (chosen >= 0) {
      this.donatedSliceEnd = this.sliceEnd;
      this.claimedHere(chosen);
    }
    return chosen;
  }

  /** A directed yield's claim (YieldClaimer): fails if another pCPU took it first or (sleep reaction) it is asleep, then given back. */
  claimForYield(target: number, now: number): boolean {
    const layout = this.machine.layout;
    if (!claim(this.memory, layout.vcpuSharedBase(target), this.pcpu)) return false;
    if (!this.sleeps || !isAsleep(this.f64, layout.vcpuTimeBase(target), now)) return true;
    this.giveBack(target, this.pcpu);
    return false;
  }

  kick(target: number, now: number): number {
    const { memory, machine } = this;
    const shared = machine.layout.vcpuSharedBase(target);
    const kicked = kickVcpu(memory, shared);
    if (kicked === KICKED.PENDING) return KICK.PENDING;
    if (kicked === KICKED.NOT_HALTED) return KICK.NOT_HALTED;
    // WAKING: ours until endWake publishes it as runnable; queued by the rule, from the pCPU it last ran on.
    const queue = beginWake(machine, target, now);
    if (this.boost) markBoosted(memory, machine.layout.vcpuHvBase(target));
    if (endWake(machine, target) && !this.push(queue, target)) clearQueued(memory, shared);
    this.wakeAnIdlePcpu();
    return KICK.WOKEN;
  }
}
