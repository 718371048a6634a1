/**
 * The refactor oracle: writes the virtual engine's results of every preset in three shapes and
 * of every virtual case of the full bench plan, seeds 1-3 (a case's own runs where it sets them),
 * one JSON file per run with `environment` left out, into a folder. A change that should alter
 * no behaviour leaves the folder byte-identical: run it before and after, then `diff -r`.
 *
 *   npm run identity -- /tmp/before            (on the old commit)
 *   npm run identity -- /tmp/after             (on the new one)
 *   diff -r /tmp/before /tmp/after && echo identical
 *
 * `--filter TEXT` (repeatable) keeps the runs whose name contains TEXT, as the bench's filter.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { planJobs } from '../bench/suite/plan.js';
import type { PlanContext } from '../bench/suite/job.js';
import { loadScenario } from '../src/config/load.js';
import type { Overrides } from '../src/config/overrides.js';
import { presetNames } from '../src/config/presets.js';
import type { Config } from '../src/config/schema.js';
import { simulate } from '../src/simulate.js';

/** The shapes every preset runs in: as written, two VMs (2× by more VMs), four vCPUs on two pCPUs (2× in one VM). */
const PRESET_SHAPES: readonly (readonly [string, Overrides])[] = [
  ['as-is', {}],
  ['2vms', { vms: 2 }],
  ['4vcpus-2pcpus', { pcpus: 2, vcpus: 4 }],
];
const SEEDS = [1, 2, 3] as const;
/** The full plan's context, as `npm run bench` builds it with its defaults, on the virtual engine only. */
const CONTEXT: PlanContext = { quick: false, runs: SEEDS.length, engines: ['virtual'], pcpus: 2, virtualMaxPcpus: 64 };

interface OracleRun {
  readonly name: string;
  readonly config: () => Config;
}

function oracleRuns(): OracleRun[] {
  const runs: OracleRun[] = [];
  for (const preset of presetNames())
    for (const [shape, overrides] of PRESET_SHAPES)
      for (const seed of SEEDS)
        runs.push({ name: `preset.${preset}.${shape}.seed${seed}`, config: () => loadScenario(preset, { ...overrides, engine: 'virtual', seed }) });
  for (const job of planJobs(CONTEXT, [])) {
    if (job.kind !== 'case' || job.engine !== 'virtual') continue;
    const count = job.runs ?? CONTEXT.runs;
    for (let seed = 1; seed <= count; seed++) runs.push({ name: `case.${job.id.replaceAll('/', '.')}.seed${seed}`, config: () => job.config(seed) });
  }
  return runs;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ options: { filter: { type: 'string', multiple: true } }, allowPositionals: true });
  const folder = positionals[0];
  if (folder === undefined || positionals.length > 1) throw new Error('usage: npm run identity -- FOLDER [--filter TEXT]...');
  const filters = (values.filter ?? []).map((f) => f.toLowerCase());
  const runs = oracleRuns().filter((r) => filters.length === 0 || filters.some((f) => r.name.toLowerCase().includes(f)));
  mkdirSync(folder, { recursive: true });
  const started = performance.now();
  for (const [i, run] of runs.entries()) {
    const { environment: _host, ...results } = await simulate(run.config());
    writeFileSync(join(folder, `${run.name}.json`), JSON.stringify(results, null, 2) + '\n');
    if ((i + 1) % 50 === 0) process.stderr.write(`${i + 1}/${runs.length}\n`);
  }
  console.log(`${runs.length} runs written to ${folder} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

main().catch((error: unknown) => {
  console.error(`identity: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
