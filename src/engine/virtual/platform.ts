/**
 * The platform the virtual engine gives the hypervisor (hv/platform.ts): idle pCPUs leave the
 * agenda and sleep; the scheduler's wake-up puts the longest sleeper back `wakeNs` after the
 * step that made a vCPU runnable; and the global-lock scheduler's modelled lock time is added
 * to the step being made.
 *
 * Ownership: the step loop sets `now` before every step and takes the step's extra charge after
 * it; the cores' schedulers call `wakeIdlePcpu` and `chargeStepNs` during a step. The idle count
 * in the buffer (`CTRL.idle`) is kept here, both halves.
 */
import type { Platform } from '../../hv/platform.js';
import { CTRL, type Machine } from '../../shm/layout.js';
import type { Agenda } from './agenda.js';

export class VirtualPlatform implements Platform {
  /** The time of the step being made (set by the step loop before each step), ns. */
  now = 0;
  /** Sleeping pCPUs, in the order they fell asleep: the first is woken first. */
  private readonly sleepers: number[] = [];
  /** What the step being made costs beyond its kind (chargeStepNs); taken, and reset, after every step. */
  private stepExtraNs = 0;

  constructor(
    private readonly machine: Machine,
    private readonly agenda: Agenda,
    private readonly wakeNs: number,
  ) {}

  /** `pcpu`'s step found nothing to run: it leaves the agenda until a wake-up. */
  sleep(pcpu: number): void {
    this.agenda.remove(pcpu);
    // Partner: the scheduler's idle check before it calls wakeIdlePcpu.
    this.machine.memory.add(this.machine.memory.i32, this.machine.layout.controlWord(CTRL.idle), 1);
    this.sleepers.push(pcpu);
  }

  /** Platform: a vCPU became runnable; the longest sleeper wakes `wakeNs` from now. */
  wakeIdlePcpu(): void {
    const pcpu = this.sleepers.shift();
    if (pcpu === undefined) return;
    // Partner: the add when the pCPU fell asleep; the scheduler reads the count to decide to wake.
    this.machine.memory.add(this.machine.memory.i32, this.machine.layout.controlWord(CTRL.idle), -1);
    this.agenda.schedule(pcpu, this.now + this.wakeNs);
  }

  /** Platform: the step being made costs `ns` more (the global-lock scheduler's modelled lock). */
  chargeStepNs(ns: number): void {
    this.stepExtraNs += ns;
  }

  /** After a step: what it was charged beyond its kind, and none for the next. */
  takeStepExtraNs(): number {
    const extra = this.stepExtraNs;
    this.stepExtraNs = 0;
    return extra;
  }
}
