/**
 * What the hypervisor needs from the engine that runs it: waking a sleeping pCPU. The threads
 * engine notifies a pCPU parked on Atomics.wait; the virtual engine schedules an event.
 *
 * The two optional members serve the global-lock scheduler (hv/schedulers/global-lock.ts), the
 * only hypervisor code whose cost is not the step's kind: time waiting for and holding its lock.
 */
export interface Platform {
  /** Called after a vCPU became runnable while some pCPU may be asleep. */
  wakeIdlePcpu(): void;
  /**
   * Virtual engine: the step being made took `ns` more than its kind costs (the global lock's
   * modelled wait and hold); the engine adds it to the step's cost.
   */
  chargeStepNs?(ns: number): void;
  /** Threads engine: the real clock, in ns, to time a pCPU's spin on the global lock (the core reads no clock). */
  clockNs?(): number;
}
