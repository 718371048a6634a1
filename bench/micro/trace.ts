/**
 * Tracing's cost on the hot path (core/trace-record.ts): one recorded event (a record's six
 * words into the pCPU's ring and the head's store), and a vCPU switch of a traced run (two
 * records: the switch-out and the switch-in) beside the untraced switch in switch.ts. The ring
 * is emptied between batches as the drainer would (its tail moved to the head), so every
 * measured record is written, none dropped.
 */
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { traceEvent } from '../../src/core/trace-record.js';
import { TR } from '../../src/events/table.js';
import { TRACE_RING, type Machine } from '../../src/shm/layout.js';
import { type MicroTask, oneVm, startedMachine } from './harness.js';

const BATCH = 4096;
const RING = 1 << 16;
const VCPUS = 4;
const SLICE_US = 10;
const TICK_NS = 2 * SLICE_US * 1000;

/** What the drainer does, minus reading: the ring's records are free again. */
function drained(machine: Machine, core: PcpuCore): void {
  Atomics.store(machine.i32, machine.layout.traceRingBase(0) + TRACE_RING.tail, core.traceHead);
  core.traceTail = core.traceHead;
}

export function traceTasks(): MicroTask[] {
  const machine = startedMachine(oneVm({ pcpus: 1, vcpus: VCPUS, sliceUs: SLICE_US }), { traceRecords: RING });
  const core = new PcpuCore(machine, 0, { wakeIdlePcpu() {} }, { calibrate: true });
  let now = 0;
  core.start(now);
  if (core.step(now) !== STEP.SWITCHED) throw new Error('trace: the first step did not put a vCPU on the pCPU');
  core.switchDone(now);
  const dropped = machine.layout.traceRingBase(0) + TRACE_RING.dropped;

  return [
    {
      name: 'trace record (one event)',
      batch: BATCH,
      unit: 'event',
      run: () => {
        drained(machine, core);
        let t = now;
        for (let i = 0; i < BATCH; i++) traceEvent(core, TR.spinStart, (t += 10), 1, 0, 0);
        now = t;
        return BATCH;
      },
      check: () => {
        drained(machine, core);
        const head = core.traceHead;
        traceEvent(core, TR.kick, (now += 10), 2, 1, 3);
        if (core.traceHead !== ((head + 1) | 0)) throw new Error('trace: the head did not move by one');
        if (machine.i32[dropped] !== 0) throw new Error('trace: a record was dropped');
      },
    },
    {
      name: 'vCPU switch, traced (step + switchDone)',
      batch: BATCH,
      unit: 'switch',
      run: () => {
        drained(machine, core);
        let t = now;
        let other = 0;
        for (let i = 0; i < BATCH; i++) {
          t += TICK_NS;
          other += core.step(t) ^ STEP.SWITCHED;
          core.switchDone(t);
        }
        now = t;
        if (other !== 0) throw new Error('trace: a measured step did not switch');
        return BATCH;
      },
      check: () => {
        drained(machine, core);
        const head = core.traceHead;
        now += TICK_NS;
        if (core.step(now) !== STEP.SWITCHED) throw new Error('trace: the step did not switch');
        core.switchDone(now);
        if (((core.traceHead - head) | 0) !== 2) throw new Error('trace: a switch did not record its switch-out and switch-in');
      },
    },
  ];
}
