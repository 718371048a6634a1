/**
 * Slice extension at a critical section's end (cs-hint): the guest clears its mark and gives an
 * extension it runs on back with a yield; an expired one is over already. The grant and the
 * expiry are the scheduler's, at a slice end (hv/slice-extension.ts `SliceExtensions`); the mark
 * is set by the guest interpreter when the lock is taken.
 */
import { HYPERCALL } from '../../hv/hypercalls.js';
import { EXTENSION } from '../../hv/slice-extension.js';
import { VCPU_HV } from '../../shm/layout.js';
import { VC } from '../../events/table.js';
import type { CoreState } from '../core-state.js';
import { countVcpu } from '../count.js';

/** At the release of a lock by a cs-hint guest: the HYPERCALL to ask for (a yield, or none). */
export function endCriticalSection(core: CoreState): number {
  const { i32, hv } = core;
  i32[hv + VCPU_HV.csHint] = 0;
  const extension = i32[hv + VCPU_HV.extension];
  if (extension === EXTENSION.NONE) return HYPERCALL.NONE;
  i32[hv + VCPU_HV.extension] = EXTENSION.NONE;
  if (extension !== EXTENSION.GRANTED) return HYPERCALL.NONE;
  countVcpu(core, VC.extensionsReturned);
  return HYPERCALL.YIELD;
}
