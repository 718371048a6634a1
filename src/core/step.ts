/** What a core step tells its engine: the step's kind, and for RAN steps what it did (the virtual engine charges time by it). */

/** What a step did, for the engine. */
export const STEP = {
  /** Ran guest code, or handled an exit without a switch. */
  RAN: 0,
  /** Put a vCPU on the pCPU: the engine calls `switchDone` with a fresh clock value. */
  SWITCHED: 1,
  /** Nothing to run: the engine may sleep until woken. */
  IDLE: 2,
} as const;

/**
 * What the last RAN step did, for an engine that charges time by cost (the virtual engine).
 * Written by the guest run and by the hypercall exit, not by switches (an engine charges
 * SWITCHED and IDLE steps by their kind), so the switch path pays nothing for it.
 */
export interface StepReport {
  /** Guest work units executed. */
  workUnits: number;
  /** Lock steps (atomic operations or polls), spins included. */
  lockSteps: number;
  /** Lock steps that were spin iterations. */
  spins: number;
  /**
   * Hypercall exits handled (0 or 1); or, for an idle pCPU that polls for a vCPU asleep after a
   * spin (core/idle.ts `idle`), the poll's length in exits.
   */
  exits: number;
  /** Global index of the lock the step's last lock step worked on, or -1. */
  lock: number;
}
