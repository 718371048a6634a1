/**
 * A core's state: the pCPU it is, the vCPU it runs and the bases of that vCPU's regions, the
 * pending hypercall, and the time keeping of its steps. `PcpuCore` (pcpu-core.ts) extends it
 * with the step dispatch; the files that do a step's work (guest-interpreter.ts, switching.ts,
 * hypercall-exit.ts, idle.ts, fast-forward.ts, the host-side mechanisms in host/) take a
 * `CoreState` and read and write these fields, which are the core's internals, shared by those
 * files only. The host-side mechanisms that are on are built once, by the builder the core passes in (pcpu-core.ts: host/index.ts `hostHooks`).
 *
 * Ownership: a core writes its own pCPU's counters, and the context, time scratch, counters
 * and histograms of the vCPU it currently owns (claimed through the state word).
 */
import type { GuestVm } from '../guest/program.js';
import type { Config } from '../config/schema.js';
import { guestVms } from '../guest/program.js';
import { HYPERCALL } from '../hv/hypercalls.js';
import type { Platform } from '../hv/platform.js';
import type { Scheduler } from '../hv/scheduler.js';
import { createScheduler } from '../hv/schedulers/index.js';
import type { Machine } from '../shm/layout.js';
import type { SharedMemory } from '../shm/memory.js';
import { COST } from './costs.js';
import type { HostHooks, KickHook, PleHook, SpinReaction, SwitchInHook } from './host/hooks.js';
import type { StepReport } from './step.js';

export interface CoreOptions {
  /** Refine the ns-per-cost-unit estimate from the real time steps take (threads engine). */
  readonly calibrate: boolean;
  /** Run the guest's work loop for real (threads engine); a virtual engine only counts it. */
  readonly executeWork?: boolean;
  /** Cost units a step may spend (default COST.STEP_BUDGET); smaller steps interleave pCPUs finer. */
  readonly stepBudget?: number;
  /**
   * Every lock step opens a step of its own (virtual engine): a step is one shared-memory
   * operation at its start, then private work up to the next one, so an engine that orders
   * steps by time orders every shared-memory operation of every pCPU.
   */
  readonly fineSteps?: boolean;
  /** The starting ns per cost unit, to interpolate times inside a step (default 1); the virtual engine gives its work unit's cost. */
  readonly nsPerCost?: number;
}

export class CoreState {
  readonly scheduler: Scheduler;
  readonly machine: Machine;
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly memory: SharedMemory;
  readonly guests: GuestVm[];
  readonly pcpuCounters: number;
  readonly bare: boolean;
  /** An idle pCPU's poll for a held-back vCPU is charged this many exits (a wake-up's worth: wakeNs / exitNs; core/idle.ts). */
  readonly idlePollExits: number;
  // The host-side mechanisms that are on, per hook point (host/hooks.ts).
  /** Called at every switch-in, in order; empty when no mechanism has work there. */
  readonly switchInHooks: readonly SwitchInHook<CoreState>[];
  /** What the hypervisor does with a detected spin (host/spin-reaction.ts), one per machine. */
  readonly spinReaction: SpinReaction<CoreState>;
  /** After the unlock path's kick (boosts: host/boost.ts), or null. */
  readonly kickHook: KickHook<CoreState> | null;
  /** Pause-loop exiting (host/ple.ts), and whether it is on (read by the interpreter at each spin). */
  readonly ple: PleHook<CoreState>;
  readonly pleOn: boolean;
  /** PLE: spins in the current vCPU's current loop (a loop ends with its wait, and at every VM exit and entry). */
  pleSpins = 0;
  /** PLE: the spin of the loop that exits, under the current vCPU's window (set at switch-in and at each growth). */
  pleLimit = 0;

  // The current vCPU, and the bases of its regions (cached on switch-in).
  current = -1;
  vm = 0;
  guest!: GuestVm;
  shared = 0;
  ctx = 0;
  hv = 0;
  time = 0;
  counters = 0;
  /** A hypercall the guest made in the last step, handled at the start of the next. */
  pendingHypercall: number = HYPERCALL.NONE;

  // Time keeping.
  /** ns per cost unit used to interpolate event times inside a step (CoreOptions.nsPerCost, refined if `calibrate`). */
  nsPerCost = 1;
  /** Whether the core refines `nsPerCost` from the real time steps take (threads engine). */
  readonly calibrate: boolean;
  readonly executeWork: boolean;
  readonly stepBudget: number;
  readonly fineSteps: boolean;
  /** The last step ended on a failed poll with no hypercall asked: the next steps are polls too. */
  endedOnSpin = false;
  /** The last step's work, rewritten every step (never reallocated). */
  readonly stepReport: StepReport = { workUnits: 0, lockSteps: 0, spins: 0, exits: 0, lock: -1 };
  lastStepNow = -1;
  lastStepCost = 0;
  switchStartedAt = 0;
  idleSince = -1;
  startNs = 0;
  /** How many steps the last makePrivateSteps made. */
  privateStepsMade = 0;

  // Tracing (core/trace-record.ts): on only when the buffer has trace rings; off, every event
  // site costs one test of this field.
  readonly tracing: boolean;
  /** i32 base of this pCPU's trace ring; the records written (the ring's head, owner-kept), the drainer's tail as last read, the last record's time. */
  readonly traceRing: number;
  traceHead = 0;
  traceTail = 0;
  traceLastNs = -Infinity;

  constructor(
    machine: Machine,
    readonly pcpu: number,
    platform: Platform,
    options: CoreOptions,
    buildHostHooks: (config: Config, guests: readonly GuestVm[]) => HostHooks<CoreState>,
  ) {
    this.machine = machine;
    this.i32 = machine.i32;
    this.f64 = machine.f64;
    this.memory = machine.memory;
    this.guests = guestVms(machine);
    this.scheduler = createScheduler(machine, pcpu, platform);
    this.pcpuCounters = machine.layout.pcpuCounterBase(pcpu);
    this.bare = machine.config.mode === 'bare';
    const costs = machine.config.virtualCosts;
    this.idlePollExits = Math.max(1, Math.round(costs.wakeNs / costs.exitNs));
    const hooks = buildHostHooks(machine.config, this.guests);
    this.switchInHooks = hooks.switchIn;
    this.spinReaction = hooks.spinReaction;
    this.kickHook = hooks.afterKick;
    this.ple = hooks.ple;
    this.pleOn = this.ple.on;
    this.calibrate = options.calibrate;
    this.nsPerCost = options.nsPerCost ?? 1;
    this.executeWork = options.executeWork ?? true;
    this.stepBudget = options.stepBudget ?? COST.STEP_BUDGET;
    this.fineSteps = options.fineSteps ?? false;
    this.tracing = machine.layout.traceRecords > 0;
    this.traceRing = this.tracing ? machine.layout.traceRingBase(pcpu) : 0;
  }
}
