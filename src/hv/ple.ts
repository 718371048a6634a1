/**
 * Pause-loop exiting (PLE): the hardware's spin detector, as KVM programs it on Intel VT-x
 * (Intel SDM vol. 3, "PAUSE-loop exiting"; Linux arch/x86/kvm/vmx/vmx.c, arch/x86/kvm/x86.h).
 * The processor watches the guest's PAUSE instructions: a PAUSE more than PLE_Gap cycles after
 * the one before starts a new loop, and a loop that has lasted more than PLE_Window cycles
 * since its first PAUSE forces a VM exit. KVM's `handle_pause` grows the vCPU's window
 * (`grow_ple_window`) and then runs `kvm_vcpu_on_spin` (here: the scenario's spin reaction,
 * hv/spin-reaction.ts); `vmx_sched_in` shrinks the window (`shrink_ple_window`) every time the
 * vCPU is scheduled in. So the window grows only across exits that found nobody to run, and is
 * back at its base after every switch.
 *
 * Defaults, KVM's module parameters (x86.h, vmx.c): ple_gap 128 (KVM_DEFAULT_PLE_GAP),
 * ple_window 4096 (KVM_VMX_DEFAULT_PLE_WINDOW), ple_window_grow 2, ple_window_shrink 0,
 * ple_window_max UINT_MAX (KVM_VMX_DEFAULT_PLE_WINDOW_MAX). `__grow_ple_window(val, base,
 * modifier, max)`: modifier < 1 gives base; modifier < base gives val × modifier, else
 * val + modifier; at most max. `__shrink_ple_window(val, base, modifier, min = base)`:
 * modifier < 1 gives base; modifier < base gives val / modifier, else val − modifier; at least
 * base. So the default shrink (0) resets the window to 4096 at each schedule-in.
 *
 * Cycles to spins, the one factor (`PLE_CYCLES_PER_SPIN`): a spin iteration here is one poll of
 * a lock word and one PAUSE, about `virtualCosts.spinNs` (30 ns), which is 90 cycles at 3 GHz.
 *   - The window: a loop exits on its k-th spin, the first with k × 90 > window cycles (4096:
 *     the 46th spin, 1.4 µs of spinning).
 *   - The gap: the polls of one wait follow each other 90 cycles apart, within the default gap
 *     of 128, so they form one loop; with a gap below 90 every PAUSE starts a new loop and PLE
 *     never exits. The model does not time what lies between two polls: an atomic operation of
 *     the same wait (a ticket taken, a compare-and-swap that lost) is taken as within the gap;
 *     the end of the wait (the lock taken, or handed on in a release) ends the loop (a critical
 *     section or guest work follows, far longer than the gap), and so does every VM exit (a
 *     hypercall, a kick, a PLE exit, a switch): the first PAUSE after a VM entry starts a new
 *     loop.
 * AMD's pause filter (arch/x86/kvm/svm/svm.c: pause_filter_count 3000 PAUSEs, pause_filter_thresh
 * 128 cycles, grow 2, shrink 0, max USHRT_MAX PAUSEs) is the same loop counted in PAUSEs:
 * `pleWindowCycles` 270000 (3000 × 90) and `pleWindowMax` 5898150 (65535 × 90) give it.
 *
 * State: the current loop's spin count is the core's (`CoreState.pleSpins`: a loop never
 * outlives the vCPU's stay on a pCPU), and so is the window's limit in spins (`pleLimit`,
 * recomputed at switch-in and at each growth); the window itself is the vCPU's, in its
 * hypervisor block (VCPU_HV.pleWindow, cycles as an unsigned word, 0 before the first
 * switch-in: the base), written by its owner only. The spins PLE stays quiet, for the virtual
 * engine's fast-forward: pleLimit − 1 − pleSpins (core/host/ple.ts `pleQuietSpins`). The core's
 * part (window shrink at switch-in, growth at an exit) is core/host/ple.ts.
 */
import type { Config } from '../config/schema.js';

/** Cycles per spin iteration: one poll and one PAUSE, ≈ virtualCosts.spinNs (30 ns) at 3 GHz. */
export const PLE_CYCLES_PER_SPIN = 90;

/** A scenario's PLE settings, in cycles (KVM's module parameters). */
export class PleSettings {
  /** PLE is on and can ever exit: virtualized, `ple`, and a gap that lets two polls form a loop. */
  readonly on: boolean;
  readonly base: number;
  readonly grow: number;
  readonly shrink: number;
  readonly max: number;

  constructor(config: Config) {
    const s = config.scheduler;
    this.on = config.mode !== 'bare' && s.ple && s.pleGapCycles >= PLE_CYCLES_PER_SPIN;
    this.base = s.pleWindowCycles;
    this.grow = s.pleWindowGrow;
    this.shrink = s.pleWindowShrink;
    this.max = s.pleWindowMax;
  }

  /** The window after an exit (`grow_ple_window`). */
  grown(window: number): number {
    return growPleWindow(window, this.base, this.grow, this.max);
  }

  /** The window at a schedule-in (`shrink_ple_window`); a vCPU never scheduled in (0) has the base. */
  shrunk(window: number): number {
    return window === 0 ? this.base : shrinkPleWindow(window, this.base, this.shrink);
  }
}

/** KVM's __grow_ple_window (arch/x86/kvm/x86.h). */
export function growPleWindow(window: number, base: number, modifier: number, max: number): number {
  if (modifier < 1) return base;
  const grown = modifier < base ? window * modifier : window + modifier;
  return grown < max ? grown : max;
}

/** KVM's __shrink_ple_window (arch/x86/kvm/x86.h), never below the base window. */
export function shrinkPleWindow(window: number, base: number, modifier: number): number {
  if (modifier < 1) return base;
  const shrunk = modifier < base ? Math.floor(window / modifier) : window - modifier;
  return shrunk > base ? shrunk : base;
}

/** The spin of a loop that exits under `window` cycles: the first k with k × PLE_CYCLES_PER_SPIN > window. */
export function pleLimit(window: number): number {
  return Math.floor(window / PLE_CYCLES_PER_SPIN) + 1;
}
