/**
 * `npm run bench`: the standard comparison, as whole simulations on the host's cores.
 *
 *   contended workload:   bare metal │ 1 VM (vCPUs = pCPUs) │ 2 VMs (2× overcommit),
 *                         each VM case under naive and notify
 *   uncontended workload: bare metal and 1 VM at 1 pCPU and at P pCPUs (scaling)
 *
 * Each case runs `--runs` times with different seeds; tables show the median and the spread
 * (min–max) of the runs. Results, with the environment, go to `--json` (default
 * bench-results.json). Exits 1 if any run failed a self-check.
 */
import { availableParallelism } from 'node:os';
import { choiceFlag, HELP_OPTION, integerFlag, parseFlags } from '../src/cli/flags.js';
import { checkJsonPath, writeJsonAtomically } from '../src/cli/json-output.js';
import { ConfigError, ENGINES, type Config, type EngineKind, type PolicyKind } from '../src/config/schema.js';
import { loadScenario } from '../src/config/load.js';
import { hostWarning, ThreadsEngine } from '../src/engine/threads.js';
import { simulate } from '../src/simulate.js';
import { renderTable, fmt, type Column } from '../src/report/text-table.js';
import { allVms } from '../src/report/totals.js';
import { environment } from '../src/stats/environment.js';
import type { Results } from '../src/stats/results.js';

const HELP = `npm run bench -- [options]

Runs the standard comparison on this host's cores and prints two tables:
  contended    bare metal, 1 VM with vCPUs = pCPUs, and 2 such VMs (2x overcommit),
               under naive spinning and Hyper-V's long-spin-wait notification
  uncontended  bare metal vs 1 VM at 1 pCPU and at all pCPUs (scaling)

Options:
  --pcpus N        pCPUs (default: the host's available cores, ${availableParallelism()} here)
  --runs N         runs per case, with seeds 1..N (default 3)
  --duration-ms N  simulated duration of each run (default 2000)
  --quick          1 run of 500 ms per case (a smoke test)
  --engine ENGINE  threads (default: real threads, real time) or virtual (virtual time, the
                   scenario's cost model; --pcpus may then exceed the host's cores)
  --json FILE      where to write the results (default bench-results.json)
  -h, --help       this text`;

interface Case {
  readonly table: 'contended' | 'uncontended';
  readonly name: string;
  readonly config: (seed: number) => Config;
}

interface CaseResult {
  readonly case: Case;
  readonly runs: Results[];
  /** Median and spread of the total acquisitions per second. */
  readonly throughput: Spread;
  readonly spinFraction: Spread;
  readonly stealFraction: Spread;
  readonly lockHolderPreemptions: Spread;
  readonly workUnitsPerSec: Spread;
}

interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

function cases(pcpus: number, durationMs: number, engine: EngineKind): Case[] {
  // The same overrides as the command line's: `--pcpus P --vms N --vcpus P --policy X`.
  const at = (preset: string, p: number, copies: number, policy: PolicyKind, mode: 'bare' | 'virtualized') => (seed: number) =>
    loadScenario(preset, { pcpus: p, vms: copies, vcpus: p, policy, mode, durationMs, seed, engine });
  const out: Case[] = [{ table: 'contended', name: 'bare metal', config: at('contended', pcpus, 1, 'naive', 'bare') }];
  for (const copies of [1, 2])
    for (const policy of ['naive', 'notify'] as const)
      out.push({ table: 'contended', name: `${copies} VM${copies > 1 ? 's' : ''} ${copies}x ${policy}`, config: at('contended', pcpus, copies, policy, 'virtualized') });
  for (const p of pcpus > 1 ? [1, pcpus] : [1]) {
    out.push({ table: 'uncontended', name: `bare metal, ${p} pCPU`, config: at('uncontended', p, 1, 'naive', 'bare') });
    out.push({ table: 'uncontended', name: `1 VM, ${p} pCPU`, config: at('uncontended', p, 1, 'naive', 'virtualized') });
  }
  return out;
}

const OPTIONS = {
  pcpus: { type: 'string' },
  runs: { type: 'string' },
  'duration-ms': { type: 'string' },
  quick: { type: 'boolean' },
  json: { type: 'string' },
  engine: { type: 'string' },
  ...HELP_OPTION,
} as const;

/** An integer flag within [min, max], or its default. */
function boundedFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  const n = integerFlag(flag, text) ?? fallback;
  if (n < min || n > max) throw new ConfigError(`--${flag}: expected an integer from ${min} to ${max}, got ${n}`);
  return n;
}

async function main(): Promise<number> {
  const { values, positionals } = parseFlags('bench', process.argv.slice(2), OPTIONS, 'npm run bench -- --help');
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`${positionals[0]}: unexpected argument (see npm run bench -- --help)`);
  const pcpus = boundedFlag('pcpus', values.pcpus, availableParallelism(), 1, 256);
  const runs = values.quick ? 1 : boundedFlag('runs', values.runs, 3, 1, 100);
  const durationMs = values.quick ? 500 : boundedFlag('duration-ms', values['duration-ms'], 2000, 50, 3_600_000);
  const jsonPath = checkJsonPath(values.json ?? 'bench-results.json');
  const engineKind = choiceFlag('engine', values.engine, ENGINES) ?? 'threads';

  const all = cases(pcpus, durationMs, engineKind);
  const time = engineKind === 'virtual' ? 'ms of virtual time' : 'ms';
  console.log(`spinvisor bench: ${pcpus} pCPUs, ${all.length} cases × ${runs} run(s) × ${durationMs} ${time}, ${engineKind} engine`);
  const warning = hostWarning(all[0]!.config(1));
  if (warning) console.error(`warning: ${warning}`);

  const threads = new ThreadsEngine();
  const results: CaseResult[] = [];
  let failed = 0;
  try {
    for (const [i, c] of all.entries()) {
      const runsOfCase: Results[] = [];
      for (let seed = 1; seed <= runs; seed++) {
        const result = await simulate(c.config(seed), threads);
        if (!result.ok) {
          failed++;
          for (const check of result.selfChecks.filter((s) => !s.ok)) console.error(`✗ ${c.name} (seed ${seed}): ${check.name}: ${check.detail}`);
        }
        runsOfCase.push(result);
      }
      const pick = (f: (r: Results) => number) => spread(runsOfCase.map(f));
      results.push({
        case: c,
        runs: runsOfCase,
        throughput: pick((r) => r.metrics.acquisitionsPerSec),
        workUnitsPerSec: pick((r) => r.metrics.workUnitsPerSec),
        spinFraction: pick((r) => r.metrics.spinFraction),
        stealFraction: pick((r) => r.metrics.stealFraction),
        lockHolderPreemptions: pick((r) => allVms(r.metrics).lockHolderPreemptions),
      });
      process.stdout.write(`  [${i + 1}/${all.length}] ${c.table}: ${c.name}\n`);
    }
  } finally {
    await threads.close();
  }

  printTables(results, engineKind);
  const output = { environment: environment(), options: { pcpus, runs, durationMs, engine: engineKind }, cases: results.map((r) => ({ table: r.case.table, name: r.case.name, throughput: r.throughput, workUnitsPerSec: r.workUnitsPerSec, spinFraction: r.spinFraction, stealFraction: r.stealFraction, lockHolderPreemptions: r.lockHolderPreemptions, runs: r.runs })) };
  writeJsonAtomically(jsonPath, output);
  console.log(`\nresults: ${values.json ?? 'bench-results.json'}`);
  if (failed > 0) console.error(`${failed} run(s) failed their self-checks`);
  return failed > 0 ? 1 : 0;
}

const withSpread = (s: Spread, f: (n: number) => string) => (s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`);

function printTables(results: CaseResult[], engine: EngineKind): void {
  const second = engine === 'virtual' ? 'virtual second' : 'second';
  const bare = (table: string, p?: number) =>
    results.find((r) => r.case.table === table && r.case.name.startsWith('bare metal') && (p === undefined || r.case.name.endsWith(`${p} pCPU`)));
  const contended = results.filter((r) => r.case.table === 'contended');
  const bareContended = bare('contended')!;
  const naiveOf = (r: CaseResult) => contended.find((o) => o.case.name === r.case.name.replace('notify', 'naive'));
  const columns: Column<CaseResult>[] = [
    { header: 'case', cell: (r) => r.case.name, align: 'left' },
    { header: 'acq/s (min–max)', cell: (r) => withSpread(r.throughput, fmt.si) },
    { header: 'spin %', cell: (r) => fmt.percent(r.spinFraction.median) },
    { header: 'steal %', cell: (r) => fmt.percent(r.stealFraction.median) },
    { header: 'LHP', cell: (r) => fmt.int(r.lockHolderPreemptions.median) },
    { header: 'VM/bare', cell: (r) => fmt.ratio(r.throughput.median / bareContended.throughput.median) },
    { header: 'vs naive', cell: (r) => (r.case.name.endsWith('notify') ? fmt.ratio(r.throughput.median / naiveOf(r)!.throughput.median) : '') },
  ];
  console.log(`\nContended workload (acquisitions per ${second}, all VMs together; median of runs)\n`);
  console.log(renderTable(columns, contended));

  const uncontended = results.filter((r) => r.case.table === 'uncontended');
  const one = (r: CaseResult) => uncontended.find((o) => o.case.name === r.case.name.replace(/\d+ pCPU$/, '1 pCPU'))!;
  const scaling: Column<CaseResult>[] = [
    { header: 'case', cell: (r) => r.case.name, align: 'left' },
    { header: 'acq/s (min–max)', cell: (r) => withSpread(r.throughput, fmt.si) },
    { header: 'work units/s', cell: (r) => fmt.si(r.workUnitsPerSec.median) },
    { header: 'speed-up', cell: (r) => fmt.ratio(r.throughput.median / one(r).throughput.median) },
    {
      header: 'VM/bare',
      cell: (r) => {
        const p = Number(/(\d+) pCPU$/.exec(r.case.name)![1]);
        return r.case.name.startsWith('bare') ? '' : fmt.percent(r.throughput.median / bare('uncontended', p)!.throughput.median);
      },
    },
  ];
  console.log('\nUncontended workload: scaling (median of runs)\n');
  console.log(renderTable(scaling, uncontended));
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`bench: ${message}`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
