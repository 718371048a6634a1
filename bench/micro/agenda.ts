/**
 * The virtual engine's agenda (src/engine/virtual/event-heap.ts), one operation as the engine's loop
 * makes it: take the earliest pCPU and move its entry to the time of its next step. The
 * engine does this once per step, so at 64 and 256 pCPUs it is a fixed share of a virtual run.
 *
 * The next step comes after a cost drawn, as in the default scenario's run, from a mix of a
 * lock step alone (10 ns), a lock step with a critical section (360 ns) and a release with
 * guest work (1.8 µs), each time plus a fraction, so that where the entry lands among the
 * others is as unpredictable as in a run: how often the agenda's comparisons go either way is
 * what its cost depends on. Every sixteenth operation also moves another pCPU's entry earlier,
 * as a wake-up of a parked spinner does. Costs are quantised to 1/1024 ns, as the engine's are.
 *
 * One operation = top() + set() (+ the occasional second set()). The top's time is summed into
 * `sink`, which consumes the work.
 */
import { EventHeap, tieKey } from '../../src/engine/virtual/event-heap.js';
import { type MicroTask, sink } from './harness.js';

const BATCH = 65_536;
/** Pre-drawn costs the operations cycle through (a power of two). */
const COSTS = 4096;
const SEED = 1;

/** An agenda with every id due in the first microsecond, and the cost table, drawn from a fixed xorshift stream. */
function agendaFixture(ids: number): { heap: EventHeap; costs: Float64Array } {
  let rng = 0x2545f491;
  const next = (): number => {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    return (rng >>> 0) / 2 ** 32;
  };
  const quantize = (ns: number): number => Math.max(1, Math.round(ns * 1024)) / 1024;
  const costs = new Float64Array(COSTS);
  for (let i = 0; i < COSTS; i++) {
    const kind = next();
    const base = kind < 0.34 ? 10 : kind < 0.67 ? 360 : 1800;
    costs[i] = quantize(base * (1 + next()));
  }
  const heap = new EventHeap(ids, SEED);
  for (let id = 0; id < ids; id++) heap.set(id, quantize(next() * 1000), 0);
  return { heap, costs };
}

function agendaTask(ids: number): MicroTask {
  const { heap, costs } = agendaFixture(ids);
  let op = 0;
  const steps = new Float64Array(ids);
  /** `ops` agenda operations; returns the sum of the times taken off the top. */
  const reschedule = (ops: number): number => {
    let sum = 0;
    for (let i = 0; i < ops; i++, op++) {
      const id = heap.top();
      const now = heap.timeOf(id);
      sum += now;
      const step = steps[id]! + 1;
      steps[id] = step;
      heap.set(id, now + costs[op & (COSTS - 1)]!, step);
      if ((op & 15) === 0) {
        // A wake-up: another entry moves earlier, but not before the one that just ran.
        const other = (id + 1 + (op % (ids - 1))) % ids;
        const at = heap.timeOf(other);
        heap.set(other, now + (at - now) / 2, steps[other]!);
      }
    }
    return sum;
  };
  return {
    name: `agenda: step the earliest of ${ids} pCPUs`,
    batch: BATCH,
    unit: 'step',
    run: () => {
      sink.value ^= reschedule(BATCH) & 1;
      return BATCH;
    },
    check: () => {
      // The agenda's top is the earliest entry by (time, tie key, id), checked by a full scan
      // after each of a few thousand operations; the entries' times never go backwards.
      const times = (id: number): number => heap.timeOf(id);
      let last = -Infinity;
      for (let i = 0; i < 4000; i++) {
        let best = 0;
        for (let id = 1; id < ids; id++) {
          const [ta, tb] = [times(id), times(best)];
          const kid = tieKey(SEED, id, heap.stepOf(id));
          const kbest = tieKey(SEED, best, heap.stepOf(best));
          if (ta < tb || (ta === tb && (kid < kbest || (kid === kbest && id < best)))) best = id;
        }
        if (heap.top() !== best) throw new Error(`agenda: top is pCPU ${heap.top()}, the earliest entry is pCPU ${best}`);
        if (times(best) < last) throw new Error('agenda: the earliest time went backwards');
        last = times(best);
        reschedule(1);
      }
    },
  };
}

export function agendaTasks(): MicroTask[] {
  return [agendaTask(64), agendaTask(256)];
}
