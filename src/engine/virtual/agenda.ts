/**
 * The virtual engine's agenda: when each pCPU makes its next step, and that step's number.
 * Every step a pCPU makes or skips has a number, counted from 0 per pCPU; a step's number is
 * the input of its tie-break key, so two steps at the same time are ordered by the seed, the
 * pCPUs and how far each has come, never by pCPU number or by the order they were scheduled in.
 *
 * The order itself is event-heap.ts's (a tournament tree); this file keeps the step numbers
 * beside it. Ownership: the step loop, the spinner parking and the platform all schedule
 * through it, on the engine's one thread.
 *
 * Invariant: `nextStepNumber(p)` is above the number of every entry p has had, so a pCPU's
 * numbers never repeat.
 */
import { EventHeap, tieKey } from './event-heap.js';

export class Agenda {
  private readonly heap: EventHeap;
  /** Per pCPU, the number of its next step (made or skipped): the tie-break's input. */
  private readonly stepNumbers: Float64Array;

  /** An empty agenda for pCPUs 0 … pcpus - 1, its ties broken by keys drawn from `seed`. */
  constructor(
    pcpus: number,
    private readonly seed: number,
  ) {
    this.heap = new EventHeap(pcpus, seed);
    this.stepNumbers = new Float64Array(pcpus);
  }

  /** The pCPU with the earliest step, or -1 when every pCPU sleeps. */
  top(): number {
    return this.heap.top();
  }

  /** Time of `pcpu`'s next step (the caller knows it has one). */
  timeOf(pcpu: number): number {
    return this.heap.timeOf(pcpu);
  }

  /** Number of `pcpu`'s next step (the caller knows it has one). */
  stepOf(pcpu: number): number {
    return this.heap.stepOf(pcpu);
  }

  /** The number `pcpu`'s next scheduled step will get. */
  nextStepNumber(pcpu: number): number {
    return this.stepNumbers[pcpu]!;
  }

  /** `pcpu`'s next step is at `time`, with the next number. */
  schedule(pcpu: number, time: number): void {
    this.scheduleStep(pcpu, time, this.stepNumbers[pcpu]!);
  }

  /** `pcpu`'s next step is at `time` with number `step` (the steps before it were made or skipped elsewhere). */
  scheduleStep(pcpu: number, time: number, step: number): void {
    this.stepNumbers[pcpu] = step + 1;
    this.heap.set(pcpu, time, step);
  }

  /** `count` steps of `pcpu` were made off the agenda (chained private steps): they take numbers too. */
  countSteps(pcpu: number, count: number): void {
    this.stepNumbers[pcpu]! += count;
  }

  /** `pcpu` sleeps: it has no next step until scheduled again. */
  remove(pcpu: number): void {
    this.heap.remove(pcpu);
  }

  /** Whether `pcpu`'s step number `step` goes before `other`'s step number `otherStep` when both are at the same time. */
  tieBefore(pcpu: number, step: number, other: number, otherStep: number): boolean {
    return tieKey(this.seed, pcpu, step) < tieKey(this.seed, other, otherStep);
  }
}
