/** Naive spinning: spin until the lock is yours, whatever the hypervisor does meanwhile. */
import { HYPERCALL } from '../../hv/hypercalls.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

export class NaivePolicy implements SpinWaitPolicy {
  readonly kind = 'naive' as const;
  afterSpin(): number {
    return HYPERCALL.NONE;
  }
  waitEnded(): void {}
  quietSpins(): number {
    return Infinity;
  }
  addQuietSpins(): void {}
}
