/** Builds the scheduler policy a scenario names, one instance per pCPU (see hv/scheduler.ts). */
import type { SchedulerPolicy } from '../../config/schema.js';
import type { Machine } from '../../shm/layout.js';
import type { Platform } from '../platform.js';
import type { Scheduler } from '../scheduler.js';
import { BalanceScheduler, initBalance } from './balance.js';
import { CoschedScheduler, initCosched } from './cosched.js';
import { CreditScheduler } from './credit.js';
import { GlobalLockScheduler } from './global-lock.js';
import { RoundRobinScheduler } from './round-robin.js';

export function createScheduler(machine: Machine, pcpu: number, platform: Platform): Scheduler {
  switch (machine.config.scheduler.policy) {
    case 'rr':
      return new RoundRobinScheduler(machine, pcpu, platform);
    case 'credit':
      return new CreditScheduler(machine, pcpu, platform);
    case 'cosched':
      return new CoschedScheduler(machine, pcpu, platform);
    case 'balance':
      return new BalanceScheduler(machine, pcpu, platform);
    case 'global-lock':
      return new GlobalLockScheduler(machine, pcpu, platform);
  }
}

/**
 * The start state of the words a policy shares beyond its run queues (the layout's sched
 * region), after initMachine has queued every vCPU: on the main thread, before any pCPU thread
 * sees the buffer. Only balance's sibling counts and cosched's progress marks start non-zero.
 */
export function initScheduler(machine: Machine): void {
  if (machine.config.scheduler.policy === 'balance') initBalance(machine);
  else if (machine.config.scheduler.policy === 'cosched') initCosched(machine);
}

/**
 * Whether the scheduler policy accepts a guest's directed yield to a named vCPU
 * (KVM_HC_SCHED_YIELD); the preempted-aware guest falls back to halting or a plain yield where
 * it does not. Xen's credit scheduler has no yield-to (SCHEDOP_yield only).
 */
export function acceptsDirectedYield(policy: SchedulerPolicy): boolean {
  switch (policy) {
    case 'rr':
    case 'cosched':
    case 'balance':
    case 'global-lock':
      return true;
    case 'credit':
      return false;
  }
}
