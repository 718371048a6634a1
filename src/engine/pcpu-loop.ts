/**
 * The threads engine's per-pCPU loop, run inside a worker: meet the other pCPUs at the start
 * barrier, then drive the core step with the real clock until the stop word is set, sleeping
 * on Atomics.wait when there is nothing to run.
 */
import { parseScenario, type Config } from '../config/schema.js';
import { initMachine, openRun } from '../core/init.js';
import type { EnginePort } from '../core/engine-port.js';
import { PcpuCore } from '../core/pcpu-core.js';
import { STEP } from '../core/step.js';
import type { Platform } from '../hv/platform.js';
import { Machine } from '../shm/layout.js';
import { CTRL } from '../shm/layout.js';

/** Backstop for a sleeping pCPU, in ms: it looks for work again even if no wake-up came. */
const SLEEP_BACKSTOP_MS = 20;

export const clockNs = (): number => performance.now() * 1e6;

/**
 * Wakes one sleeping pCPU. Sleep word protocol (per pCPU, PCPU_SHARED.sleep): the sleeper
 * stores 1, increments CTRL.idle, looks at the queues once more, then waits while the word is
 * 1; a waker CASes 1 → 0 and notifies. Partner: `sleep` below.
 */
class ThreadsPlatform implements Platform {
  constructor(private readonly machine: Machine) {}
  /** For the global-lock scheduler's time spinning on its lock (hv/platform.ts). */
  clockNs(): number {
    return clockNs();
  }
  wakeIdlePcpu(): void {
    const { i32, layout } = this.machine;
    for (let p = 0; p < layout.pcpus; p++) {
      const word = layout.pcpuSleepWord(p);
      if (Atomics.compareExchange(i32, word, 1, 0) === 1) {
        Atomics.notify(i32, word, 1);
        return;
      }
    }
  }
}

/** Switch-and-run rounds a pCPU thread does on a scratch machine before the first run of a code shape. */
const WARM_UP_ROUNDS = 3000;

/**
 * The code shapes this thread has warmed up: V8's optimised code stays with the thread across
 * the runs of a pool, but a run whose locks, policies or host mechanisms differ reaches other
 * classes at the same call sites, so it warms up again (compare, reproduce and the bench mix
 * them; the tests mostly repeat one).
 */
const warmedShapes = new Set<string>();

/** What decides which classes a run's call sites see: each VM's lock and policy, the scheduler and its host-side mechanisms, the mode. */
function codeShape(config: Config): string {
  const s = config.scheduler;
  return JSON.stringify([config.mode, s.policy, s.reaction, s.ple, s.boost, config.vms.map((vm) => [vm.workload.lock, vm.policy])]);
}

/**
 * JIT warm-up, outside the measurement, once per pCPU thread and code shape (the pool's threads
 * serve the runs after it warm): a vCPU switch happens a few hundred times a second, so
 * V8 would optimise the switch path only seconds into a run, and the first seconds would
 * charge interpreter time to the hypervisor. Drives a core over a private copy of the
 * scenario (one pCPU, tiny slices), so that the same classes reach the same call sites.
 */
function warmUp(machine: Machine): void {
  // Notify or halt after every spin, so the hypercall paths (yield or directed yield; halt and
  // kick) warm up too.
  const vms = machine.config.vms.map((vm) => ({ ...structuredClone(vm), spinThreshold: 1, haltThreshold: 1 }));
  const config = parseScenario({
    ...structuredClone(machine.config),
    vms,
    pcpus: 1,
    mode: 'virtualized',
    scheduler: { ...machine.config.scheduler, sliceUs: 10 },
  });
  const scratch = Machine.allocate(config);
  initMachine(scratch);
  openRun(scratch, 0);
  const core: EnginePort = new PcpuCore(scratch, 0, { wakeIdlePcpu() {} }, { calibrate: true });
  let now = 0;
  core.start(now);
  for (let round = 0; round < WARM_UP_ROUNDS; round++) {
    now += 20_000;
    if (core.step(now) === STEP.SWITCHED) core.switchDone(now);
    now += 1;
    core.step(now);
  }
}

/** `onStarted` (test-only fault injection, test-fault.ts) runs once the start barrier has opened. */
export function runPcpu(machine: Machine, pcpu: number, onStarted?: () => void): void {
  const { i32, layout } = machine;
  // Before the barrier: the first slice of the run is not measured cold.
  const shape = codeShape(machine.config);
  if (!warmedShapes.has(shape)) {
    warmUp(machine);
    warmedShapes.add(shape);
  }
  const core: EnginePort = new PcpuCore(machine, pcpu, new ThreadsPlatform(machine), { calibrate: true });
  const stopWord = layout.controlWord(CTRL.stop);
  const goWord = layout.controlWord(CTRL.go);
  const idleWord = layout.controlWord(CTRL.idle);
  const sleepWord = layout.pcpuSleepWord(pcpu);

  // Start barrier: the last pCPU to arrive opens the run for everyone.
  if (Atomics.add(i32, layout.controlWord(CTRL.ready), 1) + 1 === layout.pcpus) {
    openRun(machine, clockNs());
    Atomics.store(i32, goWord, 1);
    Atomics.notify(i32, goWord);
  } else {
    while (Atomics.load(i32, goWord) === 0) Atomics.wait(i32, goWord, 0, 1000);
  }
  onStarted?.();

  let now = clockNs();
  core.start(now);
  while (Atomics.load(i32, stopWord) === 0) {
    const status = core.step(now);
    if (status === STEP.SWITCHED) core.switchDone(clockNs());
    else if (status === STEP.IDLE) {
      // Announce, then look once more: a requeue that missed the announcement is seen here.
      Atomics.store(i32, sleepWord, 1);
      Atomics.add(i32, idleWord, 1);
      const again = core.step(clockNs());
      if (again === STEP.IDLE && Atomics.load(i32, stopWord) === 0) {
        core.noteSleep();
        Atomics.wait(i32, sleepWord, 1, SLEEP_BACKSTOP_MS);
      }
      Atomics.store(i32, sleepWord, 0);
      Atomics.sub(i32, idleWord, 1);
      if (again === STEP.SWITCHED) core.switchDone(clockNs());
    }
    now = clockNs();
  }
  core.finish(clockNs());
}
