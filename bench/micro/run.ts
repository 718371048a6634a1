/**
 * The micro-benchmark group as a library: which tasks there are, and one call that checks and
 * measures them with tinybench and returns the figures. Prints nothing: the `bench:micro` CLI
 * (index.ts) and the bench suite draw their own tables.
 */
import { loadavg } from 'node:os';
import { Bench } from 'tinybench';
import type { MicroReport, MicroRow } from '../suite/model.js';
import { agendaTasks } from './agenda.js';
import { coreStepTasks } from './core-step.js';
import { counterTasks } from './counters.js';
import { addBatched, type MicroTask, sink } from './harness.js';
import { hypercallTasks } from './hypercall.js';
import { lockTasks } from './locks.js';
import { NATIVE_PLAIN, NATIVE_SIMULATOR, nativeSpeedTasks } from './native-speed.js';
import { runQueueTasks } from './run-queue.js';
import { switchTasks } from './switch.js';
import { traceTasks } from './trace.js';

/** The issue's targets. */
const NATIVE_SPEED_TARGET = 0.9;
const SWITCH_TARGET_NS = 150;
const SWITCH_TASK = 'vCPU switch (step + switchDone)';

/** Every group, in table order. Each builds its own machines when called. */
const GROUPS: readonly (() => MicroTask[])[] = [
  lockTasks,
  runQueueTasks,
  switchTasks,
  traceTasks,
  hypercallTasks,
  coreStepTasks,
  agendaTasks,
  counterTasks,
  nativeSpeedTasks,
];

/** A substring of the benchmark names to run (case-insensitive), or several of which any may match. */
export type MicroFilter = string | readonly string[];

/** The tasks whose name contains `filter` (case-insensitive; all without one), freshly built. */
export function microTasks(filter?: MicroFilter): MicroTask[] {
  const needles = filter === undefined ? undefined : (typeof filter === 'string' ? [filter] : filter).map((f) => f.toLowerCase());
  return GROUPS.flatMap((group) => group()).filter((t) => needles === undefined || needles.some((n) => t.name.toLowerCase().includes(n)));
}

/** Names of the tasks `filter` selects, in table order. */
export function microTaskNames(filter?: MicroFilter): string[] {
  return microTasks(filter).map((t) => t.name);
}

/** The smallest positive step between two `performance.now()` readings, ns, and the cost of one reading. */
function timerGrain(): { grainNs: number; readNs: number } {
  let grain = Infinity;
  for (let i = 0; i < 2000; i++) {
    const a = performance.now();
    let b = performance.now();
    while (b === a) b = performance.now();
    if (b - a < grain) grain = b - a;
  }
  const n = 200_000;
  const t0 = performance.now();
  let acc = 0;
  for (let i = 0; i < n; i++) acc += performance.now();
  sink.value ^= acc & 1;
  return { grainNs: grain * 1e6, readNs: ((performance.now() - t0) / n) * 1e6 };
}

const oneLine = (error: unknown): string => (error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ');

/**
 * Checks, then measures, the tasks `filter` selects: each gets a warm-up of a third of `timeMs`
 * and then `timeMs` of batches (at least 64 of each). Throws a plain Error with a one-line
 * message when the filter selects nothing, a check fails or a measured batch fails.
 */
export async function runMicro(options: { filter?: MicroFilter; timeMs: number }): Promise<MicroReport> {
  const { filter, timeMs } = options;
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new Error(`micro: timeMs must be a positive number of ms, got ${timeMs}`);
  const tasks = microTasks(filter);
  if (tasks.length === 0) {
    const list = typeof filter === 'string' ? [filter] : (filter ?? []);
    throw new Error(`micro: filter ${list.map((f) => `"${f}"`).join(', ')} matches no benchmark`);
  }

  // Untimed: each batch does what its name says.
  for (const task of tasks) {
    try {
      task.check();
    } catch (error) {
      throw new Error(`micro: check of "${task.name}" failed: ${oneLine(error)}`, { cause: error });
    }
  }

  const loadBefore = loadavg()[0]!;
  const timer = timerGrain();
  const bench = new Bench({ name: 'spinvisor micro', time: timeMs, warmupTime: timeMs / 3, warmupIterations: 64, throws: true });
  for (const task of tasks) addBatched(bench, task);
  try {
    await bench.run();
  } catch (error) {
    throw new Error(`micro: ${oneLine(error)}`, { cause: error });
  }

  const rows: MicroRow[] = tasks.map((task) => {
    const result = bench.getTask(task.name)?.result;
    if (result?.state !== 'completed') throw new Error(`micro: ${task.name}: ${result?.state ?? 'missing'}`);
    const { latency, throughput } = result;
    const nsP50 = latency.p50 * 1e6;
    return {
      name: task.name,
      unit: task.unit,
      batch: task.batch,
      nsP50,
      nsP99: latency.p99 * 1e6,
      nsMean: latency.mean * 1e6,
      // Per operation too: every sample is a batch mean.
      nsMin: latency.min * 1e6,
      nsMax: latency.max * 1e6,
      opsP50: throughput.p50,
      samples: latency.samplesCount,
      batchUsP50: (nsP50 * task.batch) / 1000,
      rme: latency.rme,
    };
  });
  const loadAverage = { before: loadBefore, after: loadavg()[0]! };

  const byName = new Map(rows.map((r) => [r.name, r]));
  const plain = byName.get(NATIVE_PLAIN);
  const simulated = byName.get(NATIVE_SIMULATOR);
  let nativeSpeed: MicroReport['nativeSpeed'] = null;
  if (plain && simulated) {
    const ratio = simulated.opsP50 / plain.opsP50;
    nativeSpeed = { ratio, plainUnitsPerS: plain.opsP50, simulatorUnitsPerS: simulated.opsP50, target: NATIVE_SPEED_TARGET, met: ratio >= NATIVE_SPEED_TARGET };
  }
  const sw = byName.get(SWITCH_TASK);
  const switchCost: MicroReport['switchCost'] = sw ? { nsP50: sw.nsP50, target: SWITCH_TARGET_NS, met: sw.nsP50 <= SWITCH_TARGET_NS } : null;

  const notes: string[] = [];
  for (const task of tasks) if (task.note) notes.push(task.note());

  return { timer, loadAverage, timeMs, rows, nativeSpeed, switchCost, notes };
}
