/**
 * One pCPU's core driven by hand, a step per call, one step per µs of `now`: what the
 * contract tests of halts, kicks, yields and slice extensions step through, looking at the
 * machine between steps.
 */
import { expect } from 'vitest';
import { parseScenario } from '../../src/config/schema.js';
import { initMachine, openRun } from '../../src/core/init.js';
import { PcpuCore, STEP } from '../../src/core/pcpu-core.js';
import { selfChecks } from '../../src/results/self-checks.js';
import { Machine } from '../../src/shm/layout.js';
import { collectMetrics } from '../../src/stats/metrics.js';

export const STEP_NS = 1000;

export interface Driven {
  readonly machine: Machine;
  readonly core: PcpuCore;
  now: number;
  /** The vCPU on the pCPU after each step. */
  readonly timeline: number[];
}

/** A one-pCPU machine for the scenario `input` (pcpus defaults to 1), its run opened, unstarted. */
export function machineOf(input: object): Machine {
  const machine = Machine.allocate(parseScenario({ pcpus: 1, ...input }));
  initMachine(machine);
  openRun(machine, 0);
  return machine;
}

/** pCPU 0 of the scenario `input`, started at 0: 64 cost units a step, no calibration. */
export function drivenCore(input: object): Driven {
  const machine = machineOf(input);
  const core = new PcpuCore(machine, 0, { wakeIdlePcpu() {} }, { calibrate: false, stepBudget: 64 });
  core.start(0);
  return { machine, core, now: 0, timeline: [] };
}

/** One step at `d.now` (a switch done at once), then one µs later. Returns the step's STEP code. */
function tick(d: Driven): number {
  const status = d.core.step(d.now);
  if (status === STEP.SWITCHED) d.core.switchDone(d.now);
  d.timeline.push(d.core.currentVcpu);
  d.now += STEP_NS;
  return status;
}

/** Steps until `until` ns, calling `each` after every step. */
export function runUntil(d: Driven, until: number, each?: () => void): void {
  while (d.now < until) {
    tick(d);
    each?.();
  }
}

/** vCPU `v`'s counter `counter` (a `VC` slot). */
export const vcpuCounter = (d: Driven, v: number, counter: number): number => d.machine.f64[d.machine.layout.vcpuCounterBase(v) + counter]!;

/** Ends the run at `d.now` and expects every self-check to pass. */
export function expectChecksOk(d: Driven): void {
  d.core.finish(d.now);
  const metrics = collectMetrics(d.machine);
  for (const check of selfChecks(d.machine, metrics, { wallMs: 0, graceMs: 0 })) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
}
