/**
 * piscina task: one physical CPU. The task runs for the whole simulation and returns when the
 * stop word is set; its results are in the shared buffer.
 */
import { parseScenario } from '../src/config/schema.js';
import { runPcpu } from '../src/engine/pcpu-loop.js';
import { announceProfileRole, profileRolesDir } from '../src/engine/profile-role.js';
import { pcpuFaultHook } from '../src/engine/test-fault.js';
import { Machine } from '../src/shm/layout.js';

export interface PcpuTask {
  readonly buffer: SharedArrayBuffer;
  readonly scenario: unknown;
  readonly pcpu: number;
  /** Records per trace ring (0: untraced): the layout must be the one the buffer was built with. */
  readonly traceRecords: number;
}

/** Set only under `npm run profile`: read once, when the thread starts. */
const profileRoles = profileRolesDir();

export default function pcpuTask(task: PcpuTask): number {
  if (profileRoles !== null) announceProfileRole(profileRoles, `pcpu-${task.pcpu}`);
  const machine = Machine.attach(parseScenario(task.scenario), task.buffer, { traceRecords: task.traceRecords });
  runPcpu(machine, task.pcpu, pcpuFaultHook(task.pcpu));
  return task.pcpu;
}
