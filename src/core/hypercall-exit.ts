/**
 * The hypervisor's side of a hypercall: the guest made it at the end of the last step (a VM
 * exit), and the core handles it at the start of this one, with the engine's fresh clock.
 * A dispatcher on the code (hv/hypercalls.ts): each exit is handled by the mechanism it belongs
 * to, in src/core/host/:
 *   NOTIFY_LONG_SPIN_WAIT  counted, then the machine's spin reaction   host/spin-reaction.ts
 *   PLE_EXIT               the window grows, then the spin reaction    host/ple.ts
 *   HALT                   the conditional halt (pv_wait)              host/halt-kick.ts
 *   YIELD, YIELD_TO        the scheduler's yield or directed yield     host/directed-yield.ts
 *   KICK_YIELD             the boost's yield to a kicked vCPU          host/boost.ts
 * The kick itself (pv_kick) is made inside the unlocking step (host/halt-kick.ts `kickWaiter`).
 * Every exit ends the vCPU's PLE loop.
 */
import { HYPERCALL } from '../hv/hypercalls.js';
import type { CoreState } from './core-state.js';
import { kickYield } from './host/boost.js';
import { yieldHypercall, yieldToHypercall } from './host/directed-yield.js';
import { halt } from './host/halt-kick.js';
import { notifyLongSpinWait } from './host/spin-reaction.js';

/** Handles the pending hypercall at `now`; returns the step's STEP code. */
export function handleHypercall(core: CoreState, now: number): number {
  const code = core.pendingHypercall;
  core.pendingHypercall = HYPERCALL.NONE;
  const report = core.stepReport;
  report.workUnits = 0;
  report.lockSteps = 0;
  report.spins = 0;
  report.exits = 1;
  report.lock = -1;
  core.endedOnSpin = false;
  // A VM exit: the first PAUSE after the entry starts a new loop.
  core.pleSpins = 0;
  switch (code) {
    case HYPERCALL.NOTIFY_LONG_SPIN_WAIT:
      return notifyLongSpinWait(core, now);
    case HYPERCALL.PLE_EXIT:
      return core.ple.exit(core, now);
    case HYPERCALL.HALT:
      return halt(core, now);
    case HYPERCALL.YIELD:
      return yieldHypercall(core, now);
    case HYPERCALL.YIELD_TO:
      return yieldToHypercall(core, now);
    case HYPERCALL.KICK_YIELD:
      return kickYield(core, now);
    default:
      throw new Error(`pCPU ${core.pcpu}: unknown hypercall ${code}`);
  }
}
