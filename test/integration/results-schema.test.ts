/**
 * Real results files against their schemas: `spinvisor run --json`, `spinvisor compare --json`
 * (virtual engine, short runs) and a tiny quick bench, each checked twice: with the zod schema
 * the code uses, and with the JSON Schema the programs print (`spinvisor schema NAME`,
 * `npm run bench -- schema`), read back into a validator. And a tampered bench file refused by
 * `--baseline` and `merge` with one line.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { SUITE_FORMAT, suiteResultsSchema } from '../../bench/suite/model.js';
import type { Results } from '../../src/results/results.js';
import { COMPARE_FORMAT, RESULTS_FORMAT } from '../../src/results/formats.js';
import { compareResultsSchema, resultsSchema } from '../../src/results/results-schema.js';
import { built } from '../helpers/cli.js';
import { withField, withoutField } from '../helpers/tamper.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-schema-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function node(script: string, args: readonly string[]): Outcome {
  const child = spawnSync(process.execPath, [built(script), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}
const spinvisor = (...args: string[]) => node('src/cli/main.ts', args);
const bench = (...args: string[]) => node('bench/main.ts', args);

/** A program's output file, which it must have written with exit 0. */
function written(outcome: Outcome, path: string): unknown {
  expect(outcome.code, outcome.stderr).toBe(0);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** A program's printed JSON Schema as a validator. `default` is dropped: a validator made from it would fill a missing field in. */
function validatorOf(outcome: Outcome): z.ZodType {
  expect(outcome.code, outcome.stderr).toBe(0);
  const schema = JSON.parse(outcome.stdout, (key, value: unknown) => (key === 'default' ? undefined : value)) as Parameters<typeof z.fromJSONSchema>[0];
  return z.fromJSONSchema(schema);
}

/** Passes both the zod schema and the printed JSON Schema; every problem listed when not. */
function expectValid(file: unknown, schema: z.ZodType, printed: z.ZodType): void {
  expect(schema.safeParse(file).error?.issues ?? []).toEqual([]);
  expect(printed.safeParse(file).error?.issues ?? []).toEqual([]);
}

describe('results files validate against their schemas', () => {
  it('spinvisor run --json', () => {
    const path = join(tmp, 'run.json');
    const file = written(spinvisor('run', 'contended', '--engine', 'virtual', '--duration-ms', '20', '--json', path), path) as Results;
    expect(file.format).toBe(RESULTS_FORMAT);
    const printed = validatorOf(spinvisor('schema', 'results'));
    expectValid(file, resultsSchema, printed);
    // Not vacuous: a counter or a defaulted scenario field missing, or a field added, fails both.
    const noSpins = withoutField(file, ['metrics', 'vcpus', 0, 'spins']);
    for (const bad of [noSpins, withoutField(file, ['config', 'seed']), withField(file, ['metrics', 'pcpus', 1, 'turbo'], 1)])
      expect(printed.safeParse(bad).success).toBe(false);
    expect(resultsSchema.safeParse(noSpins).success).toBe(false);
  });

  it('spinvisor compare --json', () => {
    const path = join(tmp, 'compare.json');
    const file = written(spinvisor('compare', 'contended', '--engine', 'virtual', '--duration-ms', '20', '--json', path), path) as {
      format: string;
      runs: { format: string }[];
    };
    expect(file.format).toBe(COMPARE_FORMAT);
    expect(file.runs.map((r) => r.format)).toEqual([RESULTS_FORMAT, RESULTS_FORMAT]);
    expectValid(file, compareResultsSchema, validatorOf(spinvisor('schema', 'compare')));
  });

  it('npm run bench -- --json (a case and a micro-benchmark)', () => {
    const path = join(tmp, 'bench.json');
    const file = written(
      bench('--quick', '--engine', 'virtual', '--filter', 'scaling/virtual/uncontended/vm/p2', '--filter', 'micro/counter', '--json', path),
      path,
    ) as {
      format: string;
      cases: unknown[];
      micro: unknown;
    };
    expect(file.format).toBe(SUITE_FORMAT);
    expect(file.cases).toHaveLength(1);
    expect(file.micro).not.toBeNull();
    expectValid(file, suiteResultsSchema, validatorOf(bench('schema')));
  });
});

describe('bench input files are checked with the schema', () => {
  it('refuses a tampered file with one line naming the field, for --baseline and for merge, exit 2', () => {
    const shard = join(tmp, 'shard.json');
    const file = written(bench('--quick', '--engine', 'virtual', '--filter', 'scaling/virtual/uncontended/vm/p2', '--json', shard), shard) as {
      cases: { runs: unknown }[];
    };
    file.cases[0]!.runs = 'many';
    const tampered = join(tmp, 'tampered.json');
    writeFileSync(tampered, JSON.stringify(file));
    for (const [outcome, flag] of [
      [bench('--baseline', tampered, '--list'), '--baseline'],
      [bench('merge', tampered, '--json', join(tmp, 'merged.json')), 'merge'],
    ] as const) {
      expect(outcome.code).toBe(2);
      expect(outcome.stderr.trimEnd().split('\n')).toEqual([`bench: ${flag}: ${tampered}: cases[0].runs: expected array, got string`]);
    }
  });
});
