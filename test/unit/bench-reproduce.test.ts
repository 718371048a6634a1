/** The bench's reproduce group: its plan, and its cases, really run, in the terminal tables and the HTML report. */
import { beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../bench/report/html.js';
import { reproductionTables } from '../../bench/groups/reproduce/derive.js';
import type { CaseJob, PlanContext } from '../../bench/suite/job.js';
import type { CaseResult } from '../../bench/suite/model.js';
import { planJobs } from '../../bench/suite/plan.js';
import { runCase } from '../../bench/suite/run-case.js';
import { renderSuiteTables } from '../../bench/suite/tables.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { listReproductions } from '../../src/reproduce/file.js';
import { QUICK_DURATION_MS } from '../../src/reproduce/run.js';
import { buildSuiteResults } from '../fixtures/suite-results.js';

const context: PlanContext = { quick: false, runs: 3, engines: ['threads', 'virtual'], pcpus: 2, virtualMaxPcpus: 64 };

describe('the reproduce group', () => {
  it('plans every run of every shipped reproduction once, on the virtual engine, at the quick duration', () => {
    const jobs = planJobs(context, ['reproduce']) as CaseJob[];
    const expected = listReproductions().flatMap((r) => r.runs.map((run) => `reproduce/virtual/${r.name}/${run.id}`));
    expect(jobs.map((j) => j.id)).toEqual(expected);
    for (const job of jobs) {
      expect(job).toMatchObject({ group: 'reproduce', engine: 'virtual', runs: 1, durationMs: QUICK_DURATION_MS });
      expect(job.config(1).durationMs).toBe(QUICK_DURATION_MS);
    }
  });

  it('is skipped by --quick and without the virtual engine', () => {
    expect(planJobs({ ...context, quick: true }, []).some((j) => j.id.startsWith('reproduce/'))).toBe(false);
    expect(planJobs({ ...context, engines: ['threads'] }, []).some((j) => j.id.startsWith('reproduce/'))).toBe(false);
  });
});

describe('the reproduce group, end to end', () => {
  // The steal-time reproduction's two cases, really run (one seed, 50 virtual ms each), then rendered.
  let cases: CaseResult[];
  beforeAll(async () => {
    const threads = new ThreadsEngine();
    cases = [];
    try {
      for (const job of planJobs(context, ['reproduce/virtual/steal-time-2x'])) if (job.kind === 'case') cases.push(await runCase(job, 1, threads));
    } finally {
      await threads.close();
    }
  });

  it('derives each row from the cases and judges it', () => {
    const [table] = reproductionTables(cases);
    expect(table!.repro.name).toBe('steal-time-2x');
    expect(table!.rows.map((r) => [r.label, r.simulated.ratio.toFixed(2), r.verdict.magnitude])).toEqual([
      ['steal, 2 VMs on 1 pCPU', '0.50', true],
      ['steal, 4 VMs on 2 pCPUs', '0.50', true],
    ]);
  });

  it('prints a table of published against simulated in the terminal report', () => {
    const text = renderSuiteTables({ ...buildSuiteResults({ groups: [] }), cases });
    expect(text).toMatch(/^steal, 2 VMs on 1 pCPU\s+50\.0%\s+50\.0%\s+agrees$/m);
  });

  it('adds a section with the table and the source link to the HTML report', () => {
    const html = renderHtmlReport({ ...buildSuiteResults({ groups: [] }), cases });
    expect(html).toContain('href="#reproduce"');
    expect(html).toContain('data-reproduction="steal-time-2x"');
    expect(html).toContain('href="http://www.stackdriver.com/understanding-cpu-steal-experiment/"');
  });
});
