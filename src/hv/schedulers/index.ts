/** Builds the scheduler policy a scenario names, one instance per pCPU (see hv/scheduler.ts). */
import type { SchedulerPolicy } from '../../config/schema.js';
import type { Machine } from '../../shm/layout.js';
import type { Platform } from '../platform.js';
import type { Scheduler } from '../scheduler.js';
import { RoundRobinScheduler } from './round-robin.js';

export function createScheduler(machine: Machine, pcpu: number, platform: Platform): Scheduler {
  switch (machine.config.scheduler.policy) {
    case 'rr':
      return new RoundRobinScheduler(machine, pcpu, platform);
  }
}

/**
 * Whether the scheduler policy accepts a guest's directed yield to a named vCPU
 * (KVM_HC_SCHED_YIELD); the preempted-aware guest falls back to halting or a plain yield where
 * it does not.
 */
export function acceptsDirectedYield(policy: SchedulerPolicy): boolean {
  switch (policy) {
    case 'rr':
      return true;
  }
}
