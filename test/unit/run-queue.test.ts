/** The Vyukov MPMC run queue on one thread: order, bounds, emptiness and int32 position wrap-around. */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/config/schema.js';
import { initMachine } from '../../src/core/init.js';
import { RunQueue } from '../../src/hv/run-queue.js';
import { atomicMemory } from '../../src/shm/memory.js';
import { Machine, QUEUE } from '../../src/shm/layout.js';

/** A queue of `capacity` cells at a non-zero base in its own buffer, with guard words around it. */
function makeQueue(capacity: number) {
  const base = 16;
  const words = QUEUE.cells + QUEUE.cellWords * capacity;
  const i32 = new Int32Array(new SharedArrayBuffer((base + words + 16) * 4));
  i32.fill(0x7eadbeef);
  const queue = new RunQueue(atomicMemory(i32), base, capacity);
  queue.init();
  return { i32, base, words, queue };
}

/**
 * Puts an empty queue's positions at `start` (both), with every cell's sequence consistent:
 * the cell of position p (p = start … start + cap - 1) must read seq == p, free for p's producer.
 */
function startAt(i32: Int32Array, base: number, capacity: number, start: number): void {
  i32[base + QUEUE.enqueuePos] = start | 0;
  i32[base + QUEUE.dequeuePos] = start | 0;
  for (let k = 0; k < capacity; k++) {
    const pos = (start + k) | 0;
    i32[base + QUEUE.cells + QUEUE.cellWords * (pos & (capacity - 1)) + QUEUE.cellSeq] = pos;
  }
}

describe('RunQueue on one thread', () => {
  it('pops values in the order they were pushed', () => {
    const { queue } = makeQueue(8);
    for (const v of [5, 3, 7, 0, 6]) expect(queue.push(v)).toBe(true);
    const out: number[] = [];
    for (let v = queue.pop(); v >= 0; v = queue.pop()) out.push(v);
    expect(out).toEqual([5, 3, 7, 0, 6]);
  });

  it('keeps FIFO order across many laps of the ring with interleaved pushes and pops', () => {
    const { queue } = makeQueue(4);
    let next = 0;
    let expected = 0;
    for (let round = 0; round < 1000; round++) {
      const pushes = 1 + (round % 4);
      for (let i = 0; i < pushes && queue.push(next); i++) next++;
      const pops = 1 + ((round * 7) % 4);
      for (let i = 0; i < pops; i++) {
        const v = queue.pop();
        if (v < 0) break;
        expect(v).toBe(expected++);
      }
    }
    for (let v = queue.pop(); v >= 0; v = queue.pop()) expect(v).toBe(expected++);
    expect(expected).toBe(next);
    expect(next).toBeGreaterThan(1000);
  });

  it('returns -1 when empty, before any push and after the last pop', () => {
    const { queue } = makeQueue(8);
    expect(queue.pop()).toBe(-1);
    queue.push(1);
    expect(queue.pop()).toBe(1);
    expect(queue.pop()).toBe(-1);
    expect(queue.pop()).toBe(-1);
  });

  it('accepts exactly capacity entries, refuses the next, and accepts again after a pop', () => {
    const { queue } = makeQueue(8);
    for (let v = 0; v < 8; v++) expect(queue.push(v)).toBe(true);
    expect(queue.push(8)).toBe(false);
    expect(queue.push(9)).toBe(false);
    expect(queue.size()).toBe(8);
    expect(queue.pop()).toBe(0);
    expect(queue.push(8)).toBe(true);
    expect(queue.push(9)).toBe(false);
    const out: number[] = [];
    for (let v = queue.pop(); v >= 0; v = queue.pop()) out.push(v);
    expect(out).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('stores a refused value nowhere', () => {
    const { queue } = makeQueue(2);
    queue.push(10);
    queue.push(11);
    expect(queue.push(12)).toBe(false);
    expect([queue.pop(), queue.pop(), queue.pop()]).toEqual([10, 11, -1]);
  });

  it('counts entries with size()', () => {
    const { queue } = makeQueue(8);
    expect(queue.size()).toBe(0);
    queue.push(1);
    queue.push(2);
    queue.push(3);
    expect(queue.size()).toBe(3);
    queue.pop();
    expect(queue.size()).toBe(2);
    queue.pop();
    queue.pop();
    expect(queue.size()).toBe(0);
    queue.pop(); // a pop of an empty queue does not move the positions
    expect(queue.size()).toBe(0);
  });

  it('writes nothing outside its own words', () => {
    const { i32, base, words, queue } = makeQueue(4);
    for (let i = 0; i < 100; i++) {
      queue.push(i);
      if (i % 3 !== 0) queue.pop();
    }
    for (let k = 0; k < base; k++) expect(i32[k]).toBe(0x7eadbeef);
    for (let k = base + words; k < i32.length; k++) expect(i32[k]).toBe(0x7eadbeef);
  });

  it.each([
    { name: 'the signed overflow 2^31 - 1 → -2^31', start: 2 ** 31 - 5 },
    { name: 'the unsigned wrap -1 → 0', start: -5 },
  ])('keeps order, bounds and size across $name', ({ start }) => {
    const capacity = 8;
    const { i32, base, queue } = makeQueue(capacity);
    startAt(i32, base, capacity, start);
    let next = 1000;
    let expected = 1000;
    // Fill to the brim and drain, three laps, every lap crossing the wrap point once or more.
    for (let lap = 0; lap < 3; lap++) {
      for (let i = 0; i < capacity; i++) expect(queue.push(next++)).toBe(true);
      expect(queue.push(-7)).toBe(false);
      expect(queue.size()).toBe(capacity);
      for (let i = 0; i < capacity; i++) expect(queue.pop()).toBe(expected++);
      expect(queue.pop()).toBe(-1);
      expect(queue.size()).toBe(0);
    }
    // Partial fills, so the positions sit on both sides of the wrap with entries in between.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3; i++) expect(queue.push(next++)).toBe(true);
      expect(queue.size()).toBe(3);
      for (let i = 0; i < 3; i++) expect(queue.pop()).toBe(expected++);
    }
    const end = (start + (next - 1000)) | 0;
    expect(i32[base + QUEUE.enqueuePos]).toBe(end);
    expect(i32[base + QUEUE.dequeuePos]).toBe(end);
    // The positions really went past the wrap point.
    expect(Math.sign(end)).not.toBe(Math.sign(start));
  });

  it('is the queue the machine builds: init queues every vCPU on pCPU (vcpu mod P)', () => {
    const machine = Machine.allocate(
      parseScenario({
        pcpus: 2,
        vms: [
          { name: 'a', vcpus: 3 },
          { name: 'b', vcpus: 2 },
        ],
      }),
    );
    initMachine(machine);
    const { layout } = machine;
    const queues = [0, 1].map((p) => new RunQueue(machine.memory, layout.queueBase(p), layout.queueCapacity));
    expect(queues.map((q) => q.size())).toEqual([3, 2]);
    expect([queues[0]!.pop(), queues[0]!.pop(), queues[0]!.pop(), queues[0]!.pop()]).toEqual([0, 2, 4, -1]);
    expect([queues[1]!.pop(), queues[1]!.pop(), queues[1]!.pop()]).toEqual([1, 3, -1]);
  });
});
