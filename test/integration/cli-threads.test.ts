/**
 * The command line's runs on the threads engine, in process (`main(argv, io)`,
 * test/helpers/cli.ts): short (≤ 300 ms) and at most 2 pCPUs, the cores this machine has.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Results } from '../../src/results/results.js';
import type { CompareResults } from '../../src/results/results-schema.js';
import { spinvisor } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-cli-threads-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('spinvisor runs', () => {
  it('runs a preset with overrides, prints the table and writes checked results JSON', async () => {
    const json = join(tmp, 'run.json');
    const outcome = await spinvisor('run', 'uncontended', '--duration-ms', '300', '--pcpus', '1', '--json', json);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/self-checks: all \d+ passed/);
    const results = JSON.parse(readFileSync(json, 'utf8')) as Results;
    expect(results.ok).toBe(true);
    expect(results.engine).toBe('threads');
    expect(results.config).toMatchObject({ pcpus: 1, durationMs: 300, mode: 'virtualized' });
    expect(results.environment).toMatchObject({ node: process.versions.node });
    expect(results.environment.cores).toBeGreaterThan(0);
    expect(results.selfChecks.length).toBeGreaterThan(0);
    for (const check of results.selfChecks) expect(Object.keys(check).sort()).toEqual(['detail', 'name', 'ok']);
    const vm = results.metrics.vms[0];
    expect(vm.name).toBe('guest');
    expect(vm.acquisitionsPerSec).toBeGreaterThan(0);
    for (const key of ['spinFraction', 'stealFraction', 'lockHolderPreemptions'] as const) expect(typeof vm[key], key).toBe('number');
    expect(results.metrics.pcpus).toHaveLength(1);
    expect(readdirTemps()).toEqual([]);
  });

  it('keeps the run table within 100 columns', async () => {
    const { stdout } = await spinvisor('run', 'contended', '--vms', '2', '--duration-ms', '200');
    const table = stdout.slice(0, stdout.indexOf('self-checks:'));
    for (const line of table.split('\n')) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('compares policies side by side with a ratio to the first', async () => {
    const json = join(tmp, 'compare.json');
    const outcome = await spinvisor('compare', 'contended', '--vms', '2', '--duration-ms', '200', '--json', json);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/vs naive/);
    expect(outcome.stdout).toMatch(/^all\s+naive\s/m);
    expect(outcome.stdout).toMatch(/^all\s+notify\s/m);
    const results = JSON.parse(readFileSync(json, 'utf8')) as CompareResults;
    expect(results.ok).toBe(true);
    expect(results.policies).toEqual(['naive', 'notify']);
    expect(results.runs.map((r) => r.config.vms.map((vm) => vm.policy))).toEqual([
      ['naive', 'naive'],
      ['notify', 'notify'],
    ]);
  });
});

/** Leftover temporary files of an atomic write. */
function readdirTemps(): string[] {
  return readdirSync(tmp).filter((name) => name.includes('.tmp-'));
}
