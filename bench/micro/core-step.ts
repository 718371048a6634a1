/**
 * One core step of a running vCPU, without a switch: the guest program runs until the step's
 * cost budget (COST.STEP_BUDGET) is spent: outside work, lock choice, an uncontended
 * acquire, the critical section's work and guest-memory update, the release and its
 * hold-time histogram, new lengths drawn from the distributions, and the step's accounting.
 *
 * Setup: the schema's default workload (ticket locks, 16 of them; outside work exponential,
 * mean 2000 units; inside 200 units) on one vCPU alone on one pCPU with the default slice, so
 * no lock is ever contended and the pCPU never switches (a slice end finds nobody else queued
 * and only renews the slice). The fake clock advances by about what a step really costs
 * (1.7 ns per work unit, as the native-speed rows measure on the 2-core development host), so
 * the core's ns-per-cost calibration sees realistic rates.
 */
import { COST } from '../../src/core/costs.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { PC, VC } from '../../src/events/table.js';
import { type MicroTask, oneVm, startedMachine } from './harness.js';

const BATCH = 16;
/** Fake-clock advance per step, ns (≈ a real step's duration). */
const TICK_NS = Math.round(COST.STEP_BUDGET * 1.7);

export function coreStepTasks(): MicroTask[] {
  const machine = startedMachine(oneVm({ pcpus: 1, vcpus: 1 }));
  const core = new PcpuCore(machine, 0, { wakeIdlePcpu() {} }, { calibrate: true });
  let now = 0;
  core.start(now);
  if (core.step(now) !== STEP.SWITCHED) throw new Error('core step: the first step did not put the vCPU on the pCPU');
  core.switchDone(now);
  const { f64, layout } = machine;
  const pcpuCounters = layout.pcpuCounterBase(0);
  const vcpuCounters = layout.vcpuCounterBase(0);
  // Totals from here on, for the work-per-step note.
  const start = { steps: f64[pcpuCounters + PC.steps]!, units: f64[vcpuCounters + VC.workUnits]!, acquisitions: f64[vcpuCounters + VC.acquisitions]! };

  /** Runs `ops` steps; returns how many did something other than run guest code (0). */
  const steps = (ops: number): number => {
    let t = now;
    let other = 0;
    for (let i = 0; i < ops; i++) {
      t += TICK_NS;
      other += core.step(t);
    }
    now = t;
    return other;
  };

  return [
    {
      name: 'core step (guest, no switch)',
      batch: BATCH,
      unit: 'step',
      run: () => {
        if (steps(BATCH) !== 0) throw new Error('core step: a measured step did not just run the guest');
        return BATCH;
      },
      check: () => {
        const acquisitions = f64[vcpuCounters + VC.acquisitions]!;
        const switches = f64[pcpuCounters + PC.switches]!;
        if (steps(256) !== 0) throw new Error('core step: a step did not return RAN');
        if (f64[vcpuCounters + VC.acquisitions] === acquisitions) throw new Error('core step: 256 steps completed no critical section');
        if (f64[pcpuCounters + PC.switches] !== switches) throw new Error('core step: the pCPU switched');
        if (f64[vcpuCounters + VC.spins] !== 0) throw new Error('core step: the uncontended workload spun');
      },
      note: () => {
        const n = f64[pcpuCounters + PC.steps]! - start.steps;
        const units = (f64[vcpuCounters + VC.workUnits]! - start.units) / n;
        const acquisitions = (f64[vcpuCounters + VC.acquisitions]! - start.acquisitions) / n;
        return `core step: ${units.toFixed(0)} work units and ${acquisitions.toFixed(2)} acquire+release per step (budget ${COST.STEP_BUDGET} cost units)`;
      },
    },
  ];
}
