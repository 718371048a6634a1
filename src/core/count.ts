/**
 * The core's counters by name: the current vCPU's (events/table.ts `VC`, at `core.counters`)
 * and its pCPU's (`PC`, at `core.pcpuCounters`), each a plain f64 word that only this core
 * writes (its own pCPU's, and those of the vCPU it owns). Tiny and monomorphic, so that V8
 * inlines them into their call sites: each is the index arithmetic it replaces.
 */
import type { CoreState } from './core-state.js';

/** One more `counter` (a VC index) on the current vCPU. */
export function countVcpu(core: CoreState, counter: number): void {
  core.f64[core.counters + counter]! += 1;
}

/** `amount` (ns, units, spins) added to `counter` (a VC index) of the current vCPU. */
export function addVcpu(core: CoreState, counter: number, amount: number): void {
  core.f64[core.counters + counter]! += amount;
}

/** One more `counter` (a PC index) on this pCPU. */
export function countPcpu(core: CoreState, counter: number): void {
  core.f64[core.pcpuCounters + counter]! += 1;
}

/** `amount` added to `counter` (a PC index) of this pCPU. */
export function addPcpu(core: CoreState, counter: number, amount: number): void {
  core.f64[core.pcpuCounters + counter]! += amount;
}
