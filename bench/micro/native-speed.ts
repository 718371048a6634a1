/**
 * Native speed: guest work done through the simulator against the same work loop called
 * plainly. Target (the issue): the simulator does at least 90% of the plain loop's work units
 * per second on one thread.
 *
 * - plain: `guestWork(x, UNITS)` called directly, the whole batch in one call: the best the
 *   loop can do in Node, with no simulator around it.
 * - simulator: a vCPU whose program is nearly all outside work (fixed 1e9 units between
 *   critical sections, so about one lock operation per 120 000 steps) alone on one pCPU; the
 *   same number of units is done by calling `core.step(now)` until the vCPU's workUnits counter
 *   has advanced by them (STEPS steps of COST.STEP_BUDGET units). Every step pays what the
 *   simulator adds around the loop: the step's phase dispatch, slice check, ns-per-cost
 *   calibration and counter updates.
 * One operation = one work unit in both, so ns/op is ns per unit and ops/s is units per second;
 * the ratio of the two medians is the native-speed figure.
 */
import { COST } from '../../src/core/costs.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { guestWork } from '../../src/guest/work.js';
import { VC } from '../../src/events/table.js';
import { type MicroTask, oneVm, sink, startedMachine } from './harness.js';

/** Core steps per batch; the plain loop does the same units in one call. */
const STEPS = 32;
const UNITS = STEPS * COST.STEP_BUDGET;
/** Fake-clock advance per step, ns (≈ a real step's duration, as in core-step.ts). */
const TICK_NS = Math.round(COST.STEP_BUDGET * 1.7);

export const NATIVE_PLAIN = 'native speed: plain guestWork loop';
export const NATIVE_SIMULATOR = 'native speed: guestWork via core.step';

export function nativeSpeedTasks(): MicroTask[] {
  let x = 0x2545f491;
  const plain: MicroTask = {
    name: NATIVE_PLAIN,
    batch: UNITS,
    unit: 'work unit',
    run: () => {
      x = guestWork(x, UNITS);
      sink.value ^= x;
      return UNITS;
    },
    check: () => {
      // xorshift32 never reaches 0 from a non-zero state: the loop really ran.
      if (guestWork(x, 1000) === 0) throw new Error('native speed: the plain loop returned 0');
    },
  };

  const machine = startedMachine(oneVm({ pcpus: 1, vcpus: 1, workload: { outsideUnits: { kind: 'fixed', value: 1e9 }, lock: 'tas', locks: 1 } }));
  const core = new PcpuCore(machine, 0, { wakeIdlePcpu() {} }, { calibrate: true });
  let now = 0;
  core.start(now);
  if (core.step(now) !== STEP.SWITCHED) throw new Error('native speed: the first step did not put the vCPU on the pCPU');
  core.switchDone(now);
  const { f64, layout } = machine;
  const workUnits = layout.vcpuCounterBase(0) + VC.workUnits;

  /** Runs STEPS steps; returns the work units they did. */
  const steps = (): number => {
    const before = f64[workUnits]!;
    let t = now;
    for (let i = 0; i < STEPS; i++) {
      t += TICK_NS;
      core.step(t);
    }
    now = t;
    return f64[workUnits]! - before;
  };

  const simulator: MicroTask = {
    name: NATIVE_SIMULATOR,
    batch: UNITS,
    unit: 'work unit',
    // The vCPU's work accumulator lives in shared memory (VCPU_CTX.work): already consumed.
    run: steps,
    check: () => {
      const done = steps();
      // One lock operation in ~120 000 steps may shave a few units off a batch; no more.
      if (done < UNITS - 4 * COST.LOCK_STEP) throw new Error(`native speed: ${STEPS} steps did ${done} work units, expected ${UNITS}`);
    },
  };
  return [plain, simulator];
}
