/**
 * What an engine may ask of a core: the one door from `src/engine/` into a pCPU's step. An
 * engine builds a `PcpuCore` and from then on holds it as one of these interfaces, never as
 * the core's state (`CoreState`'s fields are the core's internals, shared by the files that do
 * a step's work).
 *
 * Two interfaces, by engine:
 *
 *   EnginePort         both engines: the run's lifecycle and the step (threads: pcpu-loop.ts;
 *                      virtual: virtual/step-loop.ts).
 *   VirtualEnginePort  the virtual engine only: what a step did, so it can charge its cost, and
 *                      the exact shortcuts it may take (fast-forward.ts): parked spinners and
 *                      chained private steps. A core implements them whatever its options; they
 *                      answer "nothing to skip" unless the core makes fine steps.
 *
 * Contract: `now` is always the engine's clock in ns (real or virtual), never decreasing across
 * the calls on one core; the core reads no clock of its own. A member that does not say
 * otherwise may be called between any two steps.
 */
import type { StepReport } from './step.js';

export interface EnginePort {
  /** Opens the run at `now`, before the first step (bare metal: binds the pCPU's own vCPU). */
  start(now: number): void;
  /**
   * Makes one step at `now` and says which kind it was (a `STEP` code, step.ts): `RAN` (guest
   * code, or an exit handled without a switch), `SWITCHED` (a vCPU was put on the pCPU: call
   * `switchDone` before the next step) or `IDLE` (nothing to run: the engine may sleep the pCPU
   * until the hypervisor's `Platform.wakeIdlePcpu`).
   */
  step(now: number): number;
  /** After a `SWITCHED` step: the switch ended at `now`, so the time since the step is hypervisor time. */
  switchDone(now: number): void;
  /** Closes the run at `now`: the current vCPU leaves the pCPU, and the pCPU's totals are written. */
  finish(now: number): void;
  /** Threads engine: the pCPU is about to sleep on its sleep word (counted, nothing else). */
  noteSleep(): void;
}

export interface VirtualEnginePort extends EnginePort {
  /** What the last `RAN` step did (work units, lock steps, spins, exits, the lock): the engine charges its cost by it. Rewritten in place, never reallocated. */
  readonly stepReport: Readonly<StepReport>;
  /** When the current slice ends, ns (Infinity on bare metal or with no vCPU): a parked spinner's polls stop there. */
  readonly sliceEndNs: number;
  /**
   * After a `RAN` step: how many of the next steps would certainly be failed polls that ask for
   * nothing, if no other pCPU wrote the lock meanwhile (0 unless the step ended on such a poll).
   * The engine may park the pCPU for that many polls.
   */
  skippableSpins(): number;
  /**
   * While parked after a failed poll on the lock at `lockBase` (the step report's lock), after
   * another pCPU's lock step on it: whether the next poll would still fail, read from the lock's
   * words as they now are (SpinLock.wouldSpin). True: the engine leaves the pCPU parked.
   */
  nextPollWouldSpin(lockBase: number): boolean;
  /** Accounts `count` (at most `skippableSpins()`) failed polls without making them: every counter ends as if they had run. */
  skipSpins(count: number): void;
  /** Whether the step at `now` would be private: guest work only, touching nothing another pCPU reads or writes. */
  stepIsPrivate(now: number): boolean;
  /**
   * Makes the private steps from `now` on, none at or after `until` (nor the slice end), each
   * charged its work units × `nsPerUnit`, and returns the time of the step after them (`now`
   * when none was private); `privateStepsMade` says how many it made.
   */
  makePrivateSteps(now: number, until: number, nsPerUnit: number): number;
  /** How many steps the last `makePrivateSteps` made. */
  readonly privateStepsMade: number;
}
