/** The terminal tables, over the results of one real short run (1 pCPU, two 1-vCPU VMs, 100 ms). */
import { beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/config/schema.js';
import { compareColumnsHelp, renderCompare } from '../../src/report/compare-table.js';
import { RUN_VM_COLUMNS, renderRun, runColumnsHelp } from '../../src/report/run-table.js';
import { simulate } from '../../src/simulate.js';
import type { Results } from '../../src/results/results.js';

let results: Results;
beforeAll(async () => {
  results = await simulate(
    parseScenario({
      pcpus: 1,
      durationMs: 100,
      scheduler: { sliceUs: 1000 },
      vms: [
        { name: 'alpha', vcpus: 1, workload: { locks: 2 } },
        { name: 'a-very-long-vm-name-that-is-32ch', vcpus: 1, workload: { locks: 2, lock: 'mcs' } },
      ],
    }),
  );
});

/** The lines above the self-check list: the part that must fit a 100-column terminal. */
const tablePart = (text: string) => text.slice(0, text.indexOf('self-checks:')).split('\n');

describe('run table', () => {
  it('fits 100 columns', () => {
    for (const line of tablePart(renderRun(results, { title: 'test' }))) expect(line.length, line).toBeLessThanOrEqual(100);
  });

  it('has a row per VM and an `all` row when there are several', () => {
    const text = renderRun(results);
    expect(text).toMatch(/^alpha\s+1\s+ticket\s+naive\s/m);
    expect(text).toMatch(/^a-very-long-v…\s+1\s+mcs\s/m);
    expect(text).toMatch(/^all\s+2\s+mixed\s+naive\s/m);
  });

  it('marks a failed self-check so it stands out', () => {
    const failed: Results = {
      ...results,
      ok: false,
      selfChecks: [{ name: 'mutual-exclusion', ok: false, detail: '3 updates lost' }, ...results.selfChecks.slice(1)],
    };
    const text = renderRun(failed);
    expect(text).toMatch(/self-checks: 1 of \d+ FAILED/);
    expect(text).toContain('✗ FAILED mutual-exclusion: 3 updates lost');
  });

  it('shows the run warnings in the table itself', () => {
    expect(renderRun({ ...results, warnings: ['host is busy'] })).toContain('! warning: host is busy');
  });

  it('explains every column in its help', () => {
    const help = runColumnsHelp();
    for (const column of RUN_VM_COLUMNS) expect(help).toMatch(new RegExp(`^  ${column.header.replace('/', '\\/')}\\s`, 'm'));
  });
});

describe('compare table', () => {
  it('gives the first policy a ratio of 1 and the others their throughput over it', () => {
    const doubled: Results = {
      ...results,
      metrics: {
        ...results.metrics,
        acquisitionsPerSec: 2 * results.metrics.acquisitionsPerSec,
        vms: results.metrics.vms.map((vm) => ({ ...vm, acquisitionsPerSec: 2 * vm.acquisitionsPerSec })),
      },
    };
    const text = renderCompare([
      { label: 'naive', results },
      { label: 'ticket · pv-halt+preempted-aware', results: doubled },
    ]);
    expect(text).toMatch(/^alpha\s+naive\s+\S+\s+1\.00×/m);
    expect(text).toMatch(/^alpha\s+ticket · pv-halt\+preempted-aware\s+\S+\s+2\.00×/m);
    expect(text).toMatch(/^all\s+ticket · pv-halt\+preempted-aware\s+\S+\s+2\.00×/m);
    expect(text).toMatch(/^ticket · pv-halt\+preempted-aware: /m);
  });

  it('names the baseline in its help', () => {
    expect(compareColumnsHelp()).toMatch(/vs <first>\s+acq\/s over the same VM's acq\/s/);
  });
});
