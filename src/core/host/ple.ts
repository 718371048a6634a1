/**
 * Pause-loop exiting, the host's part (the model and KVM's window arithmetic: hv/ple.ts): the
 * window shrinks at each switch-in (KVM's vmx_sched_in → shrink_ple_window), and a PLE exit
 * grows it (handle_pause → grow_ple_window) before the spin reaction runs.
 *
 * The count of every spin is not a hook call: the guest interpreter counts inline, in a local,
 * against the core's `pleLimit` when `pleOn` (a hardware counter must cost the guest nothing
 * more than that), and writes `pleSpins` back once per step; every VM exit clears it
 * (core/hypercall-exit.ts). This file keeps `pleLimit` (at switch-in and at each growth) and says
 * how many spins PLE stays quiet, for the virtual engine's fast-forward (core/fast-forward.ts).
 */
import type { Config } from '../../config/schema.js';
import { pleLimit, PleSettings } from '../../hv/ple.js';
import { VCPU_HV } from '../../shm/layout.js';
import { TR, VC } from '../../events/table.js';
import type { CoreState } from '../core-state.js';
import { traceEvent } from '../trace-record.js';
import type { PleHook, SwitchInHook } from './hooks.js';
import { countVcpu } from '../count.js';

export class PauseLoopExiting implements SwitchInHook<CoreState>, PleHook<CoreState> {
  readonly settings: PleSettings;

  constructor(config: Config) {
    this.settings = new PleSettings(config);
  }

  /** PLE is on and can ever exit (PleSettings.on). */
  get on(): boolean {
    return this.settings.on;
  }

  /** At a switch-in: the vCPU's window shrinks (by default back to the base), and its first PAUSE starts a new loop. */
  switchIn(core: CoreState): void {
    const index = core.hv + VCPU_HV.pleWindow;
    const window = this.settings.shrunk(core.i32[index]! >>> 0);
    core.i32[index] = window | 0;
    core.pleLimit = pleLimit(window);
    core.pleSpins = 0;
  }

  /** HYPERCALL.PLE_EXIT, KVM's handle_pause: the exit grows the vCPU's window, then the spin reaction runs. */
  exit(core: CoreState, now: number): number {
    const i32 = core.i32;
    countVcpu(core, VC.pleExits);
    if (core.tracing) traceEvent(core, TR.pleExit, now, core.current, -1, 0);
    const index = core.hv + VCPU_HV.pleWindow;
    const window = i32[index]! >>> 0;
    const grown = this.settings.grown(window);
    if (grown !== window) {
      i32[index] = grown | 0;
      core.pleLimit = pleLimit(grown);
      countVcpu(core, VC.pleWindowGrowths);
    }
    return core.spinReaction.react(core, now);
  }
}

/** Of `quiet` spins to come in the current loop, how many PLE lets pass: it exits on the spin that brings the loop to its limit. */
export function pleQuietSpins(core: CoreState, quiet: number): number {
  return core.pleOn ? Math.min(quiet, core.pleLimit - 1 - core.pleSpins) : quiet;
}

/** `count` spins skipped by the fast-forward count in the current loop. */
export function skipPleSpins(core: CoreState, count: number): void {
  if (core.pleOn) core.pleSpins += count;
}
