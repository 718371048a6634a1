/**
 * `credit`: Xen's credit scheduler (xen/common/sched/credit.c), simplified, on rr's lock-free
 * machinery (run-queue-scheduler.ts: Vyukov rings, the state word's claims, releases, halts and
 * kicks; stealing as in round-robin.ts; hv/slice-clock.ts: the first slice's stagger, cs-hint
 * extensions asked before any preemption).
 *
 * Xen's defaults and what each becomes here:
 *   - CSCHED_DEFAULT_WEIGHT 256: the VM's `weight` (schema default 256).
 *   - the time slice, tslice (CSCHED_DEFAULT_TSLICE_MS 30 ms, sched_credit_tslice_ms): the
 *     scenario's `scheduler.sliceUs`, the one slice knob every policy shares, so that policies
 *     compare at one slice (set 30000 for Xen's). Xen also accounts every tslice; here the
 *     accounting period is its own field, `scheduler.creditPeriodUs`, default 30 ms, so that a
 *     short slice does not mean a short accounting period.
 *   - CSCHED_TICKS_PER_TSLICE 3 (a 10 ms tick): a tick is a third of the accounting period; a
 *     vCPU loses BOOST once it has run a tick.
 *   - CSCHED_CREDITS_PER_MSEC 10, burn_credits: credit is kept in ns of run time (1 Xen credit =
 *     100 µs) and burnt continuously, by the run time itself: at every scheduling point of the
 *     running vCPU (rate-limit checkpoints, slice ends) and when it is descheduled. An i32 of ns
 *     holds ±2.1 s: the schema keeps periods ≤ 0.5 s and rate limits ≤ 0.1 s, so a credit,
 *     clamped to ±period at each accounting, stays within about ±1.1 s between two.
 *   - csched_acct: each accounting period, every active vCPU earns
 *     min(period, P × period × weight / W) ns, W the weights of all active vCPUs: Xen adds a
 *     VM's weight to the total once per active vCPU, so a VM's share is its weight times its
 *     active vCPUs, split evenly among them (for VMs with as many active vCPUs, that is a share
 *     per VM in proportion to its weight); the cap of one period per vCPU is Xen's credit_peak.
 *     Then a credit below −period is raised to −period, and one above +period is halved (Xen
 *     also takes such a vCPU off the active list until a tick finds it running).
 *   - priorities: BOOST (0) > UNDER (−1, credit ≥ 0) > OVER (−2, credit < 0). A vCPU woken from a
 *     halt (a kick, Xen's csched_unit_wake) with credit ≥ 0 is queued at BOOST (`creditBoosts`);
 *     it loses BOOST when it is next descheduled or once it has run a tick (csched_unit_acct).
 *   - sched_ratelimit_us 1000 (SCHED_DEFAULT_RATELIMIT_US): `scheduler.ratelimitUs`, capped at
 *     the slice as Xen caps it at tslice.
 *
 * Scheduling points (`sliceEnd` is the earlier of the two):
 *   - the slice end: as in csched_schedule, the running vCPU goes back in line behind the vCPUs
 *     of its own priority, so the pCPU switches to a waiting vCPU of equal or higher priority,
 *     else the vCPU goes on with a fresh slice (an UNDER vCPU is not preempted for OVER ones).
 *   - a rate-limit checkpoint, every `ratelimitUs` of the slice: Xen's wake-up tickles a pCPU
 *     whose current vCPU has a lower priority, and the rate limit lets the current vCPU finish
 *     its first ratelimit; without interrupts between pCPUs, each pCPU looks for itself, once a
 *     rate limit: if its own rings hold a vCPU of strictly higher priority than its current
 *     one, it preempts (after asking cs-hint's extension, as at a slice end;
 *     `creditPreemptions`). So a BOOST arrival runs at most one rate limit after it is queued.
 *
 * Run queues: three Vyukov rings per pCPU, one per priority (its registry entry's rings: ring
 * `SLOT[priority] × P + pCPU`; UNDER's slot first, so the start state queues every vCPU at UNDER
 * with credit 0, as Xen starts them). A pick takes the pCPU's own BOOST, then UNDER ring; then
 * steals BOOST, then UNDER, from the others (Xen's csched_load_balance steals only what beats
 * the local OVER head); then its own OVER ring; then steals OVER. A requeue goes to the pCPU's
 * own ring of its priority; a wake-up to the one the vCPU last ran on.
 *
 * Priority is read from the credit's sign whenever a vCPU is queued or its pCPU takes a
 * decision; Xen recomputes it only at accounting. After each accounting, each pCPU moves the
 * vCPUs its OVER ring holds whose credit is back to ≥ 0 to its UNDER ring (csched_runq_sort).
 *
 * Accounting without a master pCPU: the accounting epoch (`creditEpochWord`, periods done
 * since the run start) is taken by compare-and-swap by the first pCPU to reach a scheduling
 * point past the period's end; that pCPU adds the credits. Credits change only by atomic
 * operations: the owner's burn (an add) and the accountant's (a compare-and-swap), partners.
 *
 * Directed yield: none. Xen has SCHEDOP_yield only (csched_unit_yield), no yield-to: `yieldTo`
 * returns −1 and its registry entry does not accept directed yields, so a `directed-yield` spin reaction
 * finds nobody (the spinner goes on), a boost's yield to the kicked vCPU does not happen, and
 * preempted-aware guests halt or yield instead. (`scheduler.boost` is KVM's boost, marks for
 * directed yields: credit marks nothing; its own BOOST is the priority above.) The `sleep`
 * reaction's sleepers are given back when claimed, as in rr.
 *
 * Left out: caps (parked vCPUs), soft and hard affinity, the migration delay, the credit
 * balance carried between periods and the redistribution of what capped VMs leave (credit_xtra),
 * the YIELD flag's "behind one lower-priority vCPU" (a yield here runs whoever waits, like rr's).
 * Xen's active list is approximated by: every vCPU not halted when the accounting runs is active.
 */
import type { Layout, Machine } from '../../shm/layout.js';
import { CTRL_F64, VCPU_HV, VCPU_SHARED, VCPU_TIME } from '../../shm/layout.js';
import { PC, VC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import { RunQueue } from '../run-queue.js';
import type { SchedulerOps } from '../scheduler.js';
import { clearQueued, stateCode, VCPU_STATE } from '../vcpu-state.js';
import { endWake } from '../wake.js';
import { RunQueueScheduler } from './run-queue-scheduler.js';

/** Priorities, highest first (Xen: CSCHED_PRI_TS_BOOST 0, _UNDER −1, _OVER −2). */
export const CREDIT_PRIORITY = { BOOST: 0, UNDER: 1, OVER: 2 } as const;
const { BOOST, UNDER, OVER } = CREDIT_PRIORITY;
/** Layout slot of each priority's rings (ring = slot × P + pCPU): UNDER's first, for the start state. */
const SLOT = [1, 0, 2] as const;
/** Xen's CSCHED_TICKS_PER_TSLICE: ticks per accounting period. */
const TICKS_PER_PERIOD = 3;

/**
 * The vCPU's credit, in ns of run time (Xen's credit: 10 per ms): the policy's word of its
 * `VCPU_HV` block. The owner burns it and the accounting pCPU adds to it, both by atomic operations.
 */
export const CREDIT_WORD = VCPU_HV.schedWord;

/** i32 index of the accounting epoch (accounting periods done since the run start): the one line credit's registry entry asks of the sched region. */
export function creditEpochWord(layout: Layout): number {
  return layout.schedByte / 4;
}

/** The ring of `priority` of `pcpu` among `pcpus`, in the layout's numbering. */
export function creditRing(priority: number, pcpu: number, pcpus: number): number {
  return SLOT[priority]! * pcpus + pcpu;
}

export class CreditScheduler extends RunQueueScheduler {
  /** Rings by priority then pCPU: `rings[priority × P + pCPU]` (the ring numbering of `pop` and `push`). */
  readonly rings: RunQueue[];
  private readonly pcpus: number;
  private readonly epochIndex: number;
  private readonly startIndex: number;
  private readonly periodNs: number;
  private readonly tickNs: number;
  private readonly ratelimitNs: number;
  /** Per vCPU: its VM's weight. */
  private readonly weights: Float64Array;
  /** The run's start (CTRL_F64.startNs), read at the first scheduling point: written before the start barrier opens. */
  private startNs = NaN;
  /** When this pCPU next looks whether an accounting is due. */
  private nextAccountingAt = -Infinity;
  /** The accounting epoch whose OVER ring this pCPU has re-sorted. */
  private sortedEpoch = 0;
  /** The priority of the ring the last claim came from: the claimed vCPU's, until its slice starts. */
  private claimedPriority: number = UNDER;
  /** The running vCPU's priority as of its last scheduling point; BOOST until `boostEnd`. */
  private priority: number = UNDER;
  private boostEnd = 0;
  /** The end of the running vCPU's slice, and its next rate-limit checkpoint. */
  private realSliceEnd = Infinity;
  private checkpoint = Infinity;
  /** Run time of the running vCPU's current slice already burnt from its credit. */
  private burnt = 0;

  constructor(machine: Machine, pcpu: number, platform: Platform) {
    super(machine, pcpu, platform);
    const { layout, config } = machine;
    this.pcpus = layout.pcpus;
    this.rings = [];
    for (let priority = BOOST; priority <= OVER; priority++)
      for (let p = 0; p < layout.pcpus; p++)
        this.rings.push(new RunQueue(machine.memory, layout.queueBase(creditRing(priority, p, layout.pcpus)), layout.queueCapacity));
    this.epochIndex = creditEpochWord(layout);
    this.startIndex = layout.controlF64(CTRL_F64.startNs);
    this.periodNs = config.scheduler.creditPeriodUs * 1000;
    this.tickNs = this.periodNs / TICKS_PER_PERIOD;
    this.ratelimitNs = Math.min(config.scheduler.ratelimitUs * 1000, this.clock.sliceNs);
    this.weights = Float64Array.from(layout.vmOfVcpu, (vm) => config.vms[vm]!.weight);
  }

  // ---- picking ---------------------------------------------------------------------------

  /** Next vCPU of any priority (see the header for the order); a scheduling point, where an accounting may be due. */
  pickNext(now: number): number {
    this.account(now);
    return this.pickUpTo(OVER, now);
  }

  /** The next vCPU of priority `lowest` or higher, claimed, or -1. */
  private pickUpTo(lowest: number, now: number): number {
    const top = lowest < UNDER ? lowest : UNDER;
    for (let priority = BOOST; priority <= top; priority++) {
      const own = this.claimAt(priority, this.pcpu, now);
      if (own >= 0) return own;
    }
    for (let priority = BOOST; priority <= top; priority++) {
      const stolen = this.steal(priority, now);
      if (stolen >= 0) return stolen;
    }
    if (lowest < OVER) return -1;
    const own = this.claimAt(OVER, this.pcpu, now);
    return own >= 0 ? own : this.steal(OVER, now);
  }

  private steal(priority: number, now: number): number {
    const n = this.pcpus;
    for (let i = 1; i < n; i++) {
      const victim = (this.pcpu + i) % n;
      if (this.rings[priority * n + victim]!.size() === 0) continue;
      const stolen = this.claimAt(priority, victim, now);
      if (stolen >= 0) {
        this.f64[this.pcpuCounters + PC.steals]! += 1;
        return stolen;
      }
    }
    return -1;
  }

  /**
   * Claims from `pcpu`'s ring of `priority` (run-queue-scheduler.ts `claimFrom`: a stale entry,
   * none of which arise here with no directed yield, is dropped; a sleeper goes back to the
   * ring's tail); the claimed vCPU runs at that priority.
   */
  private claimAt(priority: number, pcpu: number, now: number): number {
    const vcpu = this.claimFrom(priority * this.pcpus + pcpu, now);
    if (vcpu >= 0) this.claimedPriority = priority;
    return vcpu;
  }

  protected pop(ring: number): number {
    return this.rings[ring]!.pop();
  }

  /** Whether this pCPU's own rings hold a vCPU of priority `lowest` or higher (racy sizes: a hint). */
  private ownWaiting(lowest: number): boolean {
    for (let priority = BOOST; priority <= lowest; priority++) if (this.rings[priority * this.pcpus + this.pcpu]!.size() > 0) return true;
    return false;
  }

  // ---- slices and scheduling points --------------------------------------------------------

  sliceStarted(_vcpu: number, now: number): void {
    this.priority = this.claimedPriority;
    this.claimedPriority = UNDER;
    this.boostEnd = now + this.tickNs;
    this.burnt = 0;
    this.realSliceEnd = this.clock.start(now);
    if (this.bare) {
      this.sliceEnd = this.checkpoint = Infinity;
      return;
    }
    this.checkpoint = now + this.ratelimitNs;
    this.sliceEnd = this.checkpoint < this.realSliceEnd ? this.checkpoint : this.realSliceEnd;
  }

  sliceExpired(vcpu: number, now: number): number {
    this.account(now);
    this.burnTo(vcpu, now);
    const priority = this.currentPriority(vcpu, now);
    const sliceOver = now >= this.realSliceEnd;
    // At a slice end a vCPU of equal or higher priority preempts (round robin within a
    // priority); at a checkpoint, only a higher one.
    const lowest = sliceOver ? priority : priority - 1;
    if (lowest < BOOST || (!sliceOver && !this.ownWaiting(lowest))) return this.goOn(now, sliceOver);
    const extendedTo = this.clock.extend(vcpu, now);
    if (extendedTo >= 0) {
      this.sliceEnd = extendedTo;
      return -1;
    }
    const next = sliceOver ? this.pickUpTo(lowest, now) : this.pickOwn(lowest, now);
    if (next < 0) return this.goOn(now, sliceOver);
    this.clock.preempting(vcpu);
    if (!sliceOver) this.f64[this.pcpuCounters + PC.creditPreemptions]! += 1;
    return next;
  }

  /** A checkpoint's pick: from this pCPU's own rings only (Xen's tickle targets the pCPU the vCPU was queued on). */
  private pickOwn(lowest: number, now: number): number {
    for (let priority = BOOST; priority <= lowest; priority++) {
      const own = this.claimAt(priority, this.pcpu, now);
      if (own >= 0) return own;
    }
    return -1;
  }

  /** The running vCPU goes on: a fresh slice after a slice end, else to the next checkpoint. */
  private goOn(now: number, sliceOver: boolean): number {
    if (sliceOver) this.realSliceEnd = this.clock.fresh(now);
    this.checkpoint = now + this.ratelimitNs;
    this.sliceEnd = this.checkpoint < this.realSliceEnd ? this.checkpoint : this.realSliceEnd;
    return -1;
  }

  /** The running vCPU's priority at `now`: BOOST for a tick of running, then its credit's sign. */
  private currentPriority(vcpu: number, now: number): number {
    if (this.priority !== BOOST || now >= this.boostEnd) this.priority = this.creditOf(vcpu) >= 0 ? UNDER : OVER;
    return this.priority;
  }

  // ---- credits -------------------------------------------------------------------------------

  private creditOf(vcpu: number): number {
    return this.memory.load(this.i32, this.machine.layout.vcpuHvBase(vcpu) + CREDIT_WORD);
  }

  /** Burns the running vCPU's run time up to `now` (it ran since VCPU_TIME.runningSince, set when its switch ended). */
  private burnTo(vcpu: number, now: number): void {
    const ran = now - this.f64[this.machine.layout.vcpuTimeBase(vcpu) + VCPU_TIME.runningSince]!;
    this.burn(vcpu, ran);
  }

  /** Burns what of `ran` (the slice's run time so far) is not burnt yet. Partner: the accountant's compare-and-swap. */
  private burn(vcpu: number, ran: number): void {
    const ns = Math.round(ran - this.burnt);
    if (ns <= 0) return;
    this.burnt += ns;
    this.memory.add(this.i32, this.machine.layout.vcpuHvBase(vcpu) + CREDIT_WORD, -ns);
  }

  /**
   * Accounts if a period has ended (once per period, by whichever pCPU gets there first), then
   * re-sorts this pCPU's OVER ring once per accounting done.
   */
  private account(now: number): void {
    if (now < this.nextAccountingAt) return;
    const { memory, i32 } = this;
    if (Number.isNaN(this.startNs)) this.startNs = this.f64[this.startIndex]!;
    const due = Math.floor((now - this.startNs) / this.periodNs);
    let epoch = memory.load(i32, this.epochIndex);
    // Partner: the other pCPUs' compare-and-swap of the same epoch; one wins, and accounts once
    // for however many periods passed (idle pCPUs take no decisions).
    if (due > epoch && memory.compareExchange(i32, this.epochIndex, epoch, due) === epoch) {
      this.distribute();
      epoch = due;
    } else if (due > epoch) {
      epoch = memory.load(i32, this.epochIndex);
    }
    this.nextAccountingAt = this.startNs + (Math.max(epoch, due) + 1) * this.periodNs;
    if (epoch !== this.sortedEpoch) {
      this.sortedEpoch = epoch;
      this.sortOverRing();
    }
  }

  /** csched_acct: every active vCPU earns its share of the period (see the header). */
  private distribute(): void {
    const { memory, i32, weights } = this;
    const layout = this.machine.layout;
    let total = 0;
    for (let v = 0; v < layout.vcpus; v++) if (this.active(v)) total += weights[v]!;
    if (total === 0) return;
    const period = this.periodNs;
    const pool = this.pcpus * period;
    for (let v = 0; v < layout.vcpus; v++) {
      if (!this.active(v)) continue;
      const share = Math.floor((pool * weights[v]!) / total);
      const earned = share < period ? share : period;
      const index = layout.vcpuHvBase(v) + CREDIT_WORD;
      // Partner: the owner's burn (an atomic add); retried until no burn came in between.
      for (let credit = memory.load(i32, index); ;) {
        let next = credit + earned;
        if (next < -period) next = -period;
        else if (next > period) next = Math.floor(next / 2);
        const seen = memory.compareExchange(i32, index, credit, next);
        if (seen === credit) break;
        credit = seen;
      }
    }
  }

  /** Xen's active list, approximated: a vCPU halted when the accounting runs earns nothing. */
  private active(vcpu: number): boolean {
    return stateCode(this.memory.load(this.i32, this.machine.layout.vcpuSharedBase(vcpu) + VCPU_SHARED.state)) !== VCPU_STATE.HALTED;
  }

  /**
   * csched_runq_sort: moves the vCPUs of this pCPU's OVER ring whose credit is back to ≥ 0 to its
   * UNDER ring, the others to the back of the OVER ring, in order. An entry in hand is a
   * RUNNABLE, QUEUED vCPU in no ring: nobody can claim it meanwhile (only a popper can, with no
   * directed yield here), and the push puts it back; a pCPU that found nothing meanwhile and
   * went to sleep is woken after.
   */
  private sortOverRing(): void {
    const n = this.pcpus;
    const over = this.rings[OVER * n + this.pcpu]!;
    let moved = 0;
    for (let left = over.size(); left > 0; left--) {
      const vcpu = over.pop();
      if (vcpu < 0) break;
      const priority = this.creditOf(vcpu) >= 0 ? UNDER : OVER;
      if (priority === UNDER) moved++;
      if (!this.push(priority * n + this.pcpu, vcpu)) clearQueued(this.memory, this.machine.layout.vcpuSharedBase(vcpu));
    }
    if (moved > 0) this.wakeAnIdlePcpu();
  }

  // ---- descheduling, waking ----------------------------------------------------------------

  /** Burns the run time of the slice first; then every policy's release, halt or requeue. */
  override deschedule(vcpu: number, reason: number, ranNs = 0, now = 0): number {
    if (!this.bare) {
      this.burn(vcpu, ranNs);
      this.burnt = 0;
    }
    return super.deschedule(vcpu, reason, ranNs, now);
  }

  /** Descheduled, a vCPU loses BOOST: back in line by its credit, on this pCPU's ring of that priority. */
  protected placement(vcpu: number, first: number): number {
    return (this.creditOf(vcpu) >= 0 ? UNDER : OVER) * this.pcpus + first;
  }

  /**
   * Pushes to `ring`, else another pCPU's ring of its priority; false when all refused it (a
   * broken invariant, counted). One may refuse without being full: a Vyukov ring refuses while
   * the consumer of the position one lap back has taken its entry but not yet freed the cell (a
   * pCPU thread the host preempted mid-pop). So only a refusal by all counts.
   */
  protected push(ring: number, vcpu: number): boolean {
    const n = this.pcpus;
    const first = ring % n;
    const priorityBase = ring - first;
    for (let i = 0; i < n; i++) if (this.rings[priorityBase + ((first + i) % n)]!.push(vcpu)) return true;
    this.f64[this.pcpuCounters + PC.queueFull]! += 1;
    return false;
  }

  /** Xen's credit scheduler has no directed yield (see the header). */
  yieldTo(): number {
    return -1;
  }

  /** csched_unit_wake: a woken vCPU with credit ≥ 0 is queued at BOOST on the pCPU it last ran on. */
  protected wake(_now: number, target: number, shared: number, lastPcpu: number): void {
    const boosted = this.creditOf(target) >= 0;
    if (boosted) this.f64[this.machine.layout.vcpuCounterBase(target) + VC.creditBoosts]! += 1;
    if (endWake(this.machine, target) && !this.push((boosted ? BOOST : OVER) * this.pcpus + lastPcpu, target)) clearQueued(this.memory, shared);
  }
}

/** credit's registry ops (hv/schedulers/index.ts): its epoch word starts at 0, with every credit. */
export const creditOps: SchedulerOps = {
  create: (machine, pcpu, platform) => new CreditScheduler(machine, pcpu, platform),
};
