/**
 * The hypervisor half of the scheduler registry: each policy's `SchedulerOps` (hv/scheduler.ts),
 * exported by its own file, by the name its entry in config/scheduler-registry.ts registers
 * (that file's header says why the registry has two halves). The `satisfies` below makes the
 * compiler refuse a name without its ops, or ops without a name. Consulted when a machine
 * starts and when a core is built, never per step.
 */
import type { SchedulerPolicy } from '../../config/scheduler-registry.js';
import type { Machine } from '../../shm/layout.js';
import type { Platform } from '../platform.js';
import type { Scheduler, SchedulerOps } from '../scheduler.js';
import { balanceOps } from './balance.js';
import { coschedOps } from './cosched.js';
import { creditOps } from './credit.js';
import { globalLockOps } from './global-lock.js';
import { roundRobinOps } from './round-robin.js';

const OPS = {
  rr: roundRobinOps,
  credit: creditOps,
  cosched: coschedOps,
  balance: balanceOps,
  'global-lock': globalLockOps,
} satisfies Record<SchedulerPolicy, SchedulerOps>;

/** Builds the scenario's scheduler policy for `pcpu` (its `SchedulerOps.create`, Xen's alloc_pdata). */
export function createScheduler(machine: Machine, pcpu: number, platform: Platform): Scheduler {
  return OPS[machine.config.scheduler.policy].create(machine, pcpu, platform);
}

/**
 * The start state of the words the scenario's policy shares beyond its run queues (its
 * `SchedulerOps.initShared`, if any), after initMachine has queued every vCPU: on the main
 * thread, before any pCPU thread sees the buffer.
 */
export function initScheduler(machine: Machine): void {
  const ops: SchedulerOps = OPS[machine.config.scheduler.policy];
  ops.initShared?.(machine);
}
