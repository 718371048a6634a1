/**
 * Traces (src/trace/, core/trace-record.ts): the file's tracks nest, its flows have both ends,
 * its events match the run's counters, a virtual trace is the same bytes for a seed, tracing
 * changes no result, the bounds hold, a stopped run's file parses, and the controller's
 * progress snapshots only grow. Virtual engine where it can; threads runs use 2 pCPUs.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/config/load.js';
import type { Overrides } from '../../src/config/overrides.js';
import type { RunProgress } from '../../src/engine/run-output.js';
import { buildResults, type Results } from '../../src/results/results.js';
import { VirtualEngine } from '../../src/engine/virtual/engine.js';
import { simulate } from '../../src/simulate.js';
import type { TraceSummary } from '../../src/trace/chrome-trace.js';
import { spinvisor } from '../helpers/cli.js';
import { sum, vcpuTotal } from '../helpers/results.js';
import { countOf, flowProblems, nestingProblems, readTrace, type TraceEvent } from '../helpers/trace-file.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-trace-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Overcommitted (4 vCPUs on 2 pCPUs), short slices: preemptions, halts and kicks, directed yields. */
const KICKS: Overrides = { engine: 'virtual', durationMs: 20, sliceUs: 200, lock: 'ticket', policy: 'pv-halt+preempted-aware', haltThreshold: 64 };
/** Naive spinning with PLE and a plain yield: lock-holder preemptions, PLE exits. */
const PLE: Overrides = { engine: 'virtual', durationMs: 20, sliceUs: 200, ple: true };

async function traced(
  overrides: Overrides,
  file: string,
  trace: { windowMs?: [number, number]; maxMb?: number } = {},
): Promise<{ results: Results; summary: TraceSummary }> {
  let summary: TraceSummary | undefined;
  const results = await simulate(loadScenario('overcommit', overrides), undefined, {
    trace: { file, scenario: 'overcommit', ...trace },
    onTraceWritten: (s) => (summary = s),
  });
  return { results, summary: summary! };
}

/** Spool files (trace/drain.ts) left in the tests' folder. */
const spools = () => readdirSync(tmp).filter((name) => name.includes('.spool-'));

const withoutEnvironment = (results: Results) => JSON.stringify({ ...results, environment: null });

describe('a virtual-engine trace', () => {
  it('nests every slice on its pCPU, vCPU or lock track, and gives every flow both ends', async () => {
    const file = join(tmp, 'nest.json');
    await traced(KICKS, file);
    const events = readTrace(file).traceEvents;
    expect(countOf(events, 'i', 'kick')).toBeGreaterThan(0);
    expect(nestingProblems(events)).toEqual([]);
    expect(flowProblems(events)).toEqual([]);
    expect(events.filter((e) => e.ph === 's').length).toBeGreaterThan(0);
  });

  it('holds as many switches, preemptions, halts, kicks and directed yields as the run counted', async () => {
    const file = join(tmp, 'counts.json');
    const { results } = await traced(KICKS, file);
    const events = readTrace(file).traceEvents;
    const runSlices = events.filter((e) => e.ph === 'X' && e.pid === 0).length;
    expect(runSlices).toBe(sum(results.metrics.pcpus, (p) => p.switches));
    expect(countOf(events, 'i', 'lock-holder preemption')).toBe(vcpuTotal(results, (v) => v.lockHolderPreemptions));
    expect(countOf(events, 'i', 'lock-waiter preemption')).toBe(vcpuTotal(results, (v) => v.lockWaiterPreemptions));
    expect(countOf(events, 'i', 'halt')).toBe(vcpuTotal(results, (v) => v.halts));
    expect(countOf(events, 'i', 'kick')).toBe(vcpuTotal(results, (v) => v.kicks));
    expect(countOf(events, 'i', 'directed yield')).toBe(vcpuTotal(results, (v) => v.directedYields));
    expect(vcpuTotal(results, (v) => v.lockHolderPreemptions + v.kicks + v.directedYields)).toBeGreaterThan(0);
  });

  it('holds as many PLE exits and lock-holder preemptions as the run counted with PLE on', async () => {
    const file = join(tmp, 'ple.json');
    const { results } = await traced(PLE, file);
    const events = readTrace(file).traceEvents;
    expect(vcpuTotal(results, (v) => v.pleExits)).toBeGreaterThan(0);
    expect(countOf(events, 'i', 'ple exit')).toBe(vcpuTotal(results, (v) => v.pleExits));
    expect(countOf(events, 'i', 'lock-holder preemption')).toBe(vcpuTotal(results, (v) => v.lockHolderPreemptions));
  });

  it('leaves no spool file beside the trace once it is written', async () => {
    const { summary } = await traced(KICKS, join(tmp, 'spool.json'));
    expect(summary.spoolBytes).toBeGreaterThan(0);
    expect(spools()).toEqual([]);
  });

  it('is the same bytes in two runs with the same seed', async () => {
    await traced(KICKS, join(tmp, 'a.json'));
    await traced(KICKS, join(tmp, 'b.json'));
    expect(readFileSync(join(tmp, 'a.json')).equals(readFileSync(join(tmp, 'b.json')))).toBe(true);
  });

  it('changes no result: a traced run reads the same as an untraced one', async () => {
    const { results } = await traced(KICKS, join(tmp, 'same.json'));
    const untraced = await simulate(loadScenario('overcommit', KICKS));
    expect(withoutEnvironment(results)).toBe(withoutEnvironment(untraced));
  });

  it('says what it is in otherData, and names the tracks', async () => {
    const file = join(tmp, 'meta.json');
    await traced(KICKS, file);
    const trace = readTrace(file);
    expect(trace.displayTimeUnit).toBe('ns');
    expect(trace.otherData).toMatchObject({
      format: 'spinvisor-trace/1',
      engine: 'virtual',
      seed: 1,
      scenario: 'overcommit',
      droppedRecords: 0,
      stoppedEarly: false,
      windowUs: null,
    });
    const names = trace.traceEvents.filter((e) => e.ph === 'M' && e.name === 'thread_name').map((e) => `${e.pid}/${e.args!.name}`);
    expect(names).toEqual(expect.arrayContaining(['0/pCPU 0', '0/pCPU 1', '1/vCPU 3', '1/lock 0']));
  });

  it('keeps to --trace-window: every event inside it', async () => {
    const file = join(tmp, 'window.json');
    await traced(KICKS, file, { windowMs: [5, 10] });
    const trace = readTrace(file);
    expect(trace.otherData.windowUs).toEqual([5000, 10000]);
    const timed = trace.traceEvents.filter((e): e is TraceEvent & { ts: number } => e.ts !== undefined);
    expect(timed.length).toBeGreaterThan(0);
    for (const e of timed) {
      expect(e.ts).toBeGreaterThanOrEqual(5000);
      expect(e.ts + (e.dur ?? 0)).toBeLessThanOrEqual(10000);
    }
    expect(flowProblems(trace.traceEvents)).toEqual([]);
  });

  it('stops writing at --trace-max-mb and still parses, marked truncated', async () => {
    const file = join(tmp, 'max.json');
    const { summary } = await traced(KICKS, file, { maxMb: 0.05 });
    expect(summary.truncated).toBe(true);
    expect(statSync(file).size).toBeLessThan(60_000);
    expect(readTrace(file).otherData.truncated).toBe(true);
  });
});

describe('progress reports', () => {
  it('come from a virtual run between its steps, only grow, and change no result', async () => {
    const config = loadScenario('overcommit', { engine: 'virtual', durationMs: 50 });
    const snapshots: RunProgress[] = [];
    const watched = buildResults(await new VirtualEngine().run(config, { onProgress: (p) => snapshots.push(p), progressEveryMs: 0 }));
    expect(withoutEnvironment(watched)).toBe(withoutEnvironment(await simulate(config)));
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < snapshots.length; i++) {
      expect(snapshots[i]!.elapsedMs).toBeGreaterThanOrEqual(snapshots[i - 1]!.elapsedMs);
      expect(snapshots[i]!.acquisitions[0]).toBeGreaterThanOrEqual(snapshots[i - 1]!.acquisitions[0]!);
    }
    expect(snapshots.at(-1)!.elapsedMs).toBeLessThanOrEqual(50);
  });
});

describe('a threads-engine trace', () => {
  const THREADS: Overrides = { engine: 'threads', durationMs: 600, sliceUs: 1000 };

  it('streams a trace whose tracks nest, and progress snapshots that only grow', async () => {
    const file = join(tmp, 'threads.json');
    const snapshots: RunProgress[] = [];
    let summary: TraceSummary | undefined;
    await simulate(loadScenario('overcommit', THREADS), undefined, {
      trace: { file },
      onTraceWritten: (s) => (summary = s),
      onProgress: (p) => snapshots.push(p),
    });
    expect(summary!.stoppedEarly).toBe(false);
    const trace = readTrace(file);
    expect(trace.otherData).toMatchObject({ engine: 'threads', stoppedEarly: false });
    expect(nestingProblems(trace.traceEvents)).toEqual([]);
    expect(flowProblems(trace.traceEvents)).toEqual([]);
    expect(snapshots.length).toBeGreaterThanOrEqual(2);
    for (let i = 1; i < snapshots.length; i++) {
      expect(snapshots[i]!.elapsedMs).toBeGreaterThanOrEqual(snapshots[i - 1]!.elapsedMs);
      expect(snapshots[i]!.acquisitions[0]).toBeGreaterThanOrEqual(snapshots[i - 1]!.acquisitions[0]!);
    }
  });

  // Not the switches: where two pCPUs' clocks disagree, the writer keeps one switch-in waiting for
  // the switch-out it follows and can lose another (trace/chrome-trace.ts `switchIn`), so a
  // threads trace may hold fewer run slices than the run counted switches.
  it('holds as many lock-holder preemptions, halts and kicks as the run counted, and leaves no spool', async () => {
    const file = join(tmp, 'threads-counts.json');
    const { results, summary } = await traced({ ...KICKS, engine: 'threads', durationMs: 400 }, file);
    const events = readTrace(file).traceEvents;
    expect(summary.droppedRecords).toBe(0);
    expect(nestingProblems(events)).toEqual([]);
    expect(events.filter((e) => e.ph === 'X' && e.pid === 0).length).toBeLessThanOrEqual(sum(results.metrics.pcpus, (p) => p.switches));
    expect(countOf(events, 'i', 'lock-holder preemption')).toBe(vcpuTotal(results, (v) => v.lockHolderPreemptions));
    expect(countOf(events, 'i', 'halt')).toBe(vcpuTotal(results, (v) => v.halts));
    expect(countOf(events, 'i', 'kick')).toBe(vcpuTotal(results, (v) => v.kicks));
    expect(vcpuTotal(results, (v) => v.kicks)).toBeGreaterThan(0);
    expect(spools()).toEqual([]);
  });

  it('completes the file of a run stopped early, marked so', async () => {
    const file = join(tmp, 'stopped.json');
    const abort = new AbortController();
    const started = performance.now();
    // Stopped 400 ms into the run (a stop before the threads have started has nothing to report: RunInterrupted).
    await simulate(loadScenario('overcommit', { ...THREADS, durationMs: 20_000 }), undefined, {
      trace: { file },
      signal: abort.signal,
      onStarted: () => setTimeout(() => abort.abort(), 400),
    });
    expect(performance.now() - started).toBeLessThan(15_000);
    const trace = readTrace(file);
    expect(trace.otherData.stoppedEarly).toBe(true);
    expect(nestingProblems(trace.traceEvents)).toEqual([]);
  });

  it('leaves no spool file after a run stopped early', async () => {
    const abort = new AbortController();
    await simulate(loadScenario('overcommit', { ...THREADS, durationMs: 20_000 }), undefined, {
      trace: { file: join(tmp, 'stopped-spool.json') },
      signal: abort.signal,
      onStarted: () => setTimeout(() => abort.abort(), 300),
    });
    expect(spools()).toEqual([]);
  });
});

describe('the trace flags', () => {
  const lines = (text: string) => text.trimEnd().split('\n');

  it.each([
    [['--trace-window', '5..2'], /^spinvisor: --trace-window: the end \(2 ms\) must come after the start \(5 ms\)$/],
    [['--trace-window', 'soon'], /^spinvisor: --trace-window: expected FROM\.\.TO/],
    [['--trace-window', '5000..6000', '--duration-ms', '100'], /^spinvisor: --trace-window: starts at 5000 ms, after the run's 100 ms$/],
    [['--trace-max-mb', '0'], /^spinvisor: --trace-max-mb: expected a positive number of MB, got "0"$/],
  ])('rejects %j in one line, exit 2', async (flags, pattern) => {
    const outcome = await spinvisor('run', 'overcommit', '--engine', 'virtual', '--trace', join(tmp, 'x.json'), ...flags);
    expect(outcome.code).toBe(2);
    expect(outcome.stdout).toBe('');
    expect(lines(outcome.stderr)).toHaveLength(1);
    expect(outcome.stderr.trimEnd()).toMatch(pattern);
  });

  it('rejects a bound without --trace', async () => {
    const outcome = await spinvisor('run', 'overcommit', '--engine', 'virtual', '--trace-max-mb', '5');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trimEnd()).toBe('spinvisor: --trace-max-mb: needs --trace FILE');
  });

  it('writes one file per run of compare, named after its label', async () => {
    const outcome = await spinvisor(
      'compare',
      'overcommit',
      '--engine',
      'virtual',
      '--duration-ms',
      '5',
      '--policies',
      'naive,pv-halt',
      '--trace',
      join(tmp, 'cmp.json'),
    );
    expect(outcome.code).toBe(0);
    expect(readTrace(join(tmp, 'cmp-naive.json')).otherData.label).toBe('naive');
    expect(readTrace(join(tmp, 'cmp-pv-halt.json')).otherData.label).toBe('pv-halt');
    expect(outcome.stdout).toContain(`trace: ${join(tmp, 'cmp-pv-halt.json')}`);
  });
});
