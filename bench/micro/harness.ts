/**
 * What every micro-benchmark group shares: the task shape, a machine built the way a run
 * builds it, and the batching wrapper that turns one tinybench sample into the mean of a batch
 * of operations.
 *
 * Batching: a lock acquire+release or a vCPU switch takes tens of nanoseconds, about the cost
 * of one `performance.now()` call, so timing each operation would measure the clock. Each
 * tinybench iteration instead runs `batch` operations between two clock reads and returns
 * `{ overriddenDuration: batchMs / ops, overriddenIterationCost: batchMs }`: tinybench then
 * records the per-operation mean of the batch as the sample (so its latency statistics and
 * its throughput are per operation) while its time budget is charged the whole batch.
 */
import type { Bench, FnReturnedObject } from 'tinybench';
import { parseScenario, type ScenarioInput } from '../../src/config/schema.js';
import { initMachine, openRun } from '../../src/core/init.js';
import { Machine, type LayoutOptions } from '../../src/shm/layout.js';

export interface MicroTask {
  /** Row name in the table; `--filter` matches it. */
  readonly name: string;
  /** Operations per sample (for tasks with a variable count per batch, the nominal count). */
  readonly batch: number;
  /** What one operation is, for the table ("acq+rel", "switch", "unit"). */
  readonly unit: string;
  /**
   * Does one batch and returns how many operations it did (usually `batch`). Must consume its
   * results (a shared-memory store or `sink`) so the optimiser cannot drop the work.
   */
  readonly run: () => number;
  /** One untimed run that checks the batch does what the name says; throws if not. */
  readonly check: () => void;
  /** A line of derived figures printed under the table, after the run (optional). */
  readonly note?: () => string;
}

/** Where results go so that V8 cannot prove them dead. Printed (as a checksum) at the end. */
export const sink = { value: 0 };

/** A machine in its run-start state (queues initialised, vCPUs runnable and queued, clock 0). */
export function startedMachine(input: ScenarioInput, options: LayoutOptions = {}): Machine {
  const machine = Machine.allocate(parseScenario(input), 'atomics', options);
  initMachine(machine);
  openRun(machine, 0);
  return machine;
}

/** A one-VM scenario with the given workload fields; the rest from the schema's defaults. */
export function oneVm(options: {
  pcpus: number;
  vcpus: number;
  sliceUs?: number;
  workload?: NonNullable<ScenarioInput['vms'][number]['workload']>;
}): ScenarioInput {
  return {
    pcpus: options.pcpus,
    scheduler: { sliceUs: options.sliceUs ?? 10_000 },
    vms: [{ name: 'bench', vcpus: options.vcpus, workload: options.workload ?? {} }],
  };
}

/** Adds a task to the bench, batched: every sample is the per-operation mean of one batch. */
export function addBatched(bench: Bench, task: MicroTask): void {
  const run = task.run;
  bench.add(task.name, (): FnReturnedObject => {
    const t0 = performance.now();
    const ops = run();
    const batchMs = performance.now() - t0;
    return { overriddenDuration: batchMs / ops, overriddenIterationCost: batchMs };
  });
}
