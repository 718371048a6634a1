/** Builds the lock algorithm a VM's workload names. */
import type { LockKind } from '../../config/schema.js';
import type { Machine } from '../../shm/layout.js';
import { McsLock } from './mcs.js';
import { PreemptableTicketLock } from './preemptable-ticket.js';
import { QueuedSpinLock } from './qspinlock.js';
import type { SpinLock } from './spin-lock.js';
import { TasLock } from './tas.js';
import { TicketLock } from './ticket.js';
import { TtasLock } from './ttas.js';
import { UnfairQueuedLock } from './unfair-queued.js';

export function createLock(kind: LockKind, machine: Machine): SpinLock {
  switch (kind) {
    case 'tas':
      return new TasLock(machine);
    case 'ttas':
      return new TtasLock(machine);
    case 'ticket':
      return new TicketLock(machine);
    case 'mcs':
      return new McsLock(machine);
    case 'preemptable-ticket':
      return new PreemptableTicketLock(machine);
    case 'qspinlock':
      return new QueuedSpinLock(machine);
    case 'unfair-queued':
      return new UnfairQueuedLock(machine);
  }
}
