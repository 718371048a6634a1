import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadScenario } from '../../src/config/load.js';
import { isPolicySpec } from '../../src/config/policy-spec.js';
import { presetNames } from '../../src/config/presets.js';
import { LOCK_KINDS } from '../../src/config/schema.js';
import { MECHANISMS, mechanismLabel } from '../../src/config/mechanisms.js';
import { SYSTEMS } from '../../src/config/systems.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { environment } from '../../src/stats/environment.js';
import { renderHtmlReport } from '../../bench/report/html.js';
import { checkSuiteFile, compareWithBaseline, formatDelta } from '../../bench/suite/baseline.js';
import { hypervisorShare, spread } from '../../bench/suite/derive.js';
import { SUITE_GROUPS } from '../../bench/groups/index.js';
import { overcommitRows } from '../../bench/groups/overcommit/derive.js';
import { BASELINE_MECHANISM, PRESET_MECHANISMS, QUICK_MECHANISMS } from '../../bench/groups/overcommit/mechanisms.js';
import { scalingSeries } from '../../bench/groups/scaling/derive.js';
import { schedulerClaim, schedulerRows } from '../../bench/groups/schedulers/derive.js';
import { describeKnee, sweepCurves } from '../../bench/groups/sweeps/derive.js';
import { systemsClaim, systemsMatrices } from '../../bench/groups/systems/derive.js';
import type { CaseJob, PlanContext } from '../../bench/suite/job.js';
import { mergeShards } from '../../bench/suite/merge.js';
import {
  CASE_METRICS,
  SUITE_FORMAT,
  type CaseParams,
  type CaseResult,
  type OvercommitParams,
  type SchedulerParams,
  type Spread,
  type SuiteResults,
  type SweepParams,
  type SystemParams,
} from '../../bench/suite/model.js';
import { applyFilters, parseShard, planJobs, shardJobs } from '../../bench/suite/plan.js';
import { createProgress, Eta, formatDuration } from '../../bench/suite/progress.js';
import { runCase } from '../../bench/suite/run-case.js';
import { renderBaselineTable, renderSuiteTables } from '../../bench/suite/tables.js';
import { MAX_COLUMNS, wrap } from '../../bench/suite/text-format.js';
import { buildSuiteResults } from '../fixtures/suite-results.js';

const context: PlanContext = { quick: false, runs: 3, engines: ['threads', 'virtual'], pcpus: 2, virtualMaxPcpus: 64 };
/** `--quick`: one run per case, the virtual engine up to 16 pCPUs. */
const quickContext: PlanContext = { ...context, quick: true, runs: 1, virtualMaxPcpus: 16 };

/** Every line of a terminal table fits MAX_COLUMNS. */
function expectWithinColumns(text: string): void {
  for (const line of text.split('\n')) expect(line.length, line).toBeLessThanOrEqual(MAX_COLUMNS);
}

const point = (median: number, width = 0): Spread => ({ median, min: median - width, max: median + width });

/** A case with every metric at `acq` throughput (and small shares), one VM per entry of `vms`. */
function fakeCase(id: string, params: CaseParams, acq: Spread, vms: number[] = [acq.median], engine: 'threads' | 'virtual' = 'threads'): CaseResult {
  const metrics = Object.fromEntries(CASE_METRICS.map((m) => [m.name, m.name === 'acquisitionsPerSec' ? acq : point(m.name.endsWith('Fraction') ? 0.05 : 10)]));
  return {
    id,
    group: params.kind === 'scheduler' ? 'schedulers' : params.kind === 'system' ? 'systems' : params.kind === 'reproduction' ? 'reproduce' : params.kind,
    engine,
    label: id,
    params,
    durationMs: 1000,
    metrics: metrics as CaseResult['metrics'],
    vms: vms.map((v, i) => ({ name: `vm${i}`, vcpus: 2, weight: 1, acquisitionsPerSec: point(v) })),
    runs: [],
  };
}

function suiteFile(cases: CaseResult[], shards = [1], shardCount = 1, jobs = cases.map((c) => c.id)): SuiteResults {
  return {
    format: SUITE_FORMAT,
    createdAt: '2026-01-01T00:00:00.000Z',
    environments: [],
    options: { quick: false, runs: 3, engines: ['threads'], pcpus: 2, filters: [] },
    plan: { jobs, shardCount, shards },
    micro: null,
    cases,
    elapsedS: 1,
  };
}

describe('the mechanisms of the overcommit matrix', () => {
  it('name locks and policies the scenario schema accepts, each pair once, the baseline first', () => {
    for (const m of MECHANISMS) {
      expect(LOCK_KINDS, m.lock).toContain(m.lock);
      expect(isPolicySpec(m.policy), m.policy).toBe(true);
      expect(() => loadScenario('contended', { lock: m.lock, policy: m.policy }), mechanismLabel(m)).not.toThrow();
      expect(m.ships.length, mechanismLabel(m)).toBeGreaterThan(10);
      expect(m.ships, mechanismLabel(m)).not.toContain('\n');
    }
    const labels = MECHANISMS.map(mechanismLabel);
    expect(new Set(labels).size).toBe(labels.length);
    expect(BASELINE_MECHANISM).toBe(MECHANISMS[0]);
    expect(mechanismLabel(BASELINE_MECHANISM)).toBe('ticket · naive');
    for (const m of [...PRESET_MECHANISMS, ...QUICK_MECHANISMS]) expect(MECHANISMS).toContain(m);
  });

  it("are bench/README.md's table of who ships what, row for row", () => {
    const readme = readFileSync(new URL('../../bench/README.md', import.meta.url), 'utf8');
    const rows = readme.split('\n').filter((line) => /^\| `[^`]+ · [^`]+` \|/.test(line));
    expect(rows).toEqual(MECHANISMS.map((m) => `| \`${mechanismLabel(m)}\` | ${m.ships} |`));
  });
});

describe('suite plan', () => {
  const jobs = planJobs(context, []);

  it('gives every job a unique id', () => {
    const ids = jobs.map((j) => j.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  const overcommitJobs = (ctx: PlanContext) => planJobs(ctx, []).filter((j): j is CaseJob => j.kind === 'case' && j.group === 'overcommit');
  const pairOf = (job: CaseJob) => mechanismLabel(job.params as OvercommitParams);

  it('runs every mechanism on the contended preset, on the threads engine at --pcpus and the virtual engine at 16 pCPUs', () => {
    const overcommit = overcommitJobs(context);
    for (const [engine, pcpus] of [
      ['threads', 2],
      ['virtual', 16],
    ] as const) {
      const matrix = overcommit.filter((j) => j.engine === engine && (j.params as OvercommitParams).preset === 'contended');
      expect(new Set(matrix.map(pairOf))).toEqual(new Set(MECHANISMS.map(mechanismLabel)));
      for (const m of MECHANISMS) {
        const tails = matrix
          .filter((j) => pairOf(j) === mechanismLabel(m))
          .map((j) => j.id.slice(`overcommit/${engine}/contended/${m.lock}/${m.policy}/`.length));
        expect(tails).toEqual(['1x', `alone-v${pcpus / 2}`, 'vms/1.5x', 'vcpus/1.5x', 'vms/2x', 'vcpus/2x', 'vms/3x', 'vcpus/3x']);
      }
      for (const job of matrix) {
        const params = job.params as OvercommitParams;
        expect(params.pcpus).toBe(pcpus);
        const config = job.config(1);
        expect(config.pcpus).toBe(pcpus);
        expect(config.engine).toBe(engine);
        for (const vm of config.vms) expect(vm).toMatchObject({ vcpus: params.vcpusPerVm, policy: params.policy, workload: { lock: params.lock } });
      }
    }
  });

  it('runs every other shipped preset under the baseline and one enlightened pair, on the host engine only', () => {
    const overcommit = overcommitJobs(context);
    for (const preset of presetNames().filter((p) => p !== 'contended')) {
      const jobs = overcommit.filter((j) => (j.params as OvercommitParams).preset === preset);
      expect(new Set(jobs.map((j) => j.engine))).toEqual(new Set(['threads']));
      expect([...new Set(jobs.map(pairOf))]).toEqual(PRESET_MECHANISMS.map(mechanismLabel));
      expect(jobs).toHaveLength(PRESET_MECHANISMS.length * 8);
    }
    // --engine virtual: the virtual engine is the host engine, at 16 pCPUs or --pcpus if larger.
    const virtual = overcommitJobs({ ...context, engines: ['virtual'], pcpus: 32 });
    expect(new Set(virtual.map((j) => (j.params as OvercommitParams).preset))).toEqual(new Set(presetNames()));
    expect(new Set(virtual.map((j) => (j.params as OvercommitParams).pcpus))).toEqual(new Set([32]));
  });

  it('keeps --quick to four mechanisms at 1× and 2× on the host engine', () => {
    const quick = overcommitJobs(quickContext);
    expect(new Set(quick.map((j) => j.engine))).toEqual(new Set(['threads']));
    const matrix = quick.filter((j) => (j.params as OvercommitParams).preset === 'contended');
    expect([...new Set(matrix.map(pairOf))]).toEqual(['ticket · naive', 'ttas · notify', 'unfair-queued · pv-halt', 'preemptable-ticket · naive']);
    expect(matrix.filter((j) => pairOf(j) === 'ttas · notify').map((j) => j.id)).toEqual([
      'overcommit/threads/contended/ttas/notify/1x',
      'overcommit/threads/contended/ttas/notify/vms/2x',
      'overcommit/threads/contended/ttas/notify/vcpus/2x',
    ]);
    expect(quick).toHaveLength(3 * (4 + 2 * (presetNames().length - 1)));
  });

  it('gives every overcommit case an id of its engine, preset, lock, policy and shape', () => {
    for (const job of overcommitJobs(context)) {
      const p = job.params as OvercommitParams;
      expect(job.id).toMatch(
        new RegExp(`^overcommit/${job.engine}/${p.preset}/${p.lock}/${p.policy.replace(/\+/g, '\\+')}/(1x|alone-v\\d+|(vms|vcpus)/[\\d.]+x)$`),
      );
    }
    expect(planJobs(context, []).map((j) => j.id)).toContain('overcommit/virtual/contended/unfair-queued/pv-halt+preempted-aware/vcpus/3x');
  });

  it('keeps a full run under 17½ minutes and a quick one near half a minute, by the estimates', () => {
    const minutes = (ctx: PlanContext) => planJobs(ctx, []).reduce((s, j) => s + j.estimateMs, 0) / 60_000;
    // 15 minutes before the systems and reproduce groups: the systems group's cases are estimated at 1.9 minutes for five
    // named systems from their measured cost, each further system adds 16 cases, about 22 s (esxi: 17.1 minutes), and the
    // reproduce group's 28 runs add 8 s (17.2 minutes).
    expect(minutes(context)).toBeLessThan(17.5);
    expect(minutes(quickContext)).toBeLessThan(1);
  });

  it('scales the threads engine to --pcpus and the virtual engine to 64 pCPUs', () => {
    const ids = jobs.map((j) => j.id);
    expect(ids).toContain('scaling/threads/uncontended/vm/p2');
    expect(ids).not.toContain('scaling/threads/uncontended/vm/p4');
    expect(ids).toContain('scaling/virtual/contended/bare/p64');
  });

  it('sweeps the spin threshold over 2^6..2^16 and the slice over 100 µs..30 ms', () => {
    const sweep = jobs.filter((j) => j.group === 'sweep').map((j) => j.id);
    expect(sweep.filter((id) => id.includes('spin-threshold'))).toHaveLength(11);
    expect(sweep).toContain('sweep/threads/contended/slice-us/100');
    expect(sweep).toContain('sweep/threads/contended/slice-us/30000');
  });

  it("sweeps pv-halt's halt threshold over 2^4..2^16 at 1× (1 VM of P vCPUs) and 2× (2 VMs), on the contended preset", () => {
    for (const quick of [false, true]) {
      const halt = planJobs({ ...context, quick }, []).filter(
        (j): j is CaseJob => j.kind === 'case' && j.params.kind === 'sweep' && j.params.variable === 'haltThreshold',
      );
      const values = quick ? [2 ** 4, 2 ** 10, 2 ** 16] : Array.from({ length: 13 }, (_, i) => 2 ** (4 + i));
      for (const vms of [1, 2]) {
        const shape = halt.filter((j) => (j.params as SweepParams).vms === vms);
        expect(shape.map((j) => j.id)).toEqual(values.map((v) => `sweep/threads/contended/halt-threshold/${vms}x/${v}`));
        for (const job of shape) {
          const params = job.params as SweepParams;
          expect(params).toMatchObject({ preset: 'contended', policy: 'pv-halt', pcpus: context.pcpus, vms, vcpusPerVm: context.pcpus });
          // Half the suite's duration in a full run (the time budget), the suite's shortest in a quick one.
          expect(job.durationMs).toBe(quick ? 200 : 500);
          const config = job.config(1);
          expect(config.pcpus).toBe(context.pcpus);
          expect(config.vms).toHaveLength(vms);
          for (const vm of config.vms) expect(vm).toMatchObject({ policy: 'pv-halt', haltThreshold: params.value, vcpus: context.pcpus });
        }
      }
      expect(halt).toHaveLength(2 * values.length);
    }
  });

  it('keeps every notify sweep at 2× under its id of before', () => {
    const notify = jobs.filter((j): j is CaseJob => j.kind === 'case' && j.params.kind === 'sweep' && j.params.policy === 'notify');
    expect(notify).toHaveLength(17);
    for (const job of notify) expect(job.params).toMatchObject({ vms: 2, vcpusPerVm: 2 });
    expect(notify.map((j) => j.id)).toContain('sweep/threads/contended/spin-threshold/4096');
  });

  it('compares rr and global-lock at 2, 16 and 64 virtual pCPUs and the host pCPUs on threads, 100 µs and 1 ms slices, under stable ids', () => {
    const schedulers = jobs.filter((j): j is CaseJob => j.kind === 'case' && j.group === 'schedulers');
    const ids = (engine: string, pcpus: readonly number[], slices: readonly number[]) =>
      pcpus.flatMap((p) => slices.flatMap((s) => ['rr', 'global-lock'].map((policy) => `schedulers/${engine}/${policy}/p${p}/s${s}`)));
    expect(schedulers.map((j) => j.id)).toEqual([...ids('threads', [2], [100, 1000]), ...ids('virtual', [2, 16, 64], [100, 1000])]);
    for (const job of schedulers) {
      const params = job.params as SchedulerParams;
      expect(job.id).toBe(`schedulers/${job.engine}/${params.policy}/p${params.pcpus}/s${params.sliceUs}`);
      // 2× overcommit: one VM of 2P vCPUs, the contended preset, the case's scheduler and slice.
      const config = job.config(1);
      expect(config).toMatchObject({ engine: job.engine, pcpus: params.pcpus, mode: 'virtualized' });
      expect(config.scheduler).toMatchObject({ policy: params.policy, sliceUs: params.sliceUs });
      expect(config.vms).toHaveLength(1);
      expect(config.vms[0]!.vcpus).toBe(2 * params.pcpus);
      expect(config.vms[0]!.workload).toEqual(loadScenario('contended').vms[0]!.workload);
    }
    // --quick: the virtual engine at 2 and 16 pCPUs and 100 µs slices only; nothing without the virtual engine.
    expect(planJobs(quickContext, ['schedulers']).map((j) => j.id)).toEqual(ids('virtual', [2, 16], [100]));
    expect(SUITE_GROUPS.find((g) => g.name === 'schedulers')!.jobs({ ...quickContext, engines: ['threads'] })).toEqual([]);
  });

  const systemJobs = (ctx: PlanContext, filters: string[] = []) =>
    planJobs(ctx, filters).filter((j): j is CaseJob => j.kind === 'case' && j.group === 'systems');

  it('runs every named system at 1×, 1.5×, 2× and 3× on default and contended, bare metal once, virtual at 16 pCPUs and threads at --pcpus', () => {
    const virtualized = SYSTEMS.filter((s) => s.mode === 'virtualized').map((s) => s.name);
    const bare = SYSTEMS.filter((s) => s.mode === 'bare').map((s) => s.name);
    expect(bare).toEqual(['bare-metal']);
    const ids = (engine: string, preset: string) => [
      ...SYSTEMS.flatMap((s) =>
        s.mode === 'bare' ? [`systems/${engine}/${preset}/${s.name}`] : ['1', '1.5', '2', '3'].map((r) => `systems/${engine}/${preset}/${s.name}/${r}x`),
      ),
    ];
    const jobs = systemJobs(context);
    expect(jobs.map((j) => j.id)).toEqual([
      ...ids('threads', 'default'),
      ...ids('threads', 'contended'),
      ...ids('virtual', 'default'),
      ...ids('virtual', 'contended'),
    ]);
    expect(jobs).toHaveLength(2 * 2 * (bare.length + 4 * virtualized.length));
    for (const job of jobs) {
      const p = job.params as SystemParams;
      const pcpus = job.engine === 'virtual' ? 16 : context.pcpus;
      const config = job.config(1);
      expect(config).toMatchObject({ engine: job.engine, pcpus });
      const profile = SYSTEMS.find((s) => s.name === p.system)!;
      if (profile.mode === 'bare') {
        // The machine itself: the preset's workload, one vCPU per pCPU.
        expect(p).toMatchObject({ ratio: 1, pcpus, vms: 1, vcpusPerVm: pcpus });
        expect(config.mode).toBe('bare');
        expect(config.vms).toHaveLength(1);
        expect(config.vms[0]!.workload).toEqual(loadScenario(p.preset).vms[0]!.workload);
        continue;
      }
      // More VMs: P vCPUs each, 1.5× as 3 VMs of P/2; every VM the profile's guest, the host its scheduler.
      expect(p.vms * p.vcpusPerVm).toBe(p.ratio * pcpus);
      expect(p.vcpusPerVm).toBe(p.ratio === 1.5 ? pcpus / 2 : pcpus);
      expect(config.mode).toBe('virtualized');
      expect(config.vms).toHaveLength(p.vms);
      for (const vm of config.vms) expect(vm).toMatchObject({ vcpus: p.vcpusPerVm, policy: profile.guest.policy, workload: { lock: profile.guest.lock } });
      expect(config.scheduler).toMatchObject(profile.host);
    }
  });

  it('keeps --quick to the virtual engine at 2× on the contended preset, and to nothing without it', () => {
    expect(systemJobs(quickContext).map((j) => j.id)).toEqual(
      SYSTEMS.map((s) => (s.mode === 'bare' ? `systems/virtual/contended/${s.name}` : `systems/virtual/contended/${s.name}/2x`)),
    );
    expect(SUITE_GROUPS.find((g) => g.name === 'systems')!.jobs({ ...quickContext, engines: ['threads'] })).toEqual([]);
  });

  it('narrows the systems matrix by --filter: one engine and preset, or one system', () => {
    const table = applyFilters(planJobs(context, []), ['systems/virtual/contended']);
    expect(table).toHaveLength(1 + 4 * (SYSTEMS.length - 1));
    expect(table.every((j) => j.id.startsWith('systems/virtual/contended/'))).toBe(true);
    expect(systemJobs(context, ['systems/threads/default/kvm/']).map((j) => j.id)).toEqual(
      ['1', '1.5', '2', '3'].map((r) => `systems/threads/default/kvm/${r}x`),
    );
  });

  it('describes every group in one --help line of at most 100 columns', () => {
    for (const group of SUITE_GROUPS) expect(`  ${group.name.padEnd(11)}${group.summary}`.length, group.name).toBeLessThanOrEqual(100);
  });

  it('builds valid scenarios for every case job', () => {
    for (const job of jobs) if (job.kind === 'case') expect(() => job.config(1)).not.toThrow();
  });

  it('keeps only jobs whose id contains a filter, and narrows the micro job with micro/NAME', () => {
    const kept = applyFilters(jobs, ['overcommit/threads/contended/ttas/notify']);
    expect(kept).toHaveLength(8);
    expect(kept.every((j) => j.id.startsWith('overcommit/threads/contended/ttas/notify/'))).toBe(true);
    const micro = applyFilters(jobs, ['micro/switch']);
    expect(micro).toHaveLength(1);
    expect(micro[0]).toMatchObject({ kind: 'micro', filters: ['switch'] });
    expect(applyFilters(jobs, ['micro/switch', 'micro/ticket'])[0]).toMatchObject({ kind: 'micro', filters: ['switch', 'ticket'] });
  });

  it('rejects a filter that matches nothing, naming it', () => {
    expect(() => applyFilters(jobs, ['no-such-case'])).toThrow(/--filter: "no-such-case" matches no job/);
  });

  it('splits the plan into disjoint shards that cover it', () => {
    const parts = [1, 2, 3].map((index) => shardJobs(jobs, { index, count: 3 }));
    const all = parts.flat().map((j) => j.id);
    expect(all.sort()).toEqual(jobs.map((j) => j.id).sort());
    const loads = parts.map((p) => p.reduce((s, j) => s + j.estimateMs, 0));
    expect(Math.max(...loads) / Math.min(...loads)).toBeLessThan(1.5);
  });

  it('parses --shard i/n', () => {
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  });

  it.each(['0/4', '5/4', 'two'])('rejects --shard %s', (spec) => {
    expect(() => parseShard(spec)).toThrow(/--shard/);
  });
});

describe('derived figures', () => {
  it('computes speed-up, efficiency and VM/bare per pCPU count', () => {
    const sc = (mode: 'bare' | 'virtualized', pcpus: number, acq: number) =>
      fakeCase(`scaling/threads/u/${mode}/p${pcpus}`, { kind: 'scaling', workload: 'u', mode, pcpus }, point(acq));
    const [series] = scalingSeries([sc('bare', 1, 100), sc('virtualized', 1, 98), sc('bare', 2, 200), sc('virtualized', 2, 190)]);
    const two = series!.points[1]!;
    expect(two.speedupBare).toBeCloseTo(2);
    expect(two.speedupVm).toBeCloseTo(190 / 98);
    expect(two.efficiencyVm).toBeCloseTo(190 / 98 / 2);
    expect(two.vmOverBare).toBeCloseTo(0.95);
  });

  it('measures each VM against its 1× value and its fair share', () => {
    const oc = (ratio: number, vms: number, vcpusPerVm: number, perVm: number[]) =>
      fakeCase(
        `oc/${ratio}/${vms}`,
        { kind: 'overcommit', preset: 'p', lock: 'ticket', policy: 'naive', shape: 'vms', ratio, pcpus: 2, vms, vcpusPerVm },
        point(perVm.reduce((a, b) => a + b)),
        perVm,
      );
    const rows = overcommitRows([oc(1, 1, 2, [100]), oc(0.5, 1, 1, [60]), oc(2, 2, 2, [40, 30]), oc(1.5, 3, 1, [20, 20, 20])]);
    const [row] = rows;
    const two = row!.cells.find((c) => c.params.ratio === 2)!;
    expect(two.perVmVsOneX.mean).toBeCloseTo(0.35);
    expect(two.perVmVsOneX.min).toBeCloseTo(0.3);
    // Two equal VMs: each is entitled to half the machine.
    expect(two.perVmVsFairShare.mean).toBeCloseTo(0.7);
    const oneHalf = row!.cells.find((c) => c.params.ratio === 1.5)!;
    // A 1-vCPU VM alone did 60; three of them share 2 pCPUs, 2/3 of a pCPU each.
    expect(oneHalf.perVmVsOneX.mean).toBeCloseTo(20 / 60);
    expect(oneHalf.perVmVsFairShare.mean).toBeCloseTo(20 / 60 / (2 / 3));
    expect(row!.cells.map((c) => c.params.ratio)).toEqual([1, 1.5, 2]);
  });

  it('takes the hypervisor cost from virtualized cases at their own settings, not from bare metal or sweeps', () => {
    const withHv = (c: CaseResult, hv: number): CaseResult => ({ ...c, metrics: { ...c.metrics, hvFraction: point(hv) } });
    const vm = withHv(fakeCase('vm', { kind: 'scaling', workload: 'u', mode: 'virtualized', pcpus: 2 }, point(1)), 0.004);
    const bare = withHv(fakeCase('bare', { kind: 'scaling', workload: 'u', mode: 'bare', pcpus: 2 }, point(1)), 0.5);
    const sweep = withHv(
      fakeCase('sweep', { kind: 'sweep', preset: 'c', policy: 'notify', variable: 'spinThreshold', value: 64, pcpus: 2, vms: 2, vcpusPerVm: 2 }, point(1)),
      0.1,
    );
    const hv = hypervisorShare([vm, bare, sweep]);
    expect(hv.cases).toBe(1);
    expect(hv.worst?.id).toBe('vm');
    expect(hv.share.max).toBe(0.004);
  });

  const sys = (
    engine: 'threads' | 'virtual',
    preset: string,
    system: SystemParams['system'],
    ratio: number,
    perVm: number[],
    weights?: number[],
  ): CaseResult => {
    const bare = system === 'bare-metal';
    const c = fakeCase(
      bare ? `systems/${engine}/${preset}/${system}` : `systems/${engine}/${preset}/${system}/${ratio}x`,
      { kind: 'system', preset, system, ratio, pcpus: 4, vms: perVm.length, vcpusPerVm: bare ? 4 : (ratio * 4) / perVm.length },
      point(perVm.reduce((a, b) => a + b)),
      perVm,
      engine,
    );
    return weights ? { ...c, vms: c.vms.map((vm, i) => ({ ...vm, weight: weights[i]! })) } : c;
  };

  it('measures each system against bare metal on the same engine and preset: all VMs over bare, each VM over its weighted share of bare', () => {
    const matrices = systemsMatrices([
      sys('virtual', 'c', 'kvm', 2, [60, 40]),
      sys('virtual', 'c', 'bare-metal', 1, [100]),
      sys('virtual', 'c', 'hyperv-ws2003', 3, [10, 20, 30]),
      sys('virtual', 'c', 'kvm', 1, [90]),
      // Weights 3:1 entitle the first VM to 3/4 of bare metal's throughput.
      sys('virtual', 'c', 'xen-credit', 2, [150, 50], [768, 256]),
      sys('threads', 'c', 'bare-metal', 1, [10]),
      sys('threads', 'c', 'kvm', 2, [5, 5]),
    ]);
    expect(matrices.map((m) => `${m.engine}/${m.preset}`)).toEqual(['virtual/c', 'threads/c']);
    const [virtual, threads] = matrices;
    expect(virtual!.bare?.id).toBe('systems/virtual/c/bare-metal');
    expect(virtual!.ratios).toEqual([1, 2, 3]);
    // Rows in the systems list's order, bare metal the reference and not a row.
    expect(virtual!.rows.map((r) => r.system)).toEqual(['hyperv-ws2003', 'kvm', 'xen-credit']);
    const kvm = virtual!.rows.find((r) => r.system === 'kvm')!;
    expect(kvm.cells.map((c) => c.params.ratio)).toEqual([1, 2]);
    expect(kvm.cells[0]!.totalVsBare).toBeCloseTo(0.9);
    expect(kvm.cells[1]!.totalVsBare).toBeCloseTo(1);
    // Two equal VMs: a fair share is half of bare metal's 100.
    expect(kvm.cells[1]!.perVmVsFair.mean).toBeCloseTo(1);
    expect(kvm.cells[1]!.perVmVsFair.min).toBeCloseTo(0.8);
    const ws2003 = virtual!.rows.find((r) => r.system === 'hyperv-ws2003')!.cells[0]!;
    expect(ws2003.totalVsBare).toBeCloseTo(0.6);
    expect(ws2003.perVmVsFair.min).toBeCloseTo(10 / (100 / 3));
    const xen = virtual!.rows.find((r) => r.system === 'xen-credit')!.cells[0]!;
    expect(xen.totalVsBare).toBeCloseTo(2);
    expect(xen.perVmVsFair.min).toBeCloseTo(50 / 25);
    expect(xen.perVmVsFair.mean).toBeCloseTo((150 / 75 + 50 / 25) / 2);
    // Each engine against its own bare metal.
    expect(threads!.rows[0]!.cells[0]!.totalVsBare).toBeCloseTo(1);
  });

  it('leaves a system cell without a figure when bare metal did not run, never a made-up one', () => {
    const [matrix] = systemsMatrices([sys('virtual', 'c', 'kvm', 2, [60, 40])]);
    expect(matrix!.bare).toBeUndefined();
    expect(matrix!.rows[0]!.cells[0]!.totalVsBare).toBeNaN();
    expect(matrix!.rows[0]!.cells[0]!.perVmVsFair.min).toBeNaN();
    expect(systemsClaim(matrix!)).toBe('');
  });

  it('names the best and worst system at the highest ratio, and an enlightened guest that does no better than a naive one', () => {
    const [matrix] = systemsMatrices([
      sys('virtual', 'c', 'bare-metal', 1, [100]),
      sys('virtual', 'c', 'kvm-no-pv', 2, [68, 68]),
      sys('virtual', 'c', 'kvm', 2, [68, 67]),
      sys('virtual', 'c', 'hyperv-ws2008', 2, [90, 90]),
    ]);
    const claim = systemsClaim(matrix!);
    expect(claim).toContain("At 2× overcommit the best is hyperv-ws2008 (1.80× bare metal's throughput) and the worst kvm (1.35×)");
    expect(claim).toContain('an enlightened guest does no better than a naive one: kvm 1.35× vs kvm-no-pv 1.36× at 2×');
    expect(claim).not.toContain('hyperv-ws2008 1.80× vs');
  });

  it('states the knee where the plateau ends and the curve falls most', () => {
    const text = describeKnee('spinThreshold', [
      { x: 64, y: 50 },
      { x: 256, y: 80 },
      { x: 1024, y: 98 },
      { x: 4096, y: 100 },
      { x: 16384, y: 97 },
    ]);
    expect(text).toContain('best at spin threshold 2^12');
    expect(text).toContain('from 2^10 to 2^14');
    expect(text).toContain('falls to 50% at 2^6');
    expect(text).toContain('The knee is at 2^10.');
  });

  it('calls a flat curve flat', () => {
    expect(
      describeKnee('sliceUs', [
        { x: 100, y: 99 },
        { x: 1000, y: 100 },
      ]),
    ).toContain('flat over the whole sweep');
  });

  it('takes the median of an even count as the mean of the middle two', () => {
    expect(spread([4, 1, 3, 2])).toEqual({ median: 2.5, min: 1, max: 4 });
  });
});

describe('the results schema', () => {
  it("accepts a scheduler case's params and global-lock's lock wait, and refuses a policy the group does not compare", () => {
    const file = JSON.parse(JSON.stringify(buildSuiteResults({ groups: ['schedulers'] }))) as SuiteResults;
    expect(file.format).toBe('spinvisor-bench/6');
    expect(checkSuiteFile(file, 'sched.json').cases).toHaveLength(16);
    const first = file.cases[0]!;
    const withParams = (params: unknown) => ({ ...file, cases: [{ ...first, params }] });
    expect(() => checkSuiteFile(withParams({ ...first.params, policy: 'credit' }), 'sched.json')).toThrow(/cases\[0\]\.params\.policy/);
    expect(() => checkSuiteFile(withParams({ ...first.params, slice: 100 }), 'sched.json')).toThrow(/cases\[0\]\.params/);
    const { globalLockSpins: _dropped, ...metrics } = first.metrics;
    expect(() => checkSuiteFile({ ...file, cases: [{ ...first, metrics }] }, 'sched.json')).toThrow(/globalLockSpins/);
  });
});

describe('the results schema of the systems group', () => {
  it("accepts a system case's params, and refuses a system the profiles' list lacks", () => {
    const file = JSON.parse(JSON.stringify(buildSuiteResults({ groups: ['systems'] }))) as SuiteResults;
    const cases = checkSuiteFile(file, 'systems.json').cases;
    expect(cases).toHaveLength(2 * 2 * (1 + 4 * (SYSTEMS.length - 1)));
    expect(new Set(cases.map((c) => c.group))).toEqual(new Set(['systems']));
    const first = file.cases[0]!;
    const withParams = (params: unknown) => ({ ...file, cases: [{ ...first, params }] });
    expect(() => checkSuiteFile(withParams({ ...first.params, system: 'vmware-workstation' }), 'systems.json')).toThrow(/cases\[0\]\.params\.system/);
    expect(() => checkSuiteFile({ ...file, cases: [{ ...first, group: 'system' }] }, 'systems.json')).toThrow(/cases\[0\]\.group/);
  });
});

describe('baseline comparison', () => {
  const scaling: CaseParams = { kind: 'scaling', workload: 'u', mode: 'bare', pcpus: 1 };
  it('flags a change only when the run ranges do not overlap', () => {
    const before = suiteFile([fakeCase('a', scaling, point(100, 5)), fakeCase('b', scaling, point(100, 5))]);
    const after = suiteFile([fakeCase('a', scaling, point(108, 5)), fakeCase('b', scaling, point(120, 5))]);
    const { deltas } = compareWithBaseline(after, before);
    const acq = (id: string) => deltas.find((d) => d.id === id && d.metric === 'acquisitionsPerSec')!;
    expect(acq('a').flagged).toBe(false);
    expect(acq('b').flagged).toBe(true);
    expect(acq('b').better).toBe(true);
    expect(formatDelta(acq('b'))).toBe('+20.0%!');
  });

  it('reports shares in percentage points and lists cases present on one side only', () => {
    const before = suiteFile([fakeCase('a', scaling, point(100)), fakeCase('gone', scaling, point(1))]);
    const after = suiteFile([fakeCase('a', scaling, point(100)), fakeCase('new', scaling, point(1))]);
    const comparison = compareWithBaseline(after, before);
    expect(comparison.deltas.find((d) => d.metric === 'spinFraction')!.unit).toBe('pp');
    expect(comparison.onlyInBaseline).toEqual(['gone']);
    expect(comparison.onlyInCurrent).toEqual(['new']);
  });
});

describe('baseline table', () => {
  it('has a column per headline figure, within 100 columns, and names the flagged changes it leaves out', () => {
    const params: CaseParams = {
      kind: 'overcommit',
      preset: 'contended',
      lock: 'unfair-queued',
      policy: 'pv-halt+preempted-aware',
      shape: 'vms',
      ratio: 2,
      pcpus: 2,
      vms: 2,
      vcpusPerVm: 2,
    };
    const id = 'overcommit/threads/contended/unfair-queued/pv-halt+preempted-aware/vms/2x';
    const withHalts = (c: CaseResult, halts: Spread): CaseResult => ({ ...c, metrics: { ...c.metrics, halts } });
    const before = suiteFile([withHalts(fakeCase(id, params, point(100, 1)), point(1000, 10))]);
    const after = suiteFile([withHalts(fakeCase(id, params, point(150, 1)), point(2000, 10))]);
    const text = renderBaselineTable(compareWithBaseline(after, before));
    expectWithinColumns(text);
    expect(text).toMatch(/^case +acq\/s +spin % +steal % +hv % +LHP +LWP$/m);
    expect(text.replace(/\n/g, ' ')).toContain(
      '2 change(s) beyond the spread: 1 worse, 1 better (1 of them in figures the table leaves out: halts; see --json).',
    );
  });
});

describe('merging shards', () => {
  const scaling: CaseParams = { kind: 'scaling', workload: 'u', mode: 'bare', pcpus: 1 };
  const jobs = ['x', 'y', 'z'];
  const shard = (index: number, ids: string[]) => ({
    path: `s${index}.json`,
    results: suiteFile(
      ids.map((id) => fakeCase(id, scaling, point(1))),
      [index],
      2,
      jobs,
    ),
  });

  it('combines every shard, in plan order', () => {
    const merged = mergeShards([shard(2, ['y']), shard(1, ['z', 'x'])]);
    expect(merged.cases.map((c) => c.id)).toEqual(['x', 'y', 'z']);
    expect(merged.plan.shards).toEqual([1, 2]);
    expect(merged.elapsedS).toBe(2);
  });

  it('names a missing shard, a duplicate and a shard of another plan', () => {
    expect(() => mergeShards([shard(1, ['x'])])).toThrow('merge: shard 2/2 missing');
    expect(() => mergeShards([shard(1, ['x']), shard(1, ['y'])])).toThrow(/shard 1\/2 is also in s1.json/);
    const other = { path: 'o.json', results: suiteFile([], [2], 2, ['x']) };
    expect(() => mergeShards([shard(1, ['x']), other])).toThrow(/o.json: planned with other options/);
  });
});

describe('progress', () => {
  const job = (id: string, estimateMs: number): CaseJob => ({
    kind: 'case',
    id,
    group: 'scaling',
    engine: 'threads',
    label: id,
    params: { kind: 'scaling', workload: 'u', mode: 'bare', pcpus: 1 },
    durationMs: 1,
    config: () => {
      throw new Error('unused');
    },
    estimateMs,
  });

  it('scales the time left by how real times compared with the estimates', () => {
    const jobs = [job('a', 1000), job('b', 3000)];
    const eta = new Eta(jobs);
    eta.done(jobs[0]!, 2000);
    expect(eta.leftMs()).toBe(6000);
  });

  it('writes one plain line per finished job when not on a terminal', () => {
    const lines: string[] = [];
    const jobs = [job('a', 1000), job('b', 1000)];
    const progress = createProgress(jobs, { isTTY: false, write: (t) => lines.push(t) > 0 });
    for (const j of jobs) {
      progress.jobStarted(j);
      progress.jobDone(j, 1500);
    }
    expect(lines).toEqual(['  [1/2] a (1.5 s, about 2s left)\n', '  [2/2] b (1.5 s)\n']);
  });

  it('redraws one line in place on a terminal', () => {
    let text = '';
    const jobs = [job('scaling/threads/u/bare/p1', 1000)];
    const progress = createProgress(jobs, { isTTY: true, columns: 80, write: (t) => (text += t).length > 0 });
    progress.jobStarted(jobs[0]!);
    progress.runDone(1, 2);
    expect(text).toContain('\r\x1b[2K[');
    expect(text).toContain('1/1');
    expect(text).not.toContain('\n');
  });

  it('formats durations for people', () => {
    expect(formatDuration(42_000)).toBe('42s');
    expect(formatDuration(185_000)).toBe('3m05s');
  });
});

describe('terminal tables', () => {
  it(`fit ${MAX_COLUMNS} columns`, () => {
    const cases: CaseResult[] = [];
    for (const p of [1, 2])
      for (const mode of ['bare', 'virtualized'] as const)
        cases.push(
          fakeCase(`scaling/threads/uncontended/${mode}/p${p}`, { kind: 'scaling', workload: 'uncontended', mode, pcpus: p }, point(123_456 * p, 2345)),
        );
    for (const { lock, policy } of MECHANISMS)
      for (const [shape, ratio, vms, v] of [
        ['vms', 1, 1, 2],
        ['vms', 0.5, 1, 1],
        ['vms', 1.5, 3, 1],
        ['vms', 2, 2, 2],
        ['vms', 3, 3, 2],
        ['vcpus', 3, 1, 6],
      ] as const)
        cases.push(
          fakeCase(
            `overcommit/threads/contended/${lock}/${policy}/${shape}/${ratio}`,
            { kind: 'overcommit', preset: 'contended', lock, policy, shape, ratio, pcpus: 2, vms, vcpusPerVm: v },
            point(98_765 * (lock === 'ticket' && policy === 'naive' ? 1 : 1.07), 12_345),
            new Array<number>(vms).fill(98_765 / vms),
          ),
        );
    for (const t of [64, 4096, 65536])
      cases.push(
        fakeCase(
          `sweep/threads/contended/spin-threshold/${t}`,
          { kind: 'sweep', preset: 'contended', policy: 'notify', variable: 'spinThreshold', value: t, pcpus: 2, vms: 2, vcpusPerVm: 2 },
          point(100_000 + t, 9999),
        ),
      );
    for (const vms of [1, 2])
      for (const t of [16, 1024, 65536])
        cases.push(
          fakeCase(
            `sweep/threads/contended/halt-threshold/${vms}x/${t}`,
            { kind: 'sweep', preset: 'contended', policy: 'pv-halt', variable: 'haltThreshold', value: t, pcpus: 2, vms, vcpusPerVm: 2 },
            point(345_678 + t, 12_345),
          ),
        );
    const text = renderSuiteTables(suiteFile(cases));
    expectWithinColumns(text);
    expect(text).toContain('Scaling, threads engine, uncontended workload');
    expect(text).toContain('Overcommit, threads engine, contended workload');
    // A heading line per mechanism, in the list's order, its rows under it; then each one's cost at 1×.
    const headings = text.split('\n').filter((line) => MECHANISMS.some((m) => line === mechanismLabel(m)));
    expect(headings).toEqual(MECHANISMS.map(mechanismLabel));
    expect(text).toMatch(/^ticket · naive\n {2}VMs +1× +1×2 /m);
    expect(text.replace(/\n/g, ' ')).toContain(
      "Cost at 1× (throughput of one VM of P vCPUs alone over ticket · naive's): tas · naive 1.07×, ttas · naive 1.07×,",
    );
    expect(text).toContain('The knee is at');
    expect(text).toContain('Sweep of the halt threshold, pv-halt at 1× (1 VM of 2 vCPUs on 2 pCPUs)');
  });

  it('render the systems matrix per engine and preset, a row per system and a column per ratio, against bare metal', () => {
    const results = buildSuiteResults({ groups: ['systems'] });
    const text = renderSuiteTables(results);
    expectWithinColumns(text);
    const flat = text.replace(/\n/g, ' ');
    for (const engine of ['threads', 'virtual'])
      for (const [preset, pcpus] of [
        ['uncontended', engine === 'virtual' ? 16 : 2],
        ['contended', engine === 'virtual' ? 16 : 2],
      ])
        expect(flat).toContain(`Systems, ${engine} engine, ${preset} workload, ${pcpus} pCPUs, against bare metal (`);
    expect(text).toMatch(/^system +1× all \(worst VM\) +1\.5× all \(worst VM\) +2× all \(worst VM\) +3× all \(worst VM\)$/m);
    // The fixture's contended kvm-no-pv: 1.00×, 2.04×, 1.36×, 1.55× bare metal; VMs 2% apart around the mean.
    expect(text).toMatch(/^kvm-no-pv +1\.00× \(1\.00×\) +2\.04× \(2\.00×\) +1\.36× \(1\.35×\) +1\.55× \(1\.52×\)$/m);
    const rows = text.split('\n').filter((line) => SYSTEMS.some((s) => line.startsWith(`${s.name} `)));
    expect(rows.slice(0, SYSTEMS.length - 1).map((line) => line.split(' ')[0])).toEqual(SYSTEMS.filter((s) => s.mode !== 'bare').map((s) => s.name));
    expect(flat).toContain('an enlightened guest does no better than a naive one: kvm 1.36× vs kvm-no-pv 1.36× at 2×');
  });

  it('render the schedulers group per engine, a row per pCPUs × slice, with the claim at 100 µs slices', () => {
    const results = buildSuiteResults({ groups: ['schedulers'] });
    const text = renderSuiteTables(results);
    expectWithinColumns(text);
    expect(text).toContain('Schedulers, virtual engine: rr (lock-free per-pCPU run queues) against global-lock');
    expect(text).toContain('Schedulers, threads engine:');
    expect(text).toMatch(/^pCPUs +slice +rr hv % +g-l hv % +Δ pp +rr acq\/s +g-l acq\/s +g-l\/rr +lock % +spins\/pCPU$/m);
    // The fixture: rr 2.00%, global-lock 2.30% + 1e-6 × P at 100 µs; the lock wait 1e-6 × P.
    expect(text).toMatch(/^ +16 +100 µs +2\.0% +2\.3% +\+0\.302 +192k +154k +0\.80× +0\.002% +112$/m);
    expect(text).toMatch(/^ +64 +1 ms +0\.2% +0\.2% +\+0\.031 /m);
    expect(text.replace(/\n/g, ' ')).toContain(
      'Schedulers (virtual): global-lock costs 0.300 points of hv % more than rr at 2 pCPUs, 100 µs slices; 0.302 points at 16; 0.306 points at 64',
    );
    // The schedulers' deliberate baseline does not count as the hypervisor's cost at the scenarios' own settings.
    expect(hypervisorShare(results.cases).cases).toBe(0);
    const rows = schedulerRows(results.cases);
    expect(rows.map((r) => `${r.engine}/${r.pcpus}/${r.sliceUs}`)).toEqual([
      'threads/2/100',
      'threads/2/1000',
      ...[2, 16, 64].flatMap((p) => [`virtual/${p}/100`, `virtual/${p}/1000`]),
    ]);
    expect(
      schedulerClaim(
        rows.filter((r) => r.engine === 'threads'),
        'virtual',
      ),
    ).toBe('');
  });

  it('wraps words at the width', () => {
    expect(wrap('aaa bbb ccc', 7)).toBe('aaa bbb\nccc');
  });
});

describe('the halt-threshold sweep, end to end', () => {
  // The quick plan's halt-threshold jobs, really run (one seed, on the virtual engine: a fraction of a second), then rendered.
  let results: SuiteResults;
  beforeAll(async () => {
    const jobs = planJobs({ quick: true, runs: 1, engines: ['virtual'], pcpus: 2, virtualMaxPcpus: 16 }, ['halt-threshold']);
    const threads = new ThreadsEngine();
    const cases: CaseResult[] = [];
    try {
      for (const job of jobs) if (job.kind === 'case') cases.push(await runCase(job, 1, threads));
    } finally {
      await threads.close();
    }
    results = {
      ...suiteFile(cases),
      environments: [environment()],
      options: { quick: true, runs: 1, engines: ['virtual'], pcpus: 2, filters: ['halt-threshold'] },
    };
  });

  it('runs 3 points at 1× and 3 at 2×, every run passing its self-checks, waiters halting at the low threshold', () => {
    expect(results.cases.map((c) => c.id)).toEqual(
      [1, 2].flatMap((vms) => [16, 1024, 65536].map((t) => `sweep/virtual/contended/halt-threshold/${vms}x/${t}`)),
    );
    expect(results.cases.every((c) => c.runs.every((r) => r.ok))).toBe(true);
    for (const vms of [1, 2]) expect(results.cases.find((c) => c.id.endsWith(`/${vms}x/16`))!.metrics.halts.median).toBeGreaterThan(0);
    // The file is one --baseline and merge accept.
    expect(checkSuiteFile(JSON.parse(JSON.stringify(results)), 'quick.json').cases).toHaveLength(6);
  });

  it('is two curves, 1× and 2×, each with its knee in words', () => {
    const curves = sweepCurves(results.cases);
    expect(curves.map((c) => [c.policy, c.variable, c.vms, c.ratio, c.points.length])).toEqual([
      ['pv-halt', 'haltThreshold', 1, 1, 3],
      ['pv-halt', 'haltThreshold', 2, 2, 3],
    ]);
    for (const c of curves) expect(c.knee).toMatch(/^(Throughput is best at halt threshold 2\^\d+|Too few points)/);
  });

  it('prints a table per shape, with the halt figures, within 100 columns', () => {
    const text = renderSuiteTables(results);
    expectWithinColumns(text);
    const flat = text.replace(/\n/g, ' ');
    expect(flat).toContain('Sweep of the halt threshold, pv-halt at 1× (1 VM of 2 vCPUs on 2 pCPUs), contended workload, virtual engine');
    expect(flat).toContain('Sweep of the halt threshold, pv-halt at 2× overcommit (2 VMs × 2 vCPUs on 2 pCPUs), contended workload, virtual engine');
    expect(text.match(/^threshold +acq\/s \(range\) +spin % +halt % +steal % +hv % +LHP +halts +spurious$/gm)).toHaveLength(2);
    for (const v of ['2^4', '2^10', '2^16']) expect(text.split('\n').filter((line) => line.trimStart().startsWith(`${v} `))).toHaveLength(2);
    expect(flat.match(/Throughput is best at halt threshold/g)).toHaveLength(2);
  });

  it('draws one chart with a line per shape, and both knees under it', () => {
    const html = renderHtmlReport(results);
    const start = html.indexOf('<figure class="chart" data-chart="sweep/virtual/contended/haltThreshold">');
    expect(start).toBeGreaterThanOrEqual(0);
    const figure = html.slice(start, html.indexOf('</figure>', start));
    const series = [...figure.matchAll(/data-series="([^"]+)"/g)].map((m) => m[1]);
    expect(series).toEqual(['pv-halt, 2 VMs at 2× overcommit (median, min–max band)', 'pv-halt, 1 VM alone at 1× (median, min–max band)']);
    const caption = /<figcaption>(.*?)<\/figcaption>/s.exec(figure)![1]!;
    for (const c of sweepCurves(results.cases))
      expect(caption).toContain(`pv-halt at ${c.vms === 1 ? '1× (1 VM of 2 vCPUs' : '2× overcommit (2 VMs × 2 vCPUs'} on 2 pCPUs): ${c.knee}`);
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });
});
