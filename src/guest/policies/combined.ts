/**
 * A `+` combination of spin-wait policies (`pv-halt+preempted-aware`, `notify+cs-hint`, …):
 * every part sees every spin, so each keeps its own count, and the first part in PRECEDENCE that
 * asks for a hypercall has it. Stopping on a preempted target comes before a threshold's halt or
 * notification, because it acts on what the waiter knows, not on how long it has waited.
 */
import type { PolicyKind, PolicySpec } from '../../config/schema.js';
import { HYPERCALL } from '../../hv/hypercalls.js';
import type { SpinWaitPolicy } from './spin-wait-policy.js';

const PRECEDENCE: readonly PolicyKind[] = ['preempted-aware', 'pv-halt', 'notify', 'cs-hint', 'naive'];

export class CombinedPolicy implements SpinWaitPolicy {
  private readonly parts: readonly SpinWaitPolicy[];
  constructor(
    readonly kind: PolicySpec,
    parts: readonly SpinWaitPolicy[],
  ) {
    this.parts = [...parts].sort((a, b) => PRECEDENCE.indexOf(a.kind as PolicyKind) - PRECEDENCE.indexOf(b.kind as PolicyKind));
  }

  afterSpin(ctx: number, vcpu: number, lockBase: number): number {
    let code: number = HYPERCALL.NONE;
    for (const part of this.parts) {
      const asked = part.afterSpin(ctx, vcpu, lockBase);
      if (code === HYPERCALL.NONE) code = asked;
    }
    return code;
  }

  waitEnded(ctx: number): void {
    for (const part of this.parts) part.waitEnded(ctx);
  }

  quietSpins(ctx: number): number {
    let quiet = Infinity;
    for (const part of this.parts) quiet = Math.min(quiet, part.quietSpins(ctx));
    return quiet;
  }

  addQuietSpins(ctx: number, spins: number): void {
    for (const part of this.parts) part.addQuietSpins(ctx, spins);
  }
}
