/**
 * `cs-hint`: the guest marks its critical sections for the hypervisor (delayed preemption:
 * Uhlig et al. 2004; eCS, USENIX ATC 2018; the Linux scheduler's time-slice extension). It
 * changes nothing about how a waiter spins: the guest writes VCPU_HV.csHint when it takes a lock
 * and clears it when it lets go, and gives a granted extension back with a yield at the release
 * (core/guest-interpreter.ts); the scheduler grants the extension (hv/slice-extension.ts).
 */
import { NaivePolicy } from './naive.js';

/** A waiter spins as a naive one does; only the name differs (the marking is the interpreter's, the extension the scheduler's). */
export class CsHintPolicy extends NaivePolicy {
  override readonly kind = 'cs-hint';
}
