/**
 * What the hypervisor needs from the engine that runs it: waking a sleeping pCPU. The threads
 * engine notifies a pCPU parked on Atomics.wait; the virtual engine schedules an event.
 */
export interface Platform {
  /** Called after a vCPU became runnable while some pCPU may be asleep. */
  wakeIdlePcpu(): void;
}
