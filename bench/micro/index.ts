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
import { parseArgs } from 'node:util';
import { checkOutputPath, writeJsonAtomically } from '../../src/io/output-file.js';
import { renderTable, type Column } from '../../src/report/text-table.js';
import { environment, hostIsBusy } from '../../src/stats/environment.js';
import { MICRO_COLUMNS, microSummary } from '../groups/micro/table.js';
import type { MicroRow } from '../suite/model.js';
import { sink } from './harness.js';
import { microTaskNames, runMicro } from './run.js';

const USAGE = `usage: node dist/bench/micro/index.js [options]
  --filter SUBSTRING  run only the benchmarks whose name contains SUBSTRING (case-insensitive)
  --time MS           measuring time per benchmark, ms (default 1500; warm-up is a third of it)
  --json FILE         also write the results, with the environment, to FILE
  --help              this text`;

/** A bad command line: printed as one line with the usage, exit code 2. */
class UsageError extends Error {}

/** The suite's micro columns, and the batch details behind each figure. */
const COLUMNS: readonly Column<MicroRow>[] = [
  ...MICRO_COLUMNS,
  { header: '±rme', cell: (r) => `${r.rme.toFixed(2)}%` },
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
  let jsonPath: string | undefined;
  try {
    jsonPath = values.json === undefined ? undefined : checkOutputPath(values.json);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }

  const started = performance.now();
  const report = await runMicro({ filter: values.filter, timeMs });
  const elapsedS = (performance.now() - started) / 1000;
  const { timer, loadAverage: load, rows } = report;

  const env = environment();
  console.log(`spinvisor micro-benchmarks — Node ${env.node}, ${env.cpuModel}, ${env.cores} cores`);
  // Other processes on the cores show up as slow batches: p99 first, then the medians.
  const busy = hostIsBusy(Math.max(load.before, load.after), env.cores);
  console.log(`load average (1 min): ${load.before.toFixed(2)} before, ${load.after.toFixed(2)} after${busy ? ' — the host is busy: figures are noisy' : ''}`);
  console.log(
    `timer: grain ${timer.grainNs.toFixed(0)} ns, one read ${timer.readNs.toFixed(0)} ns; each sample is the mean of one batch ` +
      `(ns/op p50/p99 = median / 99th percentile of the batch means)\n`,
  );
  console.log(renderTable(COLUMNS, rows));
  console.log('');
  for (const line of microSummary(report)) console.log(line);
  console.log(`(${rows.length} benchmark${rows.length === 1 ? '' : 's'} in ${elapsedS.toFixed(1)} s; checksum ${sink.value | 0})`);

  if (jsonPath !== undefined) {
    const out = {
      kind: 'spinvisor-micro-bench',
      date: new Date().toISOString(),
      environment: env,
      options: { filter: values.filter ?? null, timeMs, warmupMs: timeMs / 3 },
      timer,
      loadAverage: load,
      results: rows,
      nativeSpeed: report.nativeSpeed,
      switchCost: report.switchCost,
      notes: report.notes,
    };
    writeJsonAtomically(jsonPath, out);
    console.log(`wrote ${values.json}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`bench:micro: ${error.message}\n${USAGE}`);
    process.exit(2);
  }
  console.error(`bench:micro: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
