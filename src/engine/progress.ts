/**
 * A running simulation's progress, read from the buffer while it runs: the trace controller's
 * snapshots on the threads engine (engine/trace-controller.ts), the engine's own thread between
 * steps on the virtual engine. Plain reads of counters being written: each value is one a pCPU
 * stored, and counters only grow.
 */
import { VC } from '../events/table.js';
import type { Machine } from '../shm/layout.js';
import type { RunProgress } from './run-output.js';

export function readProgress(machine: Machine, elapsedMs: number, droppedRecords: number): RunProgress {
  const { f64, layout, config } = machine;
  const acquisitions = layout.vms.map((vm) => {
    let sum = 0;
    for (let v = vm.firstVcpu; v < vm.firstVcpu + vm.vcpus; v++) sum += f64[layout.vcpuCounterBase(v) + VC.acquisitions]!;
    return sum;
  });
  return { elapsedMs: Math.min(config.durationMs, Math.max(0, elapsedMs)), durationMs: config.durationMs, acquisitions, droppedRecords };
}
