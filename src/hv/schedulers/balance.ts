/**
 * `balance`: balance scheduling, after Sukwong and Kim, "Is co-scheduling too expensive for SMP
 * VMs?" (EuroSys 2011). Co-scheduling runs a VM's vCPUs together to keep a lock holder and its
 * waiters on pCPUs at once; balance scheduling gets much of that benefit without the
 * synchronisation: it only never stacks two sibling vCPUs (of one VM) on one pCPU's run queue,
 * where one can only ever run after the other. Their KVM patch did it where Linux chooses a
 * vCPU thread's run queue; here it is rr's lock-free round robin (round-robin.ts: per-pCPU
 * Vyukov rings, work stealing; round-robin-family.ts: fixed slices with the first slice's
 * stagger, KVM-style directed yield with its donated slice, cs-hint extensions at every slice
 * end) with the run queue chosen at push time: `BalanceScheduler` extends rr's, and adds the
 * rule (`placement`) and the words it reads.
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
 * Words (the sched region, `balanceQueuedBase`/`balanceRunningBase`: per VM a block of an i32
 * per pCPU, then one more for the running VMs, each block whole lines):
 *   queued[m][p]  entries of VM m's vCPUs in pCPU p's ring, live or stale: a pusher adds 1
 *                 before its push, a popper takes 1 off after its pop (so it never goes below
 *                 the entries there); the start state's are set by `initBalance`.
 *   running[p]    VM + 1 of the vCPU on pCPU p (claimed there and not yet descheduled), 0 for
 *                 none; written by p only. A hint: read racily by pushers, like the ring sizes.
 * The rule is a placement preference, never a correctness condition: the state word and the
 * rings keep rr's invariants whatever the counts say.
 */
import { LINE_BYTES, type Layout, type Machine } from '../../shm/layout.js';
import { PC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import type { SchedulerOps } from '../scheduler.js';
import { RoundRobinScheduler } from './round-robin.js';

/** Bytes of one block of the sched region: an i32 per pCPU, in whole lines (balance's registry entry asks for VMs + 1 of them). */
const blockBytes = (layout: Layout): number => Math.ceil((4 * layout.pcpus) / LINE_BYTES) * LINE_BYTES;

/** i32 base of VM `vm`'s sibling counts; add a pCPU id (entries of the VM's vCPUs in that pCPU's ring). */
function balanceQueuedBase(layout: Layout, vm: number): number {
  return (layout.schedByte + vm * blockBytes(layout)) / 4;
}

/** i32 base of the running-VM words; add a pCPU id (VM index + 1 of the vCPU on that pCPU, 0 for none). */
function balanceRunningBase(layout: Layout): number {
  return (layout.schedByte + layout.vms.length * blockBytes(layout)) / 4;
}

/**
 * The start state's sibling counts: initMachine queues vCPU v on pCPU v mod P
 * (Layout.startQueue). On the main thread, before any pCPU thread sees the buffer.
 */
function initBalance(machine: Machine): void {
  const { i32, layout } = machine;
  if (machine.config.mode === 'bare') return;
  for (let v = 0; v < layout.vcpus; v++) i32[balanceQueuedBase(layout, layout.vmOfVcpu[v]!) + layout.startQueue(v)]! += 1;
}

export class BalanceScheduler extends RoundRobinScheduler {
  /** Per VM, the base of its sibling counts (add a pCPU). */
  private readonly queuedBase: Int32Array;
  /** Base of the running-VM words (add a pCPU). */
  private readonly runningBase: number;
  /** The vCPU a pick or directed yield claimed in this switch, until its slice starts; -1 if none. */
  private claimed = -1;

  constructor(machine: Machine, pcpu: number, platform: Platform) {
    super(machine, pcpu, platform);
    const { layout } = machine;
    this.queuedBase = Int32Array.from(layout.vms, (vm) => balanceQueuedBase(layout, vm.index));
    this.runningBase = balanceRunningBase(layout);
  }

  /** rr's pop; the entry is gone from `ring`. Partner: the pusher's add in push(). */
  protected override pop(ring: number): number {
    const vcpu = this.queues[ring]!.pop();
    if (vcpu >= 0) this.memory.add(this.i32, this.queuedBase[this.machine.layout.vmOfVcpu[vcpu]!]! + ring, -1);
    return vcpu;
  }

  /** rr's claim (stale entries dropped, sleepers given back); a claimed vCPU is this pCPU's running VM from now on. */
  protected override claimFrom(ring: number, now: number): number {
    const vcpu = super.claimFrom(ring, now);
    if (vcpu >= 0) this.claimedHere(vcpu);
    return vcpu;
  }

  /** `vcpu` is to run here: what pushers see as this pCPU's running VM from now on. */
  private claimedHere(vcpu: number): void {
    this.claimed = vcpu;
    this.memory.store(this.i32, this.runningBase + this.pcpu, this.machine.layout.vmOfVcpu[vcpu]! + 1);
  }

  override sliceStarted(vcpu: number, now: number): void {
    this.claimed = -1;
    super.sliceStarted(vcpu, now);
  }

  override deschedule(vcpu: number, reason: number, ranNs?: number, now = 0): number {
    // The vCPU leaves this pCPU: the one running here next is the one claimed for this switch, if any.
    if (!this.bare && this.claimed < 0) this.memory.store(this.i32, this.runningBase + this.pcpu, 0);
    return super.deschedule(vcpu, reason, ranNs, now);
  }

  /**
   * The pCPU the header's rule chooses for `vcpu`, starting from `first` (rr's choice: the pCPU
   * it leaves, or the one it last ran on); the push goes on from there if that ring refuses it.
   */
  protected override placement(vcpu: number, first: number): number {
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
    return chosen;
  }

  /**
   * Pushes `vcpu` to `queue`'s ring, else the next ones'; false when every ring refused it (a
   * broken invariant, counted). One ring may refuse a push without being full: a Vyukov ring
   * refuses while the consumer of the position one lap back has taken its entry but not yet
   * freed the cell (a pCPU thread the host preempted mid-pop), and the rule sends pushes to
   * exactly such a ring, which looks empty. So only a refusal by every ring counts.
   */
  protected override push(queue: number, vcpu: number): boolean {
    const { memory, i32 } = this;
    const queued = this.queuedBase[this.machine.layout.vmOfVcpu[vcpu]!]!;
    const n = this.queues.length;
    for (let i = 0; i < n; i++) {
      const p = (queue + i) % n;
      // Counted before it is findable, so a popper's decrement never finds it uncounted. Partner: pop's add.
      memory.add(i32, queued + p, 1);
      if (this.queues[p]!.push(vcpu)) return true;
      memory.add(i32, queued + p, -1);
    }
    this.f64[this.pcpuCounters + PC.queueFull]! += 1;
    return false;
  }

  /** rr's directed yield (round-robin-family.ts, KVM's kvm_vcpu_on_spin); the target is this pCPU's running VM from now on. */
  override yieldTo(vcpu: number, target: number, now = 0): number {
    const chosen = super.yieldTo(vcpu, target, now);
    if (chosen >= 0) this.claimedHere(chosen);
    return chosen;
  }
}

/** balance's registry ops (hv/schedulers/index.ts): its sibling counts start as the start state queued the vCPUs. */
export const balanceOps: SchedulerOps = {
  create: (machine, pcpu, platform) => new BalanceScheduler(machine, pcpu, platform),
  initShared: initBalance,
};
