/**
 * The run queue under real threads: three worker threads push, pop and steal on two queues in
 * one SharedArrayBuffer at once. Whatever the interleaving, every value pushed must be popped
 * exactly once: nothing lost, nothing duplicated.
 */
import type { Piscina } from 'piscina';
import { afterEach, describe, expect, it } from 'vitest';
import { RunQueue } from '../../src/hv/run-queue.js';
import { atomicMemory } from '../../src/shm/memory.js';
import { QUEUE } from '../../src/shm/layout.js';
import type { QueueTask, QueueTaskResult } from '../fixtures/queue-worker.js';
import { fixturePool } from '../helpers/fixture-pool.js';

/** This machine has 2 cores; a third thread makes the host preempt threads mid-operation too. */
const THREADS = 3;
const QUEUES = 2;
/** Small, so that bursts overflow both queues and positions lap the ring thousands of times. */
const CAPACITY = 16;
/** Larger than both queues together: every push burst meets a full queue at least once. */
const BURST = 40;
const PER_THREAD = 60_000;

let pool: Piscina | null = null;
afterEach(async () => {
  await pool?.destroy();
  pool = null;
});

describe('run queues under real threads', () => {
  it('pops every value pushed by three threads exactly once, across pushes, pops and steals on two queues', async () => {
    const queueWords = QUEUE.cells + QUEUE.cellWords * CAPACITY;
    // Each queue starts on its own 64-byte line (16 i32).
    const bases = Array.from({ length: QUEUES }, (_, q) => q * Math.ceil(queueWords / 16) * 16);
    const queueBuffer = new SharedArrayBuffer((bases[QUEUES - 1]! + queueWords) * 4);
    const i32 = new Int32Array(queueBuffer);
    const queues = bases.map((base) => new RunQueue(atomicMemory(i32), base, CAPACITY));
    for (const q of queues) q.init();
    const total = THREADS * PER_THREAD;
    const recordCapacity = total;
    const records = new SharedArrayBuffer(THREADS * (recordCapacity + 1) * 4);
    const control = new SharedArrayBuffer(64);

    pool = fixturePool('queue-worker', THREADS);
    const tasks: Promise<QueueTaskResult>[] = [];
    for (let t = 0; t < THREADS; t++) {
      const task: QueueTask = {
        queueBuffer,
        bases,
        capacity: CAPACITY,
        control,
        threads: THREADS,
        records,
        recordCapacity,
        thread: t,
        first: t * PER_THREAD,
        count: PER_THREAD,
        burst: BURST,
      };
      tasks.push(pool.run(task) as Promise<QueueTaskResult>);
    }
    const results = await Promise.all(tasks);

    // Three distinct threads, each of which pushed all of its values.
    expect(new Set(results.map((r) => r.threadId)).size).toBe(THREADS);
    for (const r of results) expect(r.pushed).toBe(PER_THREAD);
    // The full path ran (each push burst exceeds both queues' capacity).
    for (const r of results) expect(r.fullPushes).toBeGreaterThan(0);

    // Everything popped by the threads, then what is left, drained here.
    const seen = new Uint8Array(total);
    const duplicates: number[] = [];
    const strays: number[] = [];
    const note = (v: number) => {
      if (v < 0 || v >= total) strays.push(v);
      else if (seen[v]++) duplicates.push(v);
    };
    const recordWords = new Int32Array(records);
    for (let t = 0; t < THREADS; t++) {
      const base = t * (recordCapacity + 1);
      const n = recordWords[base]!;
      expect(n).toBe(results[t]!.popped);
      for (let k = 0; k < n; k++) note(recordWords[base + 1 + k]!);
    }
    let left = 0;
    for (const q of queues) {
      for (let v = q.pop(); v >= 0; v = q.pop()) {
        note(v);
        left++;
      }
      expect(q.size()).toBe(0);
    }
    expect(left).toBeLessThanOrEqual(QUEUES * CAPACITY);
    expect(strays).toEqual([]);
    expect(duplicates).toEqual([]);
    const lost: number[] = [];
    seen.forEach((s, v) => {
      if (s === 0) lost.push(v);
    });
    expect(lost).toEqual([]);
  });
});
