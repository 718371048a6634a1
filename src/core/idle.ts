/**
 * The idle path: after the current vCPU left its pCPU (asleep, halted, co-stopped or its slice
 * off), the next runnable vCPU runs, or the pCPU idles; and an idle pCPU's step, which either
 * lets the engine sleep it or, while the scheduler holds a runnable vCPU back, polls.
 */
import type { CoreState } from './core-state.js';
import { STEP } from './step.js';
import { switchIn } from './switching.js';

/** After the current vCPU left the pCPU at `now` (asleep, halted or co-stopped): the next runnable vCPU runs, or the pCPU idles. */
export function runNextOrIdle(core: CoreState, now: number): number {
  const next = core.scheduler.pickNext(now);
  if (next < 0) {
    core.idleSince = now;
    return idle(core, now);
  }
  switchIn(core, next, now);
  return STEP.SWITCHED;
}

/**
 * The end of a step that found nothing to run (idle since `core.idleSince`): IDLE, and the
 * engine may let the pCPU sleep until a wake-up; but while the scheduler holds a runnable vCPU
 * back (`Scheduler.pendingHeldBack`: asleep after a spin, the sleep reaction; co-stopped,
 * cosched), that vCPU becomes runnable at a time no engine keeps a timer for, so the pCPU looks
 * again a while later instead, idle all along: a RAN step that reports `idlePollExits`
 * exits, which the virtual engine charges a wake-up's worth of time (`wakeNs`: what a timer's
 * wake-up of a sleeping pCPU would cost), and which on threads is a busy poll.
 */
export function idle(core: CoreState, now: number): number {
  if (!core.scheduler.pendingHeldBack(now)) return STEP.IDLE;
  const report = core.stepReport;
  report.workUnits = 0;
  report.lockSteps = 0;
  report.spins = 0;
  report.exits = core.idlePollExits;
  report.lock = -1;
  core.endedOnSpin = false;
  return STEP.RAN;
}
