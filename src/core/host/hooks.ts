/**
 * The seam between the core and the host-side mechanisms (src/core/host/): the named points at
 * which the core calls a mechanism, and the shapes a mechanism implements there. The core builds
 * them once, at construction (host/index.ts), from the scenario: a point holds only the
 * mechanisms that are on, so a run with every mechanism off pays a length check (switch-in) or
 * a null test (kick) and nothing else, and a point with one mechanism on calls one class
 * (monomorphic).
 *
 * The points:
 *   switch in   `SwitchInHook`, a list, called by core/switching.ts `switchIn` after the
 *               accounting shared by every vCPU and before the scheduler's `sliceStarted`
 *   a spin      none as a call: PLE's count of every spin stays inline in the guest interpreter
 *               (core fields `pleOn`, `pleSpins`, `pleLimit`, kept by host/ple.ts), as cheap as
 *               a hardware counter should be; the spins PLE stays quiet are host/ple.ts's
 *   an exit     the hypercall's code, dispatched by core/hypercall-exit.ts to the mechanism's
 *               handler; a detected spin (NotifyLongSpinWait, a PLE exit) goes to the one
 *               `SpinReaction` of the machine
 *   a kick      `KickHook`, one or none, called by the guest interpreter after the unlock
 *               path's kick (host/halt-kick.ts `kickWaiter`)
 *   an idle pCPU  core/idle.ts; what keeps it polling is the scheduler's (`pendingHeldBack`)
 * Switch-out has no mechanism's work: a halt's marks follow the DESCHEDULE reason (switching.ts).
 */
// Generic over the core (`Core`: core-state.ts `CoreState`) so that this seam imports nothing and
// the core's state can hold its hooks without an import circle (host/ files import the state).

/** A mechanism's part of a switch-in of `vcpu` at `now` (KVM's kvm_sched_in and friends). */
export interface SwitchInHook<Core> {
  switchIn(core: Core, vcpu: number, now: number): void;
}

/** The host's reaction to a detected spin of the current vCPU at `now`: returns the step's STEP code. */
export interface SpinReaction<Core> {
  react(core: Core, now: number): number;
}

/**
 * After the unlock path's kick of `target` (whose outcome is the scheduler's KICK code `kicked`)
 * in a step that asked for no hypercall: the hypercall the step ends with (HYPERCALL.NONE: none).
 */
export interface KickHook<Core> {
  afterKick(core: Core, target: number, kicked: number): number;
}

/** Pause-loop exiting as the core sees it (host/ple.ts): whether it is on, and its exit. */
export interface PleHook<Core> {
  readonly on: boolean;
  /** HYPERCALL.PLE_EXIT: returns the step's STEP code. */
  exit(core: Core, now: number): number;
}

/** A core's host-side mechanisms, per hook point: only those that are on (host/index.ts builds them). */
export interface HostHooks<Core> {
  readonly switchIn: readonly SwitchInHook<Core>[];
  readonly spinReaction: SpinReaction<Core>;
  readonly afterKick: KickHook<Core> | null;
  readonly ple: PleHook<Core>;
}
