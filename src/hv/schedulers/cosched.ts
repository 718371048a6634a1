/**
 * `cosched`: relaxed co-scheduling, as VMware ESX 3 and 4 do it: a vCPU that runs too far ahead
 * of its slowest sibling is co-stopped until the laggards catch up, so that a lock holder left
 * behind is not spun on for long by siblings that run on. Sources: VMware, "Co-scheduling SMP
 * VMs in VMware ESX Server" (2008) and "VMware vSphere 4: The CPU Scheduler in VMware ESX 4"
 * (2009): skew is tracked per vCPU as the difference in progress between it and the slowest
 * vCPU of its VM; a vCPU makes progress while it runs or idles (a halted vCPU "is treated as if
 * it were running", so idle vCPUs never hold their siblings back); only the vCPUs that lead by
 * more than a threshold are co-stopped (ESX 4; ESX 2 stopped the whole VM), and a co-stopped
 * vCPU is co-started when its lead is back within the threshold. VMware publishes no value for
 * the threshold: `coschedSkewUs` (default 3000) is this simulator's.
 *
 * Here it is rr (round-robin.ts: per-pCPU lock-free rings, work stealing, fixed slices with the
 * first slice's stagger, KVM-style directed yield, cs-hint extensions) with the skew rule on top:
 *   - progress: each vCPU's time running or halted (`COSCHED.progressNs` up to
 *     `accruingSince`), kept by whoever owns the vCPU: its pCPU at switch-in and switch-out, a
 *     kicker while it wakes it (WAKING). A runnable or co-stopped vCPU does not progress.
 *   - co-stop: a running vCPU whose lead is over the threshold at a skew check is taken off its
 *     pCPU (counted `coStops`), and its pCPU runs someone else or idles (`SLICE_OFF`). Checks
 *     fall at every slice end and in between at the earliest time the lead could cross the
 *     threshold (it grows at most as fast as time), but at most every `MIN_CHECK_NS`: the lead
 *     never passes the threshold by more than that and one step.
 *   - co-start: a co-stopped vCPU stays runnable, with its queue entry; a pCPU that claims it
 *     while its lead is still over the threshold gives it back (it is held back, as a sleeper of
 *     the sleep reaction is); one that claims it within the threshold co-starts it (`coStarts`,
 *     `coStopNs`) and runs it. Idle pCPUs poll while any vCPU is co-stopped
 *     (`pendingHeldBack`): its co-start comes with a sibling's progress, at no time an engine
 *     keeps a timer for.
 * What ESX does besides and this leaves out: proportional shares (here every VM has an equal
 * share, as rr's), the co-start of every lagging vCPU together (ESX 3's), hyperthreading and
 * NUMA placement.
 *
 * Words: a line per vCPU in the sched region (`coschedF64Base`/`coschedI32Base`, `COSCHED`);
 * progress is read racily by the siblings' pCPUs, a hint, like the ring sizes: the state word's
 * compare-and-swap keeps rr's invariants whatever it says.
 */
import { LINE_BYTES, type Layout, type Machine } from '../../shm/layout.js';
import { VC } from '../../events/table.js';
import type { Platform } from '../platform.js';
import { DESCHEDULE, SLICE_OFF, type SchedulerOps } from '../scheduler.js';
import { RoundRobinScheduler } from './round-robin.js';

/**
 * A vCPU's line in the sched region (cosched's registry entry asks for one per vCPU): f64 slots
 * `progressNs` (time running or halted, up to `accruingSince`), `accruingSince` (when the vCPU
 * last started running or halted, -1 while it waits: runnable, or co-stopped) and `coStoppedAt`,
 * written by whoever owns the vCPU (its pCPU, or a kicker while WAKING) and read by its
 * siblings' pCPUs as a hint; i32 slot `coStopped` (1 while co-stopped), written by the owner
 * with an atomic store and read by idle pCPUs, which poll while it is set.
 */
const COSCHED = { progressNs: 0, accruingSince: 1, coStoppedAt: 2, coStopped: 6 } as const;

/** f64 base of `vcpu`'s line; add `COSCHED.progressNs`, `accruingSince`, `coStoppedAt`. */
function coschedF64Base(layout: Layout, vcpu: number): number {
  return (layout.schedByte + vcpu * LINE_BYTES) / 8;
}

/** i32 base of `vcpu`'s line; add `COSCHED.coStopped`. */
function coschedI32Base(layout: Layout, vcpu: number): number {
  return (layout.schedByte + vcpu * LINE_BYTES) / 4;
}

/** The closest two skew checks come, in ns: the shortest slice the schema allows. */
const MIN_CHECK_NS = 10_000;

/** The start state: no vCPU progresses (all are runnable and queued). On the main thread, before any pCPU thread sees the buffer. */
function initCosched(machine: Machine): void {
  const { f64, layout } = machine;
  for (let v = 0; v < layout.vcpus; v++) f64[coschedF64Base(layout, v) + COSCHED.accruingSince] = -1;
}

/** `vcpu`'s progress at `now`, in ns: its time running or halted. */
function progressNs(f64: Float64Array, base: number, now: number): number {
  const since = f64[base + COSCHED.accruingSince]!;
  const done = f64[base + COSCHED.progressNs]!;
  return since >= 0 && now > since ? done + (now - since) : done;
}

/** How far `vcpu`'s progress leads its VM's slowest other vCPU's at `now`, in ns (0 in a one-vCPU VM; negative when it lags). */
export function coschedLeadNs(machine: Machine, vcpu: number, now: number): number {
  const { f64, layout } = machine;
  const vm = layout.vms[layout.vmOfVcpu[vcpu]!]!;
  const end = vm.firstVcpu + vm.vcpus;
  let slowest = Infinity;
  for (let s = vm.firstVcpu; s < end; s++) {
    if (s === vcpu) continue;
    const p = progressNs(f64, coschedF64Base(layout, s), now);
    if (p < slowest) slowest = p;
  }
  return slowest === Infinity ? 0 : progressNs(f64, coschedF64Base(layout, vcpu), now) - slowest;
}

export class CoschedScheduler extends RoundRobinScheduler {
  private readonly skewNs: number;
  /** The running vCPU's real slice end; `sliceEnd` is the next skew check, never later. */
  private realSliceEnd = Infinity;

  constructor(machine: Machine, pcpu: number, platform: Platform) {
    super(machine, pcpu, platform);
    this.skewNs = machine.config.scheduler.coschedSkewUs * 1000;
    this.holdsBack = !this.bare;
  }

  /** The next skew check for `vcpu`, running, at `now`: when its lead could first cross the threshold, at most the slice end. */
  private nextCheck(vcpu: number, now: number): number {
    const vm = this.machine.layout.vms[this.machine.layout.vmOfVcpu[vcpu]!]!;
    if (vm.vcpus < 2) return this.realSliceEnd;
    const margin = this.skewNs - coschedLeadNs(this.machine, vcpu, now);
    const check = now + (margin > MIN_CHECK_NS ? margin : MIN_CHECK_NS);
    return check < this.realSliceEnd ? check : this.realSliceEnd;
  }

  override sliceStarted(vcpu: number, now: number): void {
    super.sliceStarted(vcpu, now);
    if (this.bare) return;
    const { f64 } = this;
    const base = coschedF64Base(this.machine.layout, vcpu);
    // Still accruing only after a halt that a kick raced (deschedule): its wait counts as progress.
    const since = f64[base + COSCHED.accruingSince]!;
    if (since >= 0 && now > since) f64[base + COSCHED.progressNs]! += now - since;
    f64[base + COSCHED.accruingSince] = now;
    this.realSliceEnd = this.sliceEnd;
    this.sliceEnd = this.nextCheck(vcpu, now);
  }

  /** A skew check or the slice end: a co-stop if `vcpu` leads too far, else on to the next check, else rr's slice end. */
  override sliceExpired(vcpu: number, now: number): number {
    if (coschedLeadNs(this.machine, vcpu, now) > this.skewNs) return this.coStop(vcpu, now);
    if (now < this.realSliceEnd) {
      this.sliceEnd = this.nextCheck(vcpu, now);
      return -1;
    }
    const next = super.sliceExpired(vcpu, now);
    if (next < 0) {
      this.realSliceEnd = this.sliceEnd;
      this.sliceEnd = this.nextCheck(vcpu, now);
    }
    return next;
  }

  /** Co-stops `vcpu`, running here: marked (its claimers give it back until it may co-start), and the pCPU runs the next vCPU or idles. */
  private coStop(vcpu: number, now: number): number {
    const { f64, machine } = this;
    const layout = machine.layout;
    f64[coschedF64Base(layout, vcpu) + COSCHED.coStoppedAt] = now;
    f64[layout.vcpuCounterBase(vcpu) + VC.coStops]! += 1;
    // Published by the release that requeues it; read by idle pCPUs as a hint. Partner: pendingHeldBack.
    this.memory.store(this.i32, coschedI32Base(layout, vcpu) + COSCHED.coStopped, 1);
    this.clock.preempting(vcpu);
    const next = this.pickNext(now);
    return next >= 0 ? next : SLICE_OFF;
  }

  /** rr's hold-back (a sleeper), and a co-stopped vCPU still too far ahead; one back within the threshold is co-started here. */
  protected override heldBack(vcpu: number, now: number): boolean {
    if (super.heldBack(vcpu, now)) return true;
    const { f64, i32, machine } = this;
    const layout = machine.layout;
    const marked = coschedI32Base(layout, vcpu) + COSCHED.coStopped;
    // Ours (claimed): its mark was published by the release that queued it.
    if (i32[marked] === 0) return false;
    if (coschedLeadNs(machine, vcpu, now) > this.skewNs) return true;
    this.memory.store(i32, marked, 0);
    const counters = layout.vcpuCounterBase(vcpu);
    f64[counters + VC.coStarts]! += 1;
    f64[counters + VC.coStopNs]! += now - f64[coschedF64Base(layout, vcpu) + COSCHED.coStoppedAt]!;
    return false;
  }

  /** rr's (a spin sleeper), or some vCPU co-stopped: an idle pCPU polls for its co-start instead of sleeping. */
  override pendingHeldBack(now: number): boolean {
    if (super.pendingHeldBack(now)) return true;
    if (this.bare) return false;
    const { memory, i32 } = this;
    const layout = this.machine.layout;
    for (let v = 0; v < layout.vcpus; v++) if (memory.load(i32, coschedI32Base(layout, v) + COSCHED.coStopped) !== 0) return true;
    return false;
  }

  /** Progress stops at a switch-out, but for a halt: a halted vCPU goes on progressing until its wake-up. */
  override deschedule(vcpu: number, reason: number, ranNs?: number, now = 0): number {
    if (!this.bare) {
      const { f64 } = this;
      const base = coschedF64Base(this.machine.layout, vcpu);
      const since = f64[base + COSCHED.accruingSince]!;
      if (since >= 0 && now > since) f64[base + COSCHED.progressNs]! += now - since;
      // Written while the vCPU is still ours: the release below publishes it.
      f64[base + COSCHED.accruingSince] = reason === DESCHEDULE.HALT ? now : -1;
    }
    return super.deschedule(vcpu, reason, ranNs, now);
  }

  /** A directed yield donates the real slice end, not the next skew check. */
  override yieldTo(vcpu: number, target: number, now = 0): number {
    if (this.bare) return super.yieldTo(vcpu, target, now);
    this.sliceEnd = this.realSliceEnd;
    const chosen = super.yieldTo(vcpu, target, now);
    if (chosen < 0) this.sliceEnd = this.nextCheck(vcpu, now);
    return chosen;
  }

  /** A kick ends a halt: the halted time was progress (the kicker owns the vCPU, WAKING). */
  protected override wake(now: number, target: number, shared: number, lastPcpu: number): void {
    const { f64 } = this;
    const base = coschedF64Base(this.machine.layout, target);
    const since = f64[base + COSCHED.accruingSince]!;
    if (since >= 0 && now > since) f64[base + COSCHED.progressNs]! += now - since;
    f64[base + COSCHED.accruingSince] = -1;
    super.wake(now, target, shared, lastPcpu);
  }
}

/** cosched's registry ops (hv/schedulers/index.ts): no vCPU progresses at the start. */
export const coschedOps: SchedulerOps = {
  create: (machine, pcpu, platform) => new CoschedScheduler(machine, pcpu, platform),
  initShared: initCosched,
};
