/**
 * A sweep across machines, as examples/ runs it: one small virtual-engine plan (four groups,
 * two runs per case) run whole, and as 4 shards merged with `npm run bench -- merge`. The merged
 * file must hold the same results as the whole run, byte for byte, leaving out only what
 * differs by nature: when and where each part ran (createdAt, environments, every run's hostMs,
 * elapsedS) and which shards the file came from (plan.shardCount, plan.shards).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { SuiteResults } from '../../bench/suite/model.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-shards-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `npm run bench -- ARGS` from dist/ (the test setup builds it); fails the test on a non-zero exit. */
function bench(...args: string[]): void {
  const child = spawnSync(process.execPath, ['dist/bench/main.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  expect(child.status, child.stderr).toBe(0);
}

const PLAN = [
  '--quick',
  '--engine',
  'virtual',
  '--runs',
  '2',
  '--filter',
  'scaling/virtual/contended',
  '--filter',
  'overcommit/virtual/contended/ttas',
  '--filter',
  'sweep/virtual/contended/slice-us',
  '--filter',
  'schedulers/virtual',
];
const SHARDS = 4;

const read = (name: string) => JSON.parse(readFileSync(join(tmp, name), 'utf8')) as SuiteResults;

/** What must not depend on how the plan was split: everything but times, machines and shard numbers. */
function results(file: SuiteResults): string {
  const { createdAt: _when, environments: _where, elapsedS: _took, plan, cases, ...rest } = file;
  return JSON.stringify({
    ...rest,
    jobs: plan.jobs,
    cases: cases.map((c) => ({ ...c, runs: c.runs.map(({ hostMs: _hostMs, ...run }) => run) })),
  });
}

describe('a sweep split across machines', () => {
  it('run as 4 shards and merged, equals the same sweep run whole (virtual engine: byte-identical)', () => {
    bench(...PLAN, '--json', join(tmp, 'whole.json'));
    for (let i = 1; i <= SHARDS; i++) bench(...PLAN, '--shard', `${i}/${SHARDS}`, '--json', join(tmp, `part-${i}.json`));
    const parts = Array.from({ length: SHARDS }, (_, i) => read(`part-${i + 1}.json`));
    bench('merge', ...parts.map((_, i) => join(tmp, `part-${i + 1}.json`)), '--json', join(tmp, 'merged.json'));

    const whole = read('whole.json');
    const merged = read('merged.json');
    // Every shard ran part of the plan, and the parts are the whole plan, each job once.
    expect(parts.every((p) => p.cases.length > 0)).toBe(true);
    expect(parts.flatMap((p) => p.cases.map((c) => c.id)).sort()).toEqual(whole.cases.map((c) => c.id).sort());
    expect(whole.cases.length).toBe(20);
    expect(merged.plan).toEqual({ jobs: whole.plan.jobs, shardCount: SHARDS, shards: [1, 2, 3, 4] });
    expect(merged.environments).toHaveLength(SHARDS);
    expect(results(merged)).toBe(results(whole));
  });
});
