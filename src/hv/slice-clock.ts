/**
 * A pCPU's slice clock, shared by every scheduler policy (hv/schedulers/): the slice length
 * (`scheduler.sliceUs`), the first slice's stagger, a directed yield's donated slice, and the
 * cs-hint extension asked at every slice end (hv/slice-extension.ts). It computes slice ends;
 * the scheduler keeps the running vCPU's in its own `sliceEnd` field, which the core reads every
 * step as a plain field.
 *
 *   - Stagger: pCPU p's first slice is longer by p/P of a slice, because real pCPUs' timers are
 *     not in step, and slices that all ended together would gang-schedule a VM's vCPUs by
 *     accident and hide lock-holder preemption.
 *   - Donation: a directed yield donates the rest of the yielder's slice (as KVM's yield_to
 *     does), not a fresh one: the target was taken past the run queue, so with a fresh slice the
 *     vCPUs of one VM could pass the pCPU among themselves forever and starve everyone queued on
 *     it. Only the round-robin family donates (hv/schedulers/round-robin-family.ts).
 *   - Bare metal: one vCPU bound per pCPU, no slices (a slice end of Infinity).
 */
import type { Machine } from '../shm/layout.js';
import { SliceExtensions } from './slice-extension.js';

export class SliceClock {
  /** A fresh slice, in ns. */
  readonly sliceNs: number;
  private readonly bare: boolean;
  /** Extra length of this pCPU's first slice (see the header); 0 once it has been used. */
  private firstSliceStagger: number;
  /** The slice end a directed yield donates to its target, or -1. */
  private donatedEnd = -1;
  /** cs-hint's delayed preemption, asked at every slice end. */
  private readonly extensions: SliceExtensions;

  constructor(machine: Machine, pcpu: number) {
    const { layout, config } = machine;
    this.sliceNs = config.scheduler.sliceUs * 1000;
    this.bare = config.mode === 'bare';
    this.firstSliceStagger = (this.sliceNs * pcpu) / layout.pcpus;
    this.extensions = new SliceExtensions(machine);
  }

  /** A vCPU was put on this pCPU at `now`: the end of its slice, the donated one if a directed yield gave one, else a fresh one (the first one staggered). */
  start(now: number): number {
    let end: number;
    if (this.donatedEnd >= 0) {
      end = this.donatedEnd;
      this.donatedEnd = -1;
    } else {
      end = this.bare ? Infinity : now + this.sliceNs + this.firstSliceStagger;
    }
    this.firstSliceStagger = 0;
    return end;
  }

  /** A directed yield claimed its target: the next slice to start ends at `sliceEnd`, the yielder's. */
  donate(sliceEnd: number): void {
    this.donatedEnd = sliceEnd;
  }

  /** The end of a fresh slice from `now`, for a vCPU that goes on (no stagger, no donation). */
  fresh(now: number): number {
    return now + this.sliceNs;
  }

  /** At `vcpu`'s slice end at `now`, before any preemption: the end of a cs-hint extension granted now, or -1 (SliceExtensions.grant). */
  extend(vcpu: number, now: number): number {
    return this.extensions.grant(vcpu, now);
  }

  /** The scheduler preempts `vcpu` at a slice end: an extension it ran on has expired (SliceExtensions.preempting). */
  preempting(vcpu: number): void {
    this.extensions.preempting(vcpu);
  }
}
