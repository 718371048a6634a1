/** Builds the lock algorithm a VM's workload names. */
import type { LockKind } from '../../config/schema.js';
import type { Machine } from '../../shm/layout.js';
import { McsLock } from './mcs.js';
import type { SpinLock } from './spin-lock.js';
import { TasLock } from './tas.js';
import { TicketLock } from './ticket.js';
import { TtasLock } from './ttas.js';

export function createLock(kind: LockKind, machine: Machine): SpinLock {
  switch (kind) {
    case 'tas':
      return new TasLock(machine.memory);
    case 'ttas':
      return new TtasLock(machine.memory);
    case 'ticket':
      return new TicketLock(machine.memory);
    case 'mcs':
      return new McsLock(machine.memory, machine.layout);
  }
}
