/**
 * The virtual engine's step loop: one run's pCPUs, stepped in virtual-time order. The pCPU with
 * the earliest next step on the agenda (agenda.ts) goes first; its step is charged its cost
 * (costs.ts) and it goes back on the agenda that much later, or it is parked on the lock it
 * polls (spinner-parking.ts), or, idle, it sleeps until the platform wakes it (platform.ts).
 *
 * Steps are fine: each lock step (one shared-memory operation) opens a step of its own, so
 * every shared-memory operation of every pCPU happens in time order, and a vCPU can be
 * preempted between any two of them.
 *
 * Private steps are made in a row. A step that only does guest work (no lock step, no write to
 * guest memory, no scheduling decision: the core's `stepIsPrivate` says which) reads and writes
 * only words of its own pCPU and vCPU, which no other pCPU touches meanwhile, so it commutes
 * with every other pCPU's step. Such steps are made right after the step before them, each at
 * the time and with the step number the agenda would have given it, and the pCPU goes back on
 * the agenda for its next shared step only: same words, same values, and every shared-memory
 * operation in the same order; a test compares runs with and without.
 *
 * The loop reaches the cores through `VirtualEnginePort` (core/engine-port.ts) only.
 */
import type { VirtualEnginePort } from '../../core/engine-port.js';
import { STEP } from '../../core/step.js';
import { VIRTUAL_CLOCK_CHECK_STEPS } from '../run-control.js';
import type { Agenda } from './agenda.js';
import type { VirtualCosts } from './costs.js';
import type { VirtualPlatform } from './platform.js';
import type { DrainPacer } from './reports.js';
import type { SpinnerParking } from './spinner-parking.js';

/** Which exact shortcuts a run takes (both on by default; off only to check that they change nothing). */
export interface Shortcuts {
  readonly fastForwardSpins: boolean;
  readonly chainPrivateSteps: boolean;
}

export class StepLoop {
  /** Core steps made so far (chained private steps included, fast-forwarded polls not): the engine's speed. */
  steps = 0;

  constructor(
    private readonly cores: readonly VirtualEnginePort[],
    private readonly agenda: Agenda,
    private readonly parking: SpinnerParking,
    private readonly platform: VirtualPlatform,
    private readonly costs: VirtualCosts,
    private readonly shortcuts: Shortcuts,
    /** Whether the scheduler charges steps extra time (costs.ts `schedulerChargesSteps`). */
    private readonly extraCosts: boolean,
    private readonly pacer: DrainPacer | null,
    private readonly durationNs: number,
  ) {}

  /** The time of the earliest next step, or `durationNs` when none is due before the run's end. */
  nextStepNs(): number {
    const next = this.agenda.top();
    return next >= 0 ? Math.min(this.agenda.timeOf(next), this.durationNs) : this.durationNs;
  }

  /**
   * Makes steps until the run's end (true) or until the host clock passes `deadlineMs` (false;
   * the next call goes on from the same step). A plain method called again and again, not the
   * body of the async `run`, so that V8 optimises its loop (it does not swap a running async
   * function's frame for optimised code); everything the loop reads is a local.
   */
  runUntil(deadlineMs: number): boolean {
    // Locals, not fields, in the loop: V8 would reload and recheck each field per step.
    const { cores, agenda, parking, platform, pacer, durationNs, extraCosts } = this;
    const { workUnitNs, atomicNs, spinNs, exitNs, switchNs } = this.costs;
    const { fastForwardSpins: fastForward, chainPrivateSteps: chainPrivate } = this.shortcuts;
    let steps = 0;
    let untilClockCheck = VIRTUAL_CLOCK_CHECK_STEPS;
    for (;;) {
      // The pCPU with the earliest step keeps its entry while it steps; what the step schedules
      // (a woken pCPU, a woken poller) is due no earlier, and the step's end moves the entry
      // (by id, wherever it then sits) to the pCPU's next step.
      const pcpu = agenda.top();
      if (pcpu < 0) break;
      const now = agenda.timeOf(pcpu);
      if (!(now < durationNs)) break;
      if (--untilClockCheck === 0) {
        untilClockCheck = VIRTUAL_CLOCK_CHECK_STEPS;
        if (performance.now() >= deadlineMs) {
          this.steps += steps;
          return false;
        }
      }
      const stepNumber = agenda.stepOf(pcpu);
      platform.now = now;
      // Traced: the rings are drained every so many steps, counted across calls (reports.ts).
      if (pacer !== null) pacer.beforeStep(now);
      const core = cores[pcpu]!;
      if (parking.isParked(pcpu)) parking.unpark(pcpu);
      const status = core.step(now);
      steps++;
      // The global lock's wait and hold in this step (an IDLE step's is idle time: the pCPU sleeps).
      let extra = 0;
      if (extraCosts) extra = platform.takeStepExtraNs();
      if (status === STEP.RAN) {
        const r = core.stepReport;
        let next = now + r.workUnits * workUnitNs + (r.lockSteps - r.spins) * atomicNs + r.spins * spinNs + r.exits * exitNs + extra;
        // A lock step that was not a failed poll may have written what spinners parked on
        // that lock are polling (a failed poll, even a failed CAS, writes nothing).
        if (r.lock >= 0 && r.lockSteps > r.spins && parking.isWatched(r.lock)) parking.wake(r.lock, pcpu, now, stepNumber);
        const skippable = fastForward ? core.skippableSpins() : 0;
        if (skippable > 0) {
          parking.park(pcpu, r.lock, next, skippable, Math.min(core.sliceEndNs, durationNs));
          continue;
        }
        // Private steps (guest work only) commute with every other pCPU's steps: make them now,
        // in a row, each at the time and with the step number it would have had in the agenda.
        if (chainPrivate && next < durationNs && core.stepIsPrivate(next)) {
          next = core.makePrivateSteps(next, durationNs, workUnitNs);
          agenda.countSteps(pcpu, core.privateStepsMade);
          steps += core.privateStepsMade;
        }
        agenda.schedule(pcpu, next);
      } else if (status === STEP.SWITCHED) {
        // Hypervisor time: the switch, and the global lock's wait and hold if any.
        const end = now + switchNs + extra;
        // A switch still going at the run's end is hypervisor time up to the end only; the
        // vCPU's run would otherwise start after the end and be charged negative run time.
        core.switchDone(end < durationNs ? end : durationNs);
        agenda.schedule(pcpu, end);
      } else {
        platform.sleep(pcpu);
      }
    }
    this.steps += steps;
    return true;
  }

  /** Closes the run at `endNs`: parked spinners' skipped polls before it are accounted, every core finishes. */
  finish(endNs: number): void {
    this.parking.unparkAll(endNs);
    for (const core of this.cores) core.finish(endNs);
  }
}
