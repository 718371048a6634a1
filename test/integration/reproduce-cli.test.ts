/** `spinvisor reproduce` as a user meets it: a child process running src/cli/main.ts under tsx, virtual engine, short runs. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reproductionNames } from '../../src/reproduce/file.js';
import type { ReproductionResult } from '../../src/reproduce/run.js';
import { spinvisor } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-reproduce-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('spinvisor reproduce', () => {
  it('lists every shipped reproduction with its runs and rows', async () => {
    const out = await spinvisor('reproduce', '--list');
    expect(out.code).toBe(0);
    for (const name of reproductionNames()) expect(out.stdout).toMatch(new RegExp(`^${name}\\s+\\d+\\s+\\d+\\s+\\S`, 'm'));
  });

  it('runs one reproduction end to end: the published and simulated figures side by side with the verdict, and its JSON', async () => {
    const json = join(tmp, 'steal.json');
    const out = await spinvisor('reproduce', 'steal-time-2x', '--duration-ms', '40', '--json', json);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('source: http://www.stackdriver.com/understanding-cpu-steal-experiment/');
    expect(out.stdout).toMatch(/^steal, 2 VMs on 1 pCPU\s+share\s+0\.5 share\s+50\.0%\s+50\.0%\s+agrees$/m);
    expect(out.stdout).toContain('2 of 2 rows agree');
    const file = JSON.parse(readFileSync(json, 'utf8')) as { format: string; ok: boolean; reproductions: ReproductionResult[] };
    expect(file.format).toBe('spinvisor-reproduce/1');
    expect(file.reproductions[0]!.rows[0]!.simulated.ratio).toBeCloseTo(0.5, 2);
  });

  it('exits 0 and prints the finding when a row disagrees', async () => {
    // 1 VM of kvm with and without boost: no waiter halts on this workload, so the boost changes nothing (1.000×) against the published 1.168×.
    const out = await spinvisor('reproduce', 'wanpeng-li-boost-2019', '--duration-ms', '20');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^1 VM: boosting \/ vanilla\s+speedup\s+25040 \/ 21443 records\/s\s+1\.168×\s+1\.000×\s+DISAGREES in direction/m);
  });

  it('refuses an unknown reproduction in one line, exit 2', async () => {
    const out = await spinvisor('reproduce', 'nope');
    expect(out.code).toBe(2);
    expect(out.stdout).toBe('');
    expect(out.stderr.trimEnd().split('\n')).toEqual([`spinvisor: unknown reproduction "nope" (available: ${reproductionNames().join(', ')})`]);
  });
});
