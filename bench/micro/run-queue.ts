/**
 * One push + one pop on a pCPU's run queue (the lock-free Vyukov ring in shared memory), by one
 * thread, so nothing is contended: the cost of the protocol itself (per operation pair: 4
 * atomic loads, 2 compare-and-swaps, 2 sequence stores).
 */
import { RunQueue } from '../../src/hv/run-queue.js';
import { type MicroTask, oneVm, sink, startedMachine } from './harness.js';

const BATCH = 4096;

export function runQueueTasks(): MicroTask[] {
  const machine = startedMachine(oneVm({ pcpus: 1, vcpus: 4 }));
  const { layout } = machine;
  const queue = new RunQueue(machine.i32, layout.queueBase(0), layout.queueCapacity);
  queue.init();
  const pushPop = (ops: number): number => {
    let acc = 0;
    for (let i = 0; i < ops; i++) {
      queue.push(i & 1023);
      acc += queue.pop();
    }
    return acc;
  };
  return [
    {
      name: 'run queue: push+pop',
      batch: BATCH,
      unit: 'push+pop',
      run: () => {
        sink.value ^= pushPop(BATCH);
        return BATCH;
      },
      check: () => {
        const n = 3000; // more than one lap of the ring, so positions wrap through every cell
        let expected = 0;
        for (let i = 0; i < n; i++) expected += i & 1023;
        if (pushPop(n) !== expected || queue.size() !== 0) throw new Error('run queue: push+pop did not return every value once');
      },
    },
  ];
}
