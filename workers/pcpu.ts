/**
 * piscina task: one physical CPU. The task runs for the whole simulation and returns when the
 * stop word is set; its results are in the shared buffer.
 */
import { parseScenario } from '../src/config/schema.js';
import { runPcpu } from '../src/engine/pcpu-loop.js';
import { Machine } from '../src/shm/layout.js';

export interface PcpuTask {
  readonly buffer: SharedArrayBuffer;
  readonly scenario: unknown;
  readonly pcpu: number;
}

export default function pcpuTask(task: PcpuTask): number {
  const machine = Machine.attach(parseScenario(task.scenario), task.buffer);
  runPcpu(machine, task.pcpu);
  return task.pcpu;
}
