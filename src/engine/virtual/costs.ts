/**
 * What the virtual engine charges a step, from the scenario's `virtualCosts`: a RAN step its
 * work units, lock steps, polls and exits (the core's step report), a SWITCHED step `switchNs`,
 * a woken pCPU `wakeNs`; plus, for the one scheduler whose work is not priced by the step's
 * kind, what the scheduler charged through the platform (platform.ts `chargeStepNs`).
 *
 * Every cost is rounded to 1/1024 ns: every virtual time is then a binary fraction well inside
 * a double's exact range (2^43 ns, over the schema's longest run), so sums are exact and the
 * spinner parking's `first + j × spinNs` equals the step-by-step sum of j polls to the bit.
 */
import { SCHEDULERS } from '../../config/scheduler-registry.js';
import type { Config } from '../../config/schema.js';

/** The virtual costs of one run, quantized. */
export interface VirtualCosts {
  readonly workUnitNs: number;
  readonly atomicNs: number;
  readonly spinNs: number;
  readonly switchNs: number;
  readonly exitNs: number;
  readonly wakeNs: number;
  /** Cost units a core step may spend (not a time: the cores' `stepBudget`). */
  readonly stepBudget: number;
}

const quantize = (ns: number): number => Math.max(1, Math.round(ns * 1024)) / 1024;

export function virtualCosts(config: Config): VirtualCosts {
  const costs = config.virtualCosts;
  return {
    workUnitNs: quantize(costs.workUnitNs),
    atomicNs: quantize(costs.atomicNs),
    spinNs: quantize(costs.spinNs),
    switchNs: quantize(costs.switchNs),
    exitNs: quantize(costs.exitNs),
    wakeNs: quantize(costs.wakeNs),
    stepBudget: costs.stepBudget,
  };
}

/** Whether the scenario's scheduler charges steps extra time (Platform.chargeStepNs), as its registry entry says. */
export function schedulerChargesSteps(config: Config): boolean {
  return SCHEDULERS[config.scheduler.policy].chargesStepTime;
}
