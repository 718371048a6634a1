/**
 * Run-queue operations, one thread, nothing contended: the cost of the protocol itself.
 *
 * - push+pop: one push and one pop on one pCPU's run queue (the lock-free Vyukov ring in
 *   shared memory): per pair, 4 atomic loads, 2 compare-and-swaps, 2 sequence stores.
 * - steal: the scheduler's real stealing path. pCPU 0's own queue is empty and pCPU 1's holds
 *   every vCPU, so the round-robin scheduler's `pickNext` on pCPU 0 looks at its own queue (an empty pop: one atomic
 *   load), scans for a victim (`size()` of pCPU 1's queue: two loads), pops the oldest entry
 *   there (load, CAS, store), claims the vCPU with the CAS that also clears its QUEUED bit, and
 *   counts the steal. Then the vCPU is put back where it came from, so the batch can repeat:
 *   `releaseToQueue` (one CAS back to RUNNABLE | QUEUED, as the scheduler's `deschedule` does) and a
 *   push onto pCPU 1's queue (load, CAS, store). 11 atomic operations per steal + requeue.
 */
import { RoundRobinScheduler } from '../../src/hv/schedulers/round-robin.js';
import { RunQueue } from '../../src/hv/run-queue.js';
import { RELEASED, releaseToQueue, runningOn } from '../../src/hv/vcpu-state.js';
import { VCPU_SHARED } from '../../src/shm/layout.js';
import { PC } from '../../src/events/table.js';
import { type MicroTask, oneVm, sink, startedMachine } from './harness.js';

const BATCH = 4096;
/** vCPUs in the victim's queue during the steal benchmark. */
const STEAL_VCPUS = 8;
const THIEF = 0;
const VICTIM = 1;

const STEAL_TASK = 'run queue: steal (pickNext + requeue)';

function pushPopTask(): MicroTask {
  const machine = startedMachine(oneVm({ pcpus: 1, vcpus: 4 }));
  const { layout } = machine;
  const queue = new RunQueue(machine.memory, layout.queueBase(0), layout.queueCapacity);
  queue.init();
  const pushPop = (ops: number): number => {
    let acc = 0;
    for (let i = 0; i < ops; i++) {
      queue.push(i & 1023);
      acc += queue.pop();
    }
    return acc;
  };
  return {
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
  };
}

function stealTask(): MicroTask {
  // Two pCPUs; the start state queues vCPU v on pCPU v mod 2.
  const machine = startedMachine(oneVm({ pcpus: 2, vcpus: STEAL_VCPUS }));
  const { i32, f64, layout, memory } = machine;
  const scheduler = new RoundRobinScheduler(machine, THIEF, { wakeIdlePcpu() {} });
  const thiefQueue = scheduler.queues[THIEF]!;
  const victimQueue = scheduler.queues[VICTIM]!;
  // Move the thief's entries to the victim: the thief takes each from its own queue, gives it
  // back, and it is queued on the victim, as if the victim's pCPU had descheduled it.
  while (thiefQueue.size() > 0) {
    const vcpu = scheduler.pickNext();
    if (vcpu < 0 || releaseToQueue(memory, layout.vcpuSharedBase(vcpu), THIEF) !== RELEASED.PUSH || !victimQueue.push(vcpu))
      throw new Error("run queue steal: setup could not move a vCPU to the victim's queue");
  }
  if (thiefQueue.size() !== 0 || victimQueue.size() !== STEAL_VCPUS) throw new Error('run queue steal: setup left the queues wrong');
  const steals = layout.pcpuCounterBase(THIEF) + PC.steals;
  /** vCPU id → shared base, so the loop does not redo the layout's arithmetic (the core caches it too). */
  const sharedBase = Int32Array.from({ length: STEAL_VCPUS }, (_, v) => layout.vcpuSharedBase(v));

  /**
   * `ops` steals, each followed by the requeue onto the victim. Returns how many went wrong
   * (nothing stolen, or the release or push refused): 0, or the batch is void.
   */
  const stealAndRequeue = (ops: number): number => {
    let bad = 0;
    let acc = 0;
    for (let i = 0; i < ops; i++) {
      const vcpu = scheduler.pickNext();
      if (vcpu < 0) {
        bad++;
        continue;
      }
      acc += vcpu;
      if (releaseToQueue(memory, sharedBase[vcpu]!, THIEF) !== RELEASED.PUSH || !victimQueue.push(vcpu)) bad++;
    }
    sink.value ^= acc;
    return bad;
  };

  return {
    name: STEAL_TASK,
    batch: BATCH,
    unit: 'steal+requeue',
    run: () => {
      if (stealAndRequeue(BATCH) !== 0) throw new Error('run queue steal: a measured steal failed');
      return BATCH;
    },
    check: () => {
      // The steals go round the victim's queue in FIFO order, each counted as a steal.
      const order = victimQueue.quiescentEntries();
      const before = f64[steals]!;
      for (let i = 0; i < 3 * STEAL_VCPUS; i++) {
        const vcpu = scheduler.pickNext();
        if (vcpu !== order[i % STEAL_VCPUS]) throw new Error(`run queue steal: steal ${i} took vCPU ${vcpu}, expected ${order[i % STEAL_VCPUS]}`);
        const word = Atomics.load(i32, sharedBase[vcpu]! + VCPU_SHARED.state);
        if (word !== runningOn(THIEF))
          throw new Error(`run queue steal: vCPU ${vcpu} is not claimed by pCPU ${THIEF} with its QUEUED bit cleared (state word ${word})`);
        if (thiefQueue.size() !== 0) throw new Error('run queue steal: the thief had entries of its own');
        if (releaseToQueue(memory, sharedBase[vcpu]!, THIEF) !== RELEASED.PUSH || !victimQueue.push(vcpu))
          throw new Error(`run queue steal: vCPU ${vcpu} could not be requeued on the victim`);
      }
      if (f64[steals] !== before + 3 * STEAL_VCPUS) throw new Error('run queue steal: the steal counter did not move by one per steal');
      if (stealAndRequeue(BATCH) !== 0) throw new Error('run queue steal: a batch had a failed steal');
      if (victimQueue.size() !== STEAL_VCPUS || thiefQueue.size() !== 0) throw new Error('run queue steal: a batch lost or moved a queue entry');
    },
  };
}

export function runQueueTasks(): MicroTask[] {
  return [pushPopTask(), stealTask()];
}
