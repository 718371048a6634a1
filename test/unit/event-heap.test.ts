/**
 * The virtual engine's agenda: an indexed heap with one entry per id. Judged against a plain
 * sort by the total order it promises (time, then tie key, then id).
 */
import { describe, expect, it } from 'vitest';
import { EventHeap, tieKey } from '../../src/engine/virtual/event-heap.js';

const SEED = 12345;

/** The ids with entries, earliest first, by the order the heap promises. */
function reference(entries: Map<number, { time: number; step: number }>): number[] {
  return [...entries.keys()].sort((a, b) => {
    const ea = entries.get(a)!;
    const eb = entries.get(b)!;
    if (ea.time !== eb.time) return ea.time - eb.time;
    const ka = tieKey(SEED, a, ea.step);
    const kb = tieKey(SEED, b, eb.step);
    return ka !== kb ? ka - kb : a - b;
  });
}

/** Empties the heap through top() and remove(), returning the ids in the order they came out. */
function drain(heap: EventHeap): number[] {
  const out: number[] = [];
  for (let id = heap.top(); id >= 0; id = heap.top()) {
    out.push(id);
    heap.remove(id);
  }
  return out;
}

describe('EventHeap', () => {
  it('pops in (time, tie key, id) order after random adds, moves earlier and later, and removals', () => {
    let rng = 7;
    const next = (n: number) => {
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      return rng % n;
    };
    for (let round = 0; round < 50; round++) {
      const ids = 1 + next(40);
      const heap = new EventHeap(ids, SEED);
      const entries = new Map<number, { time: number; step: number }>();
      for (let op = 0; op < 300; op++) {
        const id = next(ids);
        if (next(5) === 0) {
          heap.remove(id);
          entries.delete(id);
        } else {
          // Few distinct times, so ties (and ties of keys' order by id) happen often.
          const entry = { time: next(8) * 0.5, step: next(3) };
          heap.set(id, entry.time, entry.step);
          entries.set(id, entry);
        }
        expect(heap.size).toBe(entries.size);
        const order = reference(entries);
        expect(heap.top()).toBe(order.length > 0 ? order[0] : -1);
      }
      for (const [id, entry] of entries) {
        expect(heap.has(id)).toBe(true);
        expect(heap.timeOf(id)).toBe(entry.time);
        expect(heap.stepOf(id)).toBe(entry.step);
      }
      expect(drain(heap)).toEqual(reference(entries));
      expect(heap.size).toBe(0);
    }
  });

  it('keeps one entry per id: setting an id again moves its entry', () => {
    const heap = new EventHeap(3, SEED);
    heap.set(0, 5, 0);
    heap.set(1, 3, 0);
    heap.set(0, 1, 1);
    expect(heap.size).toBe(2);
    expect(heap.top()).toBe(0);
    heap.set(0, 9, 2);
    expect(heap.top()).toBe(1);
    expect(heap.has(2)).toBe(false);
    heap.remove(2); // no entry: nothing happens
    expect(drain(heap)).toEqual([1, 0]);
  });
});
