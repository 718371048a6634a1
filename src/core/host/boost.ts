/**
 * Boosts of a kicked vCPU, the core's part (the model and its sources: hv/boost.ts; the kick's
 * mark is the scheduler's): a switch-in ends the vCPU's boost (kvm_sched_in: ready = false),
 * and an unlocker that kicked a waiter yields its pCPU to it (KVM_HC_KICK_CPU's
 * kvm_sched_yield), a HYPERCALL.KICK_YIELD the next step handles, unless the kick found the
 * waiter running already.
 */
import { clearBoost } from '../../hv/boost.js';
import { HYPERCALL } from '../../hv/hypercalls.js';
import { KICK } from '../../hv/scheduler.js';
import { VCPU_CTX } from '../../shm/layout.js';
import { VC } from '../../events/table.js';
import type { CoreState } from '../core-state.js';
import { runInstead } from './directed-yield.js';
import type { KickHook, SwitchInHook } from './hooks.js';
import { countVcpu } from '../count.js';

export class Boosts implements SwitchInHook<CoreState>, KickHook<CoreState> {
  switchIn(core: CoreState): void {
    clearBoost(core.memory, core.hv);
  }

  afterKick(core: CoreState, target: number, kicked: number): number {
    if (kicked === KICK.PENDING) return HYPERCALL.NONE;
    core.i32[core.ctx + VCPU_CTX.hypercallArg] = target;
    return HYPERCALL.KICK_YIELD;
  }
}

/** HYPERCALL.KICK_YIELD: the kicker's directed yield to the vCPU it kicked. */
export function kickYield(core: CoreState, now: number): number {
  const next = core.scheduler.yieldTo(core.current, core.i32[core.ctx + VCPU_CTX.hypercallArg]!, now);
  if (next >= 0) countVcpu(core, VC.boostYields);
  return runInstead(core, next, true, now);
}
