/**
 * The host half of pv halt/kick (Linux pvqspinlock's `pv_wait` / `pv_kick` as KVM and Xen serve
 * them); the guest half, the lock's halt record and the policy, is in src/guest/.
 *
 * Halt (HYPERCALL.HALT): the guest registers in its lock's halt record, then the halt is
 * conditional: it sleeps only if the lock word still says "not your turn" (the lock wrote the
 * condition into the vCPU's hypervisor block) and no kick is pending, which the state word's
 * compare-and-swap decides (hv/vcpu-state.ts). A halted vCPU leaves its pCPU to the next
 * runnable one, or the pCPU idles.
 *
 * Kick: made by the guest's unlock path inside its step (`kickWaiter`), so that the lock's
 * release and the wake-up of the waiter it was handed to happen in the same step; it costs the
 * sender an exit and never switches the sender out. The scheduler wakes the target (hv/wake.ts).
 *
 * At a switch-in of a paravirtual guest's vCPU: the witness that a halted vCPU is never picked,
 * where a kick should queue it, and the kick-to-run histogram.
 */
import { deregisterHalt, registerHalt } from '../../guest/halt-kick.js';
import { HALT_KIND, haltConditionHolds } from '../../hv/hypercalls.js';
import { DESCHEDULE, KICK } from '../../hv/scheduler.js';
import { takePendingKick } from '../../hv/vcpu-state.js';
import { VCPU_CTX, VCPU_HV, VCPU_TIME } from '../../shm/layout.js';
import { HIST, PC, TR, VC, histogramBucket } from '../../events/table.js';
import type { CoreState } from '../core-state.js';
import { runNextOrIdle } from '../idle.js';
import { STEP } from '../step.js';
import { switchOut } from '../switching.js';
import { traceEvent } from '../trace-record.js';
import type { SwitchInHook } from './hooks.js';
import { countPcpu, countVcpu } from '../count.js';

/** The switch-in part, on while any VM's guest is paravirtual; only its vCPUs ever halt, so the others skip it. */
export class HaltKick implements SwitchInHook<CoreState> {
  /**
   * Partner of the halt's mark (switchOut, DESCHEDULE.HALT) and the kicker's clearing of it:
   * a vCPU found asleep here was picked while halted.
   */
  switchIn(core: CoreState, vcpu: number, now: number): void {
    if (!core.guest.paravirtual) return;
    const { i32, f64 } = core;
    if (i32[core.hv + VCPU_HV.asleep] === 1) countPcpu(core, PC.haltedPicks);
    i32[core.hv + VCPU_HV.lastPcpu] = core.pcpu;
    const wokenAt = f64[core.time + VCPU_TIME.wokenAt]!;
    if (wokenAt >= 0) {
      f64[core.machine.layout.vcpuHistogramBase(vcpu, HIST.wakeNs) + histogramBucket(now - wokenAt)]! += 1;
      f64[core.time + VCPU_TIME.wokenAt] = -1;
    }
  }
}

/** HYPERCALL.HALT at `now`: the conditional halt of the current vCPU. */
export function halt(core: CoreState, now: number): number {
  const { i32, memory, machine } = core;
  const vcpu = core.current;
  const lock = core.guest.firstLock + i32[core.ctx + VCPU_CTX.lock]!;
  const lockBase = machine.layout.lockBase(lock);
  const hv = core.hv;
  const kind = core.guest.lock.haltOn(lockBase, core.ctx, vcpu, hv);
  if (kind === HALT_KIND.NONE) return STEP.RAN;
  // Register first, then look at the lock word: the Dekker pair with the unlocker (guest/halt-kick.ts).
  registerHalt(machine, vcpu, lock);
  const holds = haltConditionHolds(i32[hv + VCPU_HV.haltMode]!, memory.load(memory.i32, i32[hv + VCPU_HV.haltWord]!), i32[hv + VCPU_HV.haltValue]!);
  const kicked = takePendingKick(memory, core.shared);
  if (!holds || kicked) {
    // No sleep: the lock moved on, or a kick came first (consumed, as the halt would).
    deregisterHalt(machine, hv);
    return STEP.RAN;
  }
  countVcpu(core, VC.halts);
  if (core.tracing) traceEvent(core, TR.halt, now, vcpu, lock, 0);
  if (kind === HALT_KIND.HEAD) countVcpu(core, VC.headHalts);
  core.switchStartedAt = now;
  switchOut(core, now, DESCHEDULE.HALT);
  return runNextOrIdle(core, now);
}

/**
 * The unlock path's kick of `target` at `now`, from the guest running on `core` that released
 * global lock `lock`: counted on the sender, handled by the scheduler at once. Returns the
 * scheduler's KICK code.
 */
export function kickWaiter(core: CoreState, target: number, now: number, lock: number): number {
  countVcpu(core, VC.kicks);
  // Plain read: written with the target's halt, published by its registration's atomic add,
  // which findKickTarget's load of the record saw.
  if (core.i32[core.machine.layout.vcpuHvBase(target) + VCPU_HV.haltKind] === HALT_KIND.NODE) countVcpu(core, VC.lazyKicks);
  const kicked = core.scheduler.kick(target, now);
  if (kicked !== KICK.WOKEN) countVcpu(core, VC.kicksNotHalted);
  if (core.tracing) {
    traceEvent(core, TR.kick, now, core.current, lock, target);
    if (kicked === KICK.WOKEN) traceEvent(core, TR.wake, now, target, lock, core.current);
  }
  return kicked;
}
