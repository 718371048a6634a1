/**
 * The threads engine's watchdog: a pCPU that stops making steps while the run goes on (a
 * livelock in a policy, a loop that never returns to the engine, a thread the host no longer
 * runs) would otherwise leave the run to its end with one pCPU silently missing. Every pCPU
 * bumps its `steps` counter each core step, and an idle one wakes at least every 20 ms (the
 * sleep backstop, pcpu-loop.ts) and steps, so a counter that has not moved for
 * `STALL_LIMIT_MS` means the pCPU is stuck.
 *
 * The main thread looks `STALL_LIMIT_MS / 4` apart: a few wake-ups a second, which the lock
 * figures do not feel (a main thread waking every millisecond does). The counter is a plain
 * f64 the pCPU writes and the main thread reads without synchronisation: a stale or torn value
 * differs from the last one, and counts as movement, so it can delay a verdict but not fake one.
 */
import { PC } from '../events/table.js';
import type { Machine } from '../shm/layout.js';
import { RunFault } from './run-fault.js';

/** How long a pCPU's step counter may stand still before the run is stopped, in ms. */
const STALL_LIMIT_MS = 2000;

export interface Watchdog {
  /** Rejects with a `RunFault` naming the first pCPU found stuck; never resolves. */
  readonly stalled: Promise<never>;
  stop(): void;
}

export function watchPcpus(machine: Machine, stallLimitMs = STALL_LIMIT_MS): Watchdog {
  const { f64, layout } = machine;
  const steps = (p: number) => f64[layout.pcpuCounterBase(p) + PC.steps]!;
  const last = Array.from({ length: layout.pcpus }, (_, p) => steps(p));
  const since = new Array<number>(layout.pcpus).fill(performance.now());
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const now = performance.now();
      for (let p = 0; p < layout.pcpus; p++) {
        const count = steps(p);
        if (count !== last[p]) {
          last[p] = count;
          since[p] = now;
        } else if (now - since[p]! >= stallLimitMs) {
          clearInterval(timer);
          reject(new RunFault(p, `pCPU ${p} made no step for ${Math.round(now - since[p]!)} ms (a livelock or a hang): the watchdog stopped the run`));
          return;
        }
      }
    }, stallLimitMs / 4);
  });
  // The verdict is read by whoever races it; never an unhandled rejection.
  stalled.catch(() => undefined);
  return { stalled, stop: () => clearInterval(timer) };
}
