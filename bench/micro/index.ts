/**
 * spinvisor micro-benchmarks (`npm run bench:micro`): lock fast paths, run-queue push+pop, a
 * vCPU switch, a core step, and the native-speed comparison, each batched so that a sample is
 * far above the timer's grain. Prints one table (per-operation latency p50 and p99, throughput
 * p50, samples, batch size and the batch's real duration), the native-speed ratio and the
 * switch-cost target; `--json FILE` writes the same figures with the environment.
 *
 *   node dist/bench/micro/index.js [--filter SUBSTRING] [--time MS] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { renderTable, type Column } from '../../src/report/text-table.js';
import { environment } from '../../src/stats/environment.js';
import { coreStepTasks } from './core-step.js';
import { addBatched, type MicroTask, sink } from './harness.js';
import { lockTasks } from './locks.js';
import { NATIVE_PLAIN, NATIVE_SIMULATOR, nativeSpeedTasks } from './native-speed.js';
import { runQueueTasks } from './run-queue.js';
import { switchTasks } from './switch.js';

/** The targets. */
const NATIVE_SPEED_TARGET = 0.9;
const SWITCH_TARGET_NS = 150;
const SWITCH_TASK = 'vCPU switch (step + switchDone)';

const USAGE = `usage: node dist/bench/micro/index.js [options]
  --filter SUBSTRING  run only the benchmarks whose name contains SUBSTRING (case-insensitive)
  --time MS           measuring time per benchmark, ms (default 1500; warm-up is a third of it)
  --json FILE         also write the results, with the environment, to FILE
  --help              this text`;

/** A bad command line: printed as one line with the usage, exit code 2. */
class UsageError extends Error {}

interface Row {
  readonly name: string;
  readonly unit: string;
  readonly batch: number;
  /** Per-operation latency, ns: median and 99th percentile of the batch means. */
  readonly nsP50: number;
  readonly nsP99: number;
  readonly nsMean: number;
  /** Operations per second, median over batches. */
  readonly opsP50: number;
  readonly samples: number;
  /** Real duration of one batch at the median, µs: how far a sample sits above the timer grain. */
  readonly batchUsP50: number;
  readonly rme: number;
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

const ns = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const si = (value: number): string => {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
};

const COLUMNS: readonly Column<Row>[] = [
  { header: 'benchmark', cell: (r) => r.name, align: 'left' },
  { header: 'op', cell: (r) => r.unit, align: 'left' },
  { header: 'ns/op p50', cell: (r) => ns(r.nsP50) },
  { header: 'ns/op p99', cell: (r) => ns(r.nsP99) },
  { header: 'ops/s p50', cell: (r) => si(r.opsP50) },
  { header: '±rme', cell: (r) => `${r.rme.toFixed(2)}%` },
  { header: 'samples', cell: (r) => String(r.samples) },
  { header: 'batch', cell: (r) => String(r.batch) },
  { header: 'batch µs', cell: (r) => r.batchUsP50.toFixed(0) },
];

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      options: {
        filter: { type: 'string' },
        time: { type: 'string', default: '1500' },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const timeMs = Number(values.time);
  if (!Number.isFinite(timeMs) || timeMs <= 0) throw new UsageError(`--time: expected a positive number of ms, got "${values.time}"`);
  const filter = values.filter?.toLowerCase();

  const groups: (() => MicroTask[])[] = [lockTasks, runQueueTasks, switchTasks, coreStepTasks, nativeSpeedTasks];
  const tasks = groups.flatMap((group) => group()).filter((t) => filter === undefined || t.name.toLowerCase().includes(filter));
  if (tasks.length === 0) throw new UsageError(`--filter "${values.filter}" matches no benchmark`);

  // Untimed: each batch does what its name says.
  for (const task of tasks) task.check();

  const loadBefore = loadavg()[0]!;
  const timer = timerGrain();
  const bench = new Bench({ name: 'spinvisor micro', time: timeMs, warmupTime: timeMs / 3, warmupIterations: 64, throws: true });
  for (const task of tasks) addBatched(bench, task);
  const started = performance.now();
  await bench.run();
  const elapsedS = (performance.now() - started) / 1000;

  const rows: Row[] = tasks.map((task) => {
    const result = bench.getTask(task.name)?.result;
    if (result === undefined || result.state !== 'completed') throw new Error(`${task.name}: ${result?.state ?? 'missing'}`);
    const { latency, throughput } = result;
    const nsP50 = latency.p50 * 1e6;
    return {
      name: task.name,
      unit: task.unit,
      batch: task.batch,
      nsP50,
      nsP99: latency.p99 * 1e6,
      nsMean: latency.mean * 1e6,
      opsP50: throughput.p50,
      samples: latency.samplesCount,
      batchUsP50: (nsP50 * task.batch) / 1000,
      rme: latency.rme,
    };
  });

  const env = environment();
  const load = { before: loadBefore, after: loadavg()[0]! };
  console.log(`spinvisor micro-benchmarks — Node ${env.node}, ${env.cpuModel}, ${env.cores} cores`);
  // Other processes on the cores show up as slow batches: p99 first, then the medians.
  const busy = Math.max(load.before, load.after) > env.cores / 2;
  console.log(`load average (1 min): ${load.before.toFixed(2)} before, ${load.after.toFixed(2)} after${busy ? ' — the host is busy: figures are noisy' : ''}`);
  console.log(
    `timer: grain ${timer.grainNs.toFixed(0)} ns, one read ${timer.readNs.toFixed(0)} ns; each sample is the mean of one batch ` +
      `(ns/op p50/p99 = median / 99th percentile of the batch means)\n`,
  );
  console.log(renderTable(COLUMNS, rows));
  console.log('');
  for (const task of tasks) if (task.note) console.log(task.note());

  const byName = new Map(rows.map((r) => [r.name, r]));
  const plain = byName.get(NATIVE_PLAIN);
  const simulated = byName.get(NATIVE_SIMULATOR);
  let nativeSpeed: { ratio: number; plainUnitsPerS: number; simulatorUnitsPerS: number; target: number; met: boolean } | null = null;
  if (plain && simulated) {
    const ratio = simulated.opsP50 / plain.opsP50;
    nativeSpeed = { ratio, plainUnitsPerS: plain.opsP50, simulatorUnitsPerS: simulated.opsP50, target: NATIVE_SPEED_TARGET, met: ratio >= NATIVE_SPEED_TARGET };
    console.log(
      `native speed: ${(ratio * 100).toFixed(1)}% (simulator ${si(simulated.opsP50)} units/s ÷ plain loop ${si(plain.opsP50)} units/s; ` +
        `target ≥ ${NATIVE_SPEED_TARGET * 100}%: ${nativeSpeed.met ? 'met' : 'NOT MET'})`,
    );
  }
  const sw = byName.get(SWITCH_TASK);
  let switchCost: { nsP50: number; target: number; met: boolean } | null = null;
  if (sw) {
    switchCost = { nsP50: sw.nsP50, target: SWITCH_TARGET_NS, met: sw.nsP50 <= SWITCH_TARGET_NS };
    console.log(`vCPU switch: ${ns(sw.nsP50)} ns median (target ≤ ${SWITCH_TARGET_NS} ns: ${switchCost.met ? 'met' : 'NOT MET'})`);
  }
  console.log(`(${tasks.length} benchmark${tasks.length === 1 ? '' : 's'} in ${elapsedS.toFixed(1)} s; checksum ${sink.value | 0})`);

  if (values.json !== undefined) {
    const out = {
      kind: 'spinvisor-micro-bench',
      date: new Date().toISOString(),
      environment: env,
      options: { filter: values.filter ?? null, timeMs, warmupMs: timeMs / 3 },
      timer,
      loadAverage: load,
      results: rows,
      nativeSpeed,
      switchCost,
    };
    writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`);
    console.log(`wrote ${values.json}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench:micro: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
