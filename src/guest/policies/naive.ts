/** Naive spinning: spin until the lock is yours, whatever the hypervisor does meanwhile. */
import type { PolicyKind } from '../../config/schema.js';
import { HYPERCALL } from '../../hv/hypercalls.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

export class NaivePolicy implements SpinWaitPolicy {
  readonly kind: PolicyKind = 'naive';
  afterSpin(): number {
    return HYPERCALL.NONE;
  }
  waitEnded(): void {}
  quietSpins(): number {
    return Infinity;
  }
  addQuietSpins(): void {}
}
