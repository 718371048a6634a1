/**
 * The virtual engine: one thread advances every pCPU of the scenario in virtual-time order,
 * driving the same core step, guest locks, spin-wait policies and scheduler as the threads
 * engine. Each step is charged its cost from the scenario's `virtualCosts`; the next step of
 * that pCPU happens that much later. The pCPU with the earliest next step always goes first
 * (ties broken by a seeded key), so a run depends on nothing but the scenario: same seed, same
 * result, on any machine.
 *
 * Idle pCPUs leave the agenda and sleep; the scheduler's wake-up puts one back `wakeNs` later.
 */
import type { Config } from '../config/schema.js';
import { closeRun, initMachine, openRun } from '../core/init.js';
import { PcpuCore, STEP } from '../core/pcpu-core.js';
import type { Platform } from '../hv/platform.js';
import { CTRL, Machine } from '../shm/layout.js';
import { EventHeap } from './event-heap.js';
import type { RunOutput } from './run-output.js';

export interface VirtualEngineOptions {
  /** Fast-forward failed polls within a step (default true); off only to check that it changes nothing. */
  readonly fastForwardSpins?: boolean;
}

export class VirtualEngine implements Platform {
  private machine!: Machine;
  private heap!: EventHeap;
  /** Sleeping pCPUs, in the order they fell asleep: the first is woken first. */
  private sleepers: number[] = [];
  private now = 0;
  private wakeNs = 0;
  /** Core steps taken in the last run (for the engine's speed). */
  steps = 0;

  constructor(private readonly options: VirtualEngineOptions = {}) {}

  async run(config: Config): Promise<RunOutput> {
    const hostStart = performance.now();
    const machine = Machine.allocate(config);
    initMachine(machine);
    openRun(machine, 0);
    this.machine = machine;
    const costs = config.virtualCosts;
    this.wakeNs = costs.wakeNs;
    this.sleepers = [];
    this.heap = new EventHeap(config.pcpus, config.seed ^ 0x51ed270b);
    const cores: PcpuCore[] = [];
    for (let p = 0; p < config.pcpus; p++) {
      const core = new PcpuCore(machine, p, this, {
        calibrate: false,
        executeWork: false,
        stepBudget: costs.stepBudget,
        fastForwardSpins: this.options.fastForwardSpins ?? true,
      });
      // Interpolation inside a step: a cost unit is a work unit's worth of time.
      core.nsPerCost = costs.workUnitNs;
      core.start(0);
      cores.push(core);
      this.heap.push(p, 0);
    }

    const durationNs = config.durationMs * 1e6;
    const heap = this.heap;
    const nonSpinNs = costs.atomicNs;
    let steps = 0;
    while (heap.peekTime() < durationNs) {
      const now = heap.peekTime();
      const pcpu = heap.pop();
      this.now = now;
      const core = cores[pcpu]!;
      const status = core.step(now);
      steps++;
      if (status === STEP.RAN) {
        const r = core.stepReport;
        const cost = r.workUnits * costs.workUnitNs + (r.lockSteps - r.spins) * nonSpinNs + r.spins * costs.spinNs + r.exits * costs.exitNs;
        heap.push(pcpu, now + cost);
      } else if (status === STEP.SWITCHED) {
        const end = now + costs.switchNs;
        // A switch still going at the run's end is hypervisor time up to the end only; the
        // vCPU's run would otherwise start after the end and be charged negative run time.
        core.switchDone(end < durationNs ? end : durationNs);
        heap.push(pcpu, end);
      } else {
        // Partner: the scheduler's idle check before it calls wakeIdlePcpu.
        Atomics.add(machine.i32, machine.layout.controlWord(CTRL.idle), 1);
        this.sleepers.push(pcpu);
      }
    }
    for (const core of cores) core.finish(durationNs);
    closeRun(machine, durationNs);
    this.steps = steps;
    return { engine: 'virtual', machine, wallMs: config.durationMs, graceMs: 0, hostMs: performance.now() - hostStart, warnings: [] };
  }

  /** Platform: a vCPU became runnable; the longest sleeper wakes `wakeNs` from now. */
  wakeIdlePcpu(): void {
    const pcpu = this.sleepers.shift();
    if (pcpu === undefined) return;
    Atomics.sub(this.machine.i32, this.machine.layout.controlWord(CTRL.idle), 1);
    this.heap.push(pcpu, this.now + this.wakeNs);
  }

  async close(): Promise<void> {}
}
