/**
 * One vCPU switch on one pCPU: the slice of the running vCPU has ended, so the core step picks
 * the next vCPU from its run queue (pop, then one state CAS that claims it and clears its QUEUED
 * bit), saves the old one (time accounting, witness cleared, one state CAS back to runnable that
 * marks it QUEUED, push onto the run queue, idle-pCPU check), restores the new one (region
 * bases, witness exchange, accounting), and then the engine's `switchDone` closes the switch's
 * hypervisor time: 10 atomic operations in all. One operation = `step` + `switchDone`, exactly
 * what the threads engine calls for a SWITCHED step.
 *
 * Setup: one pCPU, four vCPUs of one VM (three always queued), the smallest slice the schema
 * allows, and a fake clock that advances past the slice before every step, so that every step
 * is a switch and no guest code runs.
 */
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { PC } from '../../src/events/table.js';
import { type MicroTask, oneVm, startedMachine } from './harness.js';

const BATCH = 4096;
const VCPUS = 4;
const SLICE_US = 10;
/** Fake-clock advance per switch: past the slice end every time. */
const TICK_NS = 2 * SLICE_US * 1000;

export function switchTasks(): MicroTask[] {
  const machine = startedMachine(oneVm({ pcpus: 1, vcpus: VCPUS, sliceUs: SLICE_US }));
  const core = new PcpuCore(machine, 0, { wakeIdlePcpu() {} }, { calibrate: true });
  let now = 0;
  core.start(now);
  // Put the first vCPU on the pCPU, so every measured step switches one vCPU for another.
  if (core.step(now) !== STEP.SWITCHED) throw new Error('switch: the first step did not put a vCPU on the pCPU');
  core.switchDone(now);

  /** Runs `ops` switches; returns how many steps did not switch (0, or the batch is void). */
  const switches = (ops: number): number => {
    let t = now;
    let other = 0;
    for (let i = 0; i < ops; i++) {
      t += TICK_NS;
      other += core.step(t) ^ STEP.SWITCHED;
      core.switchDone(t);
    }
    now = t;
    return other;
  };

  return [
    {
      name: 'vCPU switch (step + switchDone)',
      batch: BATCH,
      unit: 'switch',
      run: () => {
        if (switches(BATCH) !== 0) throw new Error('switch: a measured step did not switch');
        return BATCH;
      },
      check: () => {
        const counter = machine.layout.pcpuCounterBase(0) + PC.switches;
        for (let i = 0; i < 4 * VCPUS; i++) {
          const before = core.currentVcpu;
          const switchesBefore = machine.f64[counter]!;
          now += TICK_NS;
          const status = core.step(now);
          core.switchDone(now);
          if (status !== STEP.SWITCHED) throw new Error(`switch: step ${i} returned ${status}, not SWITCHED`);
          if (core.currentVcpu === before || core.currentVcpu < 0) throw new Error(`switch: step ${i} kept vCPU ${before}`);
          if (machine.f64[counter] !== switchesBefore + 1) throw new Error('switch: the switch counter did not move by one');
        }
      },
    },
  ];
}
