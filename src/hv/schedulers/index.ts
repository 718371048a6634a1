/** Builds the scheduler policy a scenario names, one instance per pCPU (see hv/scheduler.ts). */
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
