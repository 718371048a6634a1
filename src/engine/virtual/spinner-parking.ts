/**
 * Spinners are parked, not stepped. A poll that failed writes nothing and fails again until
 * some pCPU makes a lock step on the same lock that lets it through (after each such lock step
 * the parked core says, from the lock's words as they now are, whether its next poll would
 * still fail: `nextPollWouldSpin`, which asks SpinLock.wouldSpin), so the spinner's next poll
 * steps (on a grid `spinNs` apart) are skipped up to the first that must really run: the first
 * after a lock step that may let it through, at its slice end, at the run's end, or the one the
 * spin-wait policy answers with a hypercall. The skipped polls are then accounted at once
 * (`skipSpins`), every count exactly as if they had run; a test compares the two. (Without the
 * lock's answer every lock step woke every spinner of the lock, and all but one polled and
 * failed again: with 256 pCPUs on 16 ticket locks, four made steps in five were such polls.)
 *
 * A parked pCPU keeps an entry on the agenda (its first poll that must run) and the numbers of
 * the polls it skips, so the agenda orders it exactly as if it had made them.
 *
 * Ownership: the step loop parks a pCPU after its step, unparks it before its next step or at
 * the run's end, and reports every lock step that may have written a lock (`wake`).
 */
import type { VirtualEnginePort } from '../../core/engine-port.js';
import type { Layout } from '../../shm/layout.js';
import type { Agenda } from './agenda.js';

/** The smallest j ≥ 0 with from + j × step ≥ limit (exact: all values are binary fractions). */
function firstGridIndex(from: number, step: number, limit: number): number {
  if (from >= limit) return 0;
  let j = Math.ceil((limit - from) / step);
  while (j > 0 && from + (j - 1) * step >= limit) j--;
  while (from + j * step < limit) j++;
  return j;
}

export class SpinnerParking {
  /** Per parked pCPU: the lock it polls (-1 when not parked), its first skipped poll's time and step number, the polls it may skip. */
  private readonly parkedLock: Int32Array;
  private readonly parkedFrom: Float64Array;
  private readonly parkedStep: Float64Array;
  private readonly parkedMax: Float64Array;
  /**
   * Per global lock, the pCPUs parked polling it: an intrusive doubly linked list (first
   * watcher per lock, next and previous per pCPU, -1 for none), so parking and unparking
   * cost O(1) and allocate nothing. Which order a wake-up visits them in does not matter:
   * each watcher's new entry depends only on its own park and the lock step.
   */
  private readonly firstWatcher: Int32Array;
  private readonly nextWatcher: Int32Array;
  private readonly previousWatcher: Int32Array;

  constructor(
    private readonly cores: readonly VirtualEnginePort[],
    private readonly agenda: Agenda,
    private readonly layout: Layout,
    private readonly spinNs: number,
  ) {
    const pcpus = cores.length;
    this.parkedLock = new Int32Array(pcpus).fill(-1);
    this.parkedFrom = new Float64Array(pcpus);
    this.parkedStep = new Float64Array(pcpus);
    this.parkedMax = new Float64Array(pcpus);
    this.firstWatcher = new Int32Array(layout.locks).fill(-1);
    this.nextWatcher = new Int32Array(pcpus).fill(-1);
    this.previousWatcher = new Int32Array(pcpus).fill(-1);
  }

  isParked(pcpu: number): boolean {
    return this.parkedLock[pcpu]! >= 0;
  }

  /** Whether some pCPU is parked polling `lock`. */
  isWatched(lock: number): boolean {
    return this.firstWatcher[lock]! >= 0;
  }

  /**
   * Parks a pCPU whose step ended on a failed poll of `lock`: its poll steps come at `first`,
   * `first + spinNs`, …; at most `skippable` of them may be skipped, and none at or after
   * `until` (its slice end or the run's end). It is due at the first poll it cannot skip.
   */
  park(pcpu: number, lock: number, first: number, skippable: number, until: number): void {
    const agenda = this.agenda;
    const step = agenda.nextStepNumber(pcpu);
    const polls = Math.min(skippable, firstGridIndex(first, this.spinNs, until));
    if (polls === 0) {
      agenda.schedule(pcpu, first);
      return;
    }
    const time = first + polls * this.spinNs;
    this.parkedLock[pcpu] = lock;
    this.parkedFrom[pcpu] = first;
    this.parkedStep[pcpu] = step;
    this.parkedMax[pcpu] = polls;
    const head = this.firstWatcher[lock]!;
    this.nextWatcher[pcpu] = head;
    this.previousWatcher[pcpu] = -1;
    if (head >= 0) this.previousWatcher[head] = pcpu;
    this.firstWatcher[lock] = pcpu;
    agenda.scheduleStep(pcpu, time, step + polls);
  }

  /**
   * A lock step on `lock` by `writer` at `now`, its step number `writerStep`: each parked
   * poller's first poll after it must run, unless the lock's words as they now are would fail
   * it too (then a later lock step decides, and the polls before it stay skipped).
   */
  wake(lock: number, writer: number, now: number, writerStep: number): void {
    const { nextWatcher, cores, agenda, spinNs } = this;
    const lockBase = this.layout.lockBase(lock);
    for (let pcpu = this.firstWatcher[lock]!; pcpu >= 0; pcpu = nextWatcher[pcpu]!) {
      if (pcpu === writer) continue;
      if (cores[pcpu]!.nextPollWouldSpin(lockBase)) continue;
      const step = this.parkedStep[pcpu]!;
      const max = this.parkedMax[pcpu]!;
      // Polls before the lock step (earlier, or at the same time with a smaller key) saw the old
      // word; a poll at the same time with the same key comes after it (the writer has already run).
      const from = this.parkedFrom[pcpu]!;
      let polls = firstGridIndex(from, spinNs, now);
      if (polls < max && from + polls * spinNs === now && agenda.tieBefore(pcpu, step + polls, writer, writerStep)) polls++;
      if (polls >= max) continue; // already due no later than that
      const time = from + polls * spinNs;
      this.parkedMax[pcpu] = polls;
      agenda.scheduleStep(pcpu, time, step + polls);
    }
  }

  /** A parked pCPU is due: account the polls it skipped, and stop watching. */
  unpark(pcpu: number): void {
    const lock = this.parkedLock[pcpu]!;
    const next = this.nextWatcher[pcpu]!;
    const previous = this.previousWatcher[pcpu]!;
    if (previous >= 0) this.nextWatcher[previous] = next;
    else this.firstWatcher[lock] = next;
    if (next >= 0) this.previousWatcher[next] = previous;
    this.parkedLock[pcpu] = -1;
    const skipped = this.parkedMax[pcpu]!;
    if (skipped > 0) this.cores[pcpu]!.skipSpins(skipped);
  }

  /** The run ends at `endNs`: every parked pCPU's polls before it ran, step by step; account them. */
  unparkAll(endNs: number): void {
    for (let pcpu = 0; pcpu < this.cores.length; pcpu++) {
      if (this.parkedLock[pcpu]! < 0) continue;
      this.parkedMax[pcpu] = Math.min(this.parkedMax[pcpu]!, firstGridIndex(this.parkedFrom[pcpu]!, this.spinNs, endNs));
      this.unpark(pcpu);
    }
  }
}
