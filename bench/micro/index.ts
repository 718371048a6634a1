/**
 * spinvisor micro-benchmarks (`npm run bench:micro`): lock fast paths, run-queue push+pop and
 * steal, a vCPU switch, a hypercall round trip, a core step, counter and histogram recording,
 * and the native-speed comparison, each batched so that a sample is far above the timer's
 * grain. A thin command line over `runMicro` (run.ts): prints one table (per-operation latency
 * p50 and p99, throughput p50, samples, batch size and the batch's real duration), the tasks'
 * notes, the native-speed ratio and the switch-cost target; `--json FILE` writes the same
 * figures with the environment.
 *
 *   node dist/bench/micro/index.js [--filter SUBSTRING] [--time MS] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { renderTable, type Column } from '../../src/report/text-table.js';
import { environment } from '../../src/stats/environment.js';
import type { MicroRow } from '../suite/model.js';
import { sink } from './harness.js';
import { NATIVE_PLAIN, NATIVE_SIMULATOR } from './native-speed.js';
import { microTaskNames, runMicro, SWITCH_TARGET_NS } from './run.js';

const USAGE = `usage: node dist/bench/micro/index.js [options]
  --filter SUBSTRING  run only the benchmarks whose name contains SUBSTRING (case-insensitive)
  --time MS           measuring time per benchmark, ms (default 1500; warm-up is a third of it)
  --json FILE         also write the results, with the environment, to FILE
  --help              this text`;

/** A bad command line: printed as one line with the usage, exit code 2. */
class UsageError extends Error {}

const ns = (value: number): string => (value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2));
const si = (value: number): string => {
  if (value >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
  if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
  if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
  return value.toFixed(0);
};

const COLUMNS: readonly Column<MicroRow>[] = [
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
  if (microTaskNames(values.filter).length === 0) throw new UsageError(`--filter "${values.filter}" matches no benchmark`);

  const started = performance.now();
  const report = await runMicro({ filter: values.filter, timeMs });
  const elapsedS = (performance.now() - started) / 1000;
  const { timer, loadAverage: load, rows } = report;

  const env = environment();
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
  for (const note of report.notes) console.log(note);

  const byName = new Map(rows.map((r) => [r.name, r]));
  const plain = byName.get(NATIVE_PLAIN);
  const simulated = byName.get(NATIVE_SIMULATOR);
  let nativeSpeed: { ratio: number; plainUnitsPerS: number; simulatorUnitsPerS: number; target: number; met: boolean } | null = null;
  if (report.nativeSpeed && plain && simulated) {
    const { ratio, target, met } = report.nativeSpeed;
    nativeSpeed = { ratio, plainUnitsPerS: plain.opsP50, simulatorUnitsPerS: simulated.opsP50, target, met };
    console.log(
      `native speed: ${(ratio * 100).toFixed(1)}% (simulator ${si(simulated.opsP50)} units/s ÷ plain loop ${si(plain.opsP50)} units/s; ` +
        `target ≥ ${target * 100}%: ${met ? 'met' : 'NOT MET'})`,
    );
  }
  const switchCost = report.switchCost;
  if (switchCost) console.log(`vCPU switch: ${ns(switchCost.nsP50)} ns median (target ≤ ${SWITCH_TARGET_NS} ns: ${switchCost.met ? 'met' : 'NOT MET'})`);
  console.log(`(${rows.length} benchmark${rows.length === 1 ? '' : 's'} in ${elapsedS.toFixed(1)} s; checksum ${sink.value | 0})`);

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
      notes: report.notes,
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
