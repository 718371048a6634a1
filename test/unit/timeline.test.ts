/**
 * The timeline view: the reader's model of a trace (lanes, nesting, clipping, flows), its
 * tolerance of other Chrome traces, its one-line errors, and the rendered page (self-contained,
 * a lane per pCPU and per contended lock, the fixture's marks, bounded size). The page in a
 * browser is test/e2e/timeline.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/schema.js';
import { timeRangeFlags } from '../../src/io/time-range.js';
import { categorical } from '../../src/report/html/palette.js';
import { renderTimelinePage } from '../../src/report/timeline/page.js';
import { renderTimeline } from '../../src/report/timeline/render.js';
import { summarizeTimeline } from '../../src/report/timeline/summary.js';
import { buildTimeline, type Lane, type TimelineModel } from '../../src/trace/read.js';
import { buildTimelineTrace, FIXTURE_FACTS } from '../fixtures/timeline-trace.js';

const lane = (model: TimelineModel, group: string, name: string): Lane => {
  const found = model.lanes.find((l) => l.group === group && l.name === name);
  expect(found, `${group}/${name}`).toBeDefined();
  return found!;
};
const count = (html: string, pattern: RegExp) => html.match(new RegExp(pattern.source, 'g'))?.length ?? 0;

describe('reading a spinvisor trace', () => {
  const model = buildTimeline(buildTimelineTrace());

  it('makes a lane per pCPU, per contended lock and per vCPU, pCPUs first, then each VM with its locks before its vCPUs', () => {
    expect(model.lanes.map((l) => `${l.group}/${l.name}`)).toEqual([
      'hypervisor/pCPU 0',
      'hypervisor/pCPU 1',
      'hypervisor/pCPU 2',
      'hypervisor/pCPU 3',
      'web/lock 0',
      'web/vCPU 0',
      'web/vCPU 1',
      'web/vCPU 2',
      'db/vCPU 0',
      'db/vCPU 1',
    ]);
    expect(model.vms).toEqual(['web', 'db']);
  });

  it('leaves out a lock whose waiters counter never rises above 0', () => {
    expect(model.lanes.some((l) => l.group === 'db' && l.kind === 'lock')).toBe(false);
    expect(model.lanes.filter((l) => l.kind === 'lock')).toHaveLength(FIXTURE_FACTS.contendedLocks);
  });

  it('gives each pCPU slice the VM it ran', () => {
    expect(lane(model, 'hypervisor', 'pCPU 0').slices.map((s) => [s.name, s.vm, s.startUs, s.endUs])).toEqual([
      ['web/vcpu 0', 0, 0, 3000],
      ['db/vcpu 0', 1, 3000, 6000],
      ['web/vcpu 0', 0, 6000, 7000],
      ['db/vcpu 0', 1, 7000, 10_000],
    ]);
  });

  it('nests spinning and critical sections inside running', () => {
    const depths = lane(model, 'web', 'vCPU 2').slices.map((s) => [s.name, s.depth]);
    expect(depths).toEqual([
      ['running', 0],
      ['spinning', 1],
      ['halted', 0],
      ['running', 0],
      ['critical section', 1],
    ]);
  });

  it('puts the lock waiters counter on its lock lane and pairs the kick with its wake-up', () => {
    expect(lane(model, 'web', 'lock 0').counter?.max).toBe(2);
    expect(model.flows).toEqual([{ id: '1', cat: 'kick', from: { laneKey: '0:0', tsUs: 6200 }, to: { laneKey: '0:2', tsUs: 6300 } }]);
  });

  it('puts a lock waiters counter written without its tid on the lock lane', () => {
    const trace = buildTimelineTrace();
    for (const e of trace.traceEvents) if (e.ph === 'C') delete e.tid;
    const locks = buildTimeline(trace).lanes.filter((l) => l.counter);
    expect(locks.map((l) => [l.group, l.name, l.counter?.max])).toEqual([['web', 'lock 0', 2]]);
  });

  it('counts the marked events and the spinning of the range', () => {
    const summary = summarizeTimeline(model);
    expect(summary.lockHolderPreemptions).toBe(FIXTURE_FACTS.lockHolderPreemptions);
    expect(summary.kicks).toBe(FIXTURE_FACTS.kicks);
    expect(summary.kickFlows).toBe(1);
    // web/vcpu 1 spins 2.6..6.5 ms, web/vcpu 2 2.7..3.5 ms.
    expect(summary.spinningUs).toBe(3900 + 800);
  });
});

describe('clipping to a range', () => {
  const model = buildTimeline(buildTimelineTrace(), { fromUs: 2000, toUs: 4000 });

  it('cuts slices at the range and drops those outside it', () => {
    expect(lane(model, 'hypervisor', 'pCPU 0').slices.map((s) => [s.name, s.startUs, s.endUs])).toEqual([
      ['web/vcpu 0', 2000, 3000],
      ['db/vcpu 0', 3000, 4000],
    ]);
    for (const l of model.lanes) for (const s of l.slices) expect(s.startUs >= 2000 && s.endUs <= 4000, `${l.name}: ${s.name}`).toBe(true);
  });

  it('drops instants and flows outside the range and starts a counter at its value when the range opens', () => {
    expect(lane(model, 'hypervisor', 'pCPU 0').instants.map((i) => i.tsUs)).toEqual([3000]);
    expect(model.flows).toEqual([]);
    expect(lane(model, 'web', 'lock 0').counter?.points).toEqual([
      { tsUs: 2000, value: 0 },
      { tsUs: 2600, value: 1 },
      { tsUs: 2700, value: 2 },
    ]);
  });

  it('keeps a flow with one end inside the range', () => {
    expect(buildTimeline(buildTimelineTrace(), { fromUs: 6250, toUs: 8000 }).flows).toHaveLength(1);
  });
});

describe('other Chrome traces', () => {
  const events = [
    { ph: 'B', name: 'outer', pid: 7, tid: 3, ts: 10 },
    { ph: 'X', name: 'inner thing', pid: 7, tid: 3, ts: 20, dur: 5 },
    { ph: 'E', pid: 7, tid: 3, ts: 40 },
    { ph: 'i', name: 'mystery', pid: 7, tid: 3, ts: 30 },
    { ph: 'b', name: 'async', pid: 7, tid: 3, ts: 30, id: 1 },
    { ph: 'X', name: 'no metadata', pid: 'renderer', tid: 'main', ts: 0, dur: 50 },
    'not an event',
    { ph: 'X', name: 'no time', pid: 1, tid: 1 },
  ];

  it('reads a bare array without metadata: lanes named by pid and tid, unknown kinds skipped and counted', () => {
    const model = buildTimeline(events);
    expect(model.meta.format).toBeUndefined();
    expect(model.lanes.map((l) => [l.kind, l.name])).toEqual([
      ['other', 'pid 7 / tid 3'],
      ['other', 'pid renderer / tid main'],
    ]);
    expect(model.lanes[0]!.slices.map((s) => [s.name, s.depth])).toEqual([
      ['outer', 0],
      ['inner thing', 1],
    ]);
    expect(model.skipped).toBe(3);
  });

  it('draws unknown event names neutrally', () => {
    const html = renderTimeline(buildTimeline({ traceEvents: events }));
    expect(html).toContain('data-mark="mystery"');
    expect(html).toMatch(/fill="#9e9e9e" class="mark instant tick" data-mark="mystery"/);
  });
});

describe('bad traces and ranges', () => {
  const problem = (value: unknown, range = {}) => {
    try {
      buildTimeline(value, range, 'x.json');
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    return 'no error';
  };

  it('rejects a value that is not a Chrome trace', () => {
    expect(problem({ runs: [] })).toBe('x.json: not a Chrome trace (expected {"traceEvents": [...]} or an array of events)');
    expect(problem(42)).toMatch(/not a Chrome trace/);
  });

  it('rejects a spinvisor trace format this version does not read', () => {
    expect(problem({ traceEvents: [], otherData: { format: 'spinvisor-trace/9' } })).toMatch(/"spinvisor-trace\/9" is not one this version reads/);
  });

  it('rejects a trace without timed events and a range outside the trace', () => {
    expect(problem({ traceEvents: [{ ph: 'M', name: 'process_name', pid: 0, args: { name: 'x' } }] })).toBe('x.json: the trace has no timed events');
    expect(problem(buildTimelineTrace(), { fromUs: 20_000, toUs: 30_000 })).toBe('x.json: the range 20..30 ms is outside the trace, which spans 0..10 ms');
  });

  it('reads --window and --from/--to as µs, and rejects malformed or empty ranges', () => {
    expect(timeRangeFlags({ window: '2..4.5' })).toEqual({ fromUs: 2000, toUs: 4500 });
    expect(timeRangeFlags({ window: '3..' })).toEqual({ fromUs: 3000 });
    expect(timeRangeFlags({ from: '1', to: '2' })).toEqual({ fromUs: 1000, toUs: 2000 });
    expect(() => timeRangeFlags({ window: '4..2' })).toThrow('--window: the range must end after it starts, got 4..2 ms');
    expect(() => timeRangeFlags({ window: '2-4' })).toThrow('--window: expected FROM..TO in ms');
    expect(() => timeRangeFlags({ from: '-1' })).toThrow('--from: expected a time in ms');
    expect(() => timeRangeFlags({ window: '1..2', to: '3' })).toThrow('--window: give either');
  });
});

describe('the page', () => {
  const html = renderTimelinePage(buildTimeline(buildTimelineTrace()), { source: 'fixture.json' });

  it('is self-contained: no script, no http(s) URL in any src or href', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).toContain('content="default-src &#39;none&#39;;');
  });

  it('has one lane per pCPU and per contended lock', () => {
    expect(count(html, /data-lane-kind="pcpu"/)).toBe(FIXTURE_FACTS.pcpus);
    expect(count(html, /data-lane-kind="lock"/)).toBe(FIXTURE_FACTS.contendedLocks);
    expect(count(html, /data-lane-kind="vcpu"/)).toBe(FIXTURE_FACTS.vcpus);
  });

  it('marks the lock-holder preemption, the kick, its wake-up and the arrow between them', () => {
    expect(count(html, /data-mark="lock-holder-preemption"/)).toBe(FIXTURE_FACTS.lockHolderPreemptions);
    expect(count(html, /data-mark="kick"/)).toBe(FIXTURE_FACTS.kicks);
    expect(count(html, /data-mark="wake"/)).toBe(1);
    expect(count(html, /data-mark="flow-kick"/)).toBe(1);
  });

  it('escapes the names a trace brings', () => {
    const trace = buildTimelineTrace();
    trace.traceEvents.push({ ph: 'M', name: 'process_name', pid: 2, args: { name: '<img src=x onerror=alert(1)>' } });
    const page = renderTimelinePage(buildTimeline(trace), { source: '<b>.json' });
    expect(page).not.toContain('<img');
    expect(page).not.toContain('<b>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });
});

describe('large traces', () => {
  /** One pCPU, `n` slices of alternating VMs, each 1 µs long, back to back. */
  function manySlices(n: number) {
    const traceEvents: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) traceEvents.push({ ph: 'X', name: `vm${i % 2}/vcpu 0`, pid: 0, tid: 0, ts: i, dur: 1, args: { vm: i % 2 } });
    for (let i = 0; i < n; i += 10) traceEvents.push({ ph: 'i', s: 't', name: 'slice end', pid: 0, tid: 0, ts: i });
    return { traceEvents, otherData: { format: 'spinvisor-trace/1' } };
  }

  it('merges slices narrower than a pixel, so the drawn bars stay under the width in pixels', () => {
    const html = renderTimeline(buildTimeline(manySlices(100_000)), { widthPx: 1000 });
    const bars = count(html, /class="mark slice/);
    expect(bars).toBeGreaterThan(0);
    expect(bars).toBeLessThanOrEqual(1000);
    expect(count(html, /class="mark instant/)).toBeLessThanOrEqual(1000 / 4 + 1);
    expect(html.length).toBeLessThan(400_000);
  });

  it('draws at most 400 arrows, spread over the whole range, and says how many it left out', () => {
    const traceEvents: Record<string, unknown>[] = [{ ph: 'X', name: 'a', pid: 0, tid: 0, ts: 0, dur: 10_000 }];
    for (let i = 0; i < 1000; i++)
      traceEvents.push({ ph: 's', cat: 'kick', id: i, pid: 0, tid: 0, ts: i * 10 }, { ph: 'f', bp: 'e', cat: 'kick', id: i, pid: 0, tid: 0, ts: i * 10 + 5 });
    const html = renderTimeline(buildTimeline(traceEvents), { widthPx: 1000 });
    expect(count(html, /data-mark="flow-kick"/)).toBe(400);
    // The last arrow drawn starts in the range's last tenth.
    const starts = [...html.matchAll(/data-mark="flow-kick"><path d="M([\d.]+) /g)].map((m) => Number(m[1]));
    expect(Math.max(...starts)).toBeGreaterThan(130 + 900);
    expect(html).toContain('600 of 1000 arrows not drawn');
  });

  it('gives a merged column the colour of the VM that ran most of its time', () => {
    // 10 µs per pixel: each column has 2 µs of vm0 and 6 µs of vm1.
    const traceEvents: Record<string, unknown>[] = [];
    for (let t = 0; t < 10_000; t += 10) {
      traceEvents.push({ ph: 'X', name: 'vm0/vcpu 0', pid: 0, tid: 0, ts: t, dur: 2, args: { vm: 0 } });
      traceEvents.push({ ph: 'X', name: 'vm1/vcpu 0', pid: 0, tid: 0, ts: t + 3, dur: 6, args: { vm: 1 } });
    }
    const html = renderTimeline(buildTimeline({ traceEvents, otherData: { format: 'spinvisor-trace/1' } }), { widthPx: 1000 });
    const fills = [...html.matchAll(/fill="([^"]+)" class="mark slice merged"/g)].map((m) => m[1]);
    expect(fills.length).toBeGreaterThan(0);
    expect(new Set(fills)).toEqual(new Set([categorical(1)]));
  });

  it('draws each slice on its own once it is wider than a pixel', () => {
    const html = renderTimeline(buildTimeline(manySlices(100_000), { fromUs: 0, toUs: 500 }), { widthPx: 1000 });
    expect(count(html, /class="mark slice"/)).toBe(500);
    expect(count(html, /class="mark slice merged"/)).toBe(0);
  });
});
