/**
 * The host's reactions to a detected spin (a guest's NotifyLongSpinWait, or a PLE exit:
 * host/ple.ts), one per machine (`scheduler.reaction`, hv/spin-reaction.ts for the models and
 * the spin-loop word): a plain yield (Xen), a directed yield to a sibling (KVM's
 * kvm_vcpu_on_spin), or a sleep (KVM before 2.6.39). Nobody to yield to: the guest spins on.
 * Each is a `SpinReaction` class, chosen once per core (`spinReactionOf`), so the exit's call
 * is monomorphic; the directed yield's switch-in hook ends its spin loop (kvm_sched_in).
 */
import type { Config } from '../../config/schema.js';
import { DESCHEDULE } from '../../hv/scheduler.js';
import { enterSpinLoop, leaveSpinLoop } from '../../hv/spin-reaction.js';
import { VCPU_TIME } from '../../shm/layout.js';
import { TR, VC } from '../../events/table.js';
import type { CoreState } from '../core-state.js';
import { runNextOrIdle } from '../idle.js';
import { STEP } from '../step.js';
import { switchOut } from '../switching.js';
import { traceEvent } from '../trace-record.js';
import { runInstead } from './directed-yield.js';
import type { SpinReaction, SwitchInHook } from './hooks.js';
import { addVcpu, countVcpu } from '../count.js';

/** Xen's vcpu_yield, Hyper-V's reaction to the notification: the next runnable vCPU runs. */
class YieldOnSpin implements SpinReaction<CoreState> {
  react(core: CoreState, now: number): number {
    return runInstead(core, core.scheduler.yield(core.current, now), false, now);
  }
}

/** KVM's kvm_vcpu_on_spin: in a spin loop while it looks, and until it runs again if it yields. */
class DirectedYieldOnSpin implements SpinReaction<CoreState>, SwitchInHook<CoreState> {
  react(core: CoreState, now: number): number {
    enterSpinLoop(core.memory, core.hv);
    const next = core.scheduler.yieldTo(core.current, -1, now);
    if (next < 0) {
      leaveSpinLoop(core.memory, core.hv);
      return STEP.RAN;
    }
    return runInstead(core, next, true, now);
  }

  /** kvm_sched_in: the vCPU runs, so its directed yield is over. */
  switchIn(core: CoreState): void {
    leaveSpinLoop(core.memory, core.hv);
  }
}

/**
 * The sleep reaction: the spinner leaves its pCPU, runnable (and stealing) only from the end of
 * its sleep; no claim keeps it before then (the scheduler gives it back). If nobody else can
 * run, the pCPU polls for work (core/idle.ts `idle`): a sleeper is pending, and no engine timer
 * would wake a sleeping pCPU for it.
 */
class SleepOnSpin implements SpinReaction<CoreState> {
  /** The sleep's length in ns (`scheduler.spinSleepUs`). */
  constructor(private readonly sleepNs: number) {}

  react(core: CoreState, now: number): number {
    const f64 = core.f64;
    const until = now + this.sleepNs;
    f64[core.time + VCPU_TIME.sleepUntil] = until;
    countVcpu(core, VC.spinSleeps);
    addVcpu(core, VC.spinSleepNs, this.sleepNs);
    countVcpu(core, VC.yields);
    if (core.tracing) traceEvent(core, TR.yield, now, core.current, -1, -1);
    core.switchStartedAt = now;
    switchOut(core, now, DESCHEDULE.YIELD, until);
    return runNextOrIdle(core, now);
  }
}

/** The machine's spin reaction (bare metal: a plain yield, which never finds anyone else). */
export function spinReactionOf(config: Config): SpinReaction<CoreState> & Partial<SwitchInHook<CoreState>> {
  // Chosen once, from the scenario's name: the class is the reaction (no code to test per exit).
  const reaction = config.mode === 'bare' ? 'yield' : config.scheduler.reaction;
  if (reaction === 'directed-yield') return new DirectedYieldOnSpin();
  if (reaction === 'sleep') return new SleepOnSpin(config.scheduler.spinSleepUs * 1000);
  return new YieldOnSpin();
}

/** HYPERCALL.NOTIFY_LONG_SPIN_WAIT: counted, then the spin reaction. */
export function notifyLongSpinWait(core: CoreState, now: number): number {
  countVcpu(core, VC.notifications);
  if (core.tracing) traceEvent(core, TR.notify, now, core.current, -1, 0);
  return core.spinReaction.react(core, now);
}
