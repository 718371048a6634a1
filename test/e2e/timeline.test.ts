/**
 * The timeline view as a browser draws it: the page of `spinvisor timeline` for the hand-written
 * contract trace, and the bench report with its naive and enlightened timelines (of the fixture's
 * traces, and of the pair the bench records itself, bench/groups/timeline/cases.ts), loaded in
 * headless Chromium (the browser test/e2e/html-report.test.ts uses, found the same way). Each
 * lane is drawn with a size, the marks of the fixture are on screen, the page logs no error and
 * fetches nothing; screenshots go to artifacts/.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../bench/report/html.js';
import { recordTimelinePair, timelineCases } from '../../bench/groups/timeline/cases.js';
import { timelinePair } from '../../bench/groups/timeline/section.js';
import { renderTimelinePage } from '../../src/report/timeline/page.js';
import { buildTimeline } from '../../src/trace/read.js';
import { buildSuiteResults } from '../fixtures/suite-results.js';
import { buildTimelineTrace, FIXTURE_FACTS } from '../fixtures/timeline-trace.js';
import { BROWSER_MISSING, browserRequired, findBrowser } from '../helpers/browser.js';
import { watchedPage } from '../helpers/watched-page.js';

const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));

interface Drawn {
  /** Per figure: lanes by kind, lanes drawn with no size, marks drawn by data-mark. */
  readonly figures: {
    readonly name: string;
    readonly lanes: Record<string, number>;
    readonly emptyLanes: string[];
    readonly marks: Record<string, number>;
    readonly slices: number;
    /** Slices of vCPU state `halted` drawn with a size. */
    readonly halted: number;
    readonly width: number;
  }[];
}

const INSPECT = `(() => ({
  figures: [...document.querySelectorAll('figure.timeline')].map((fig) => {
    const lanes = {};
    const emptyLanes = [];
    for (const g of fig.querySelectorAll('g.lane')) {
      const kind = g.getAttribute('data-lane-kind');
      lanes[kind] = (lanes[kind] || 0) + 1;
      const b = g.getBoundingClientRect();
      if (!(b.width > 0 && b.height > 0)) emptyLanes.push(g.getAttribute('data-lane'));
    }
    const marks = {};
    for (const m of fig.querySelectorAll('[data-mark]')) {
      const b = m.getBoundingClientRect();
      if (b.width > 0 && b.height > 0) marks[m.getAttribute('data-mark')] = (marks[m.getAttribute('data-mark')] || 0) + 1;
    }
    const slices = [...fig.querySelectorAll('.mark.slice')].filter((s) => s.getBoundingClientRect().width > 0).length;
    const halted = [...fig.querySelectorAll('.mark.slice[data-name="halted"]')].filter((s) => s.getBoundingClientRect().width > 0).length;
    return { name: fig.getAttribute('data-timeline'), lanes, emptyLanes, marks, slices, halted, width: fig.querySelector('svg').getBoundingClientRect().width };
  }),
}))()`;

describe('timeline in headless Chromium', () => {
  let dir = '';
  let browser: Browser | undefined;
  const found = findBrowser();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spinvisor-timeline-html-'));
    writeFileSync(join(dir, 'timeline.html'), renderTimelinePage(buildTimeline(buildTimelineTrace()), { source: 'fixture.json' }));
    writeFileSync(
      join(dir, 'report.html'),
      renderHtmlReport(buildSuiteResults({ groups: ['scaling'] }), { timeline: timelinePair(buildTimelineTrace('naive'), buildTimelineTrace('pv-halt')) }),
    );
    // What `npm run bench -- --html` draws when no --timeline is given: the bench traces its pair now (virtual engine, deterministic).
    writeFileSync(join(dir, 'recorded-report.html'), renderHtmlReport(buildSuiteResults({ groups: ['scaling'] }), { timeline: await recordTimelinePair() }));
    if (found)
      browser = await chromium.launch({
        executablePath: found.executablePath,
        args: [...found.args, '--disable-background-networking', '--hide-scrollbars'],
        env: found.env,
        headless: true,
        timeout: 30_000,
      });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Loads a page; returns what it drew, its errors and the URLs it requested, and leaves a screenshot. */
  async function load(file: string, screenshot: string) {
    const { page, errors, requests } = await watchedPage(browser!);
    await page.goto(pathToFileURL(join(dir, file)).href, { waitUntil: 'load' });
    const drawn = await page.evaluate<Drawn>(INSPECT);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ fullPage: true, path: join(ARTIFACTS, screenshot) });
    // Contexts stay open until the browser closes: the shipped Chromium runs as a single process, which closing one would end.
    return { drawn, errors, requests };
  }

  const needBrowser = (skip: (note: string) => void) => {
    if (browser) return true;
    if (browserRequired()) expect.fail(`${BROWSER_MISSING} (CI=true: the browser test must run)`);
    console.warn(`skipped: ${BROWSER_MISSING}`);
    skip(BROWSER_MISSING);
    return false;
  };

  it(
    'draws the page: a lane per pCPU, contended lock and vCPU, the preemption, the kick and its arrow; no error, no fetch',
    { timeout: 60_000 },
    async ({ skip }) => {
      if (!needBrowser(skip)) return;
      const { drawn, errors, requests } = await load('timeline.html', 'timeline.png');
      expect(drawn.figures).toHaveLength(1);
      const [figure] = drawn.figures;
      expect(figure!.lanes).toEqual({ pcpu: FIXTURE_FACTS.pcpus, lock: FIXTURE_FACTS.contendedLocks, vcpu: FIXTURE_FACTS.vcpus });
      expect(figure!.emptyLanes).toEqual([]);
      expect(figure!.marks['lock-holder-preemption']).toBe(FIXTURE_FACTS.lockHolderPreemptions);
      expect(figure!.marks.kick).toBe(FIXTURE_FACTS.kicks);
      expect(figure!.marks['flow-kick']).toBe(1);
      expect(figure!.slices).toBeGreaterThan(20);
      expect(errors).toEqual([]);
      expect(requests.filter((url) => !/^(file|data):/.test(url))).toEqual([]);
    },
  );

  it('draws the bench report\u2019s naive and enlightened timelines one above the other at full width', { timeout: 60_000 }, async ({ skip }) => {
    if (!needBrowser(skip)) return;
    const { drawn, errors, requests } = await load('report.html', 'timeline-report.png');
    expect(drawn.figures.map((f) => f.name)).toEqual(['timeline/naive', 'timeline/enlightened']);
    for (const f of drawn.figures) {
      expect(f.lanes.pcpu, f.name).toBe(FIXTURE_FACTS.pcpus);
      expect(f.lanes.lock, f.name).toBe(FIXTURE_FACTS.contendedLocks);
      expect(f.emptyLanes, f.name).toEqual([]);
      expect(f.width, f.name).toBeGreaterThan(900);
    }
    expect(drawn.figures[1]!.marks['flow-kick']).toBe(2);
    expect(errors).toEqual([]);
    expect(requests.filter((url) => !/^(file|data):/.test(url))).toEqual([]);
  });

  it(
    'draws the timeline the bench records for its report: the naive run\u2019s lanes with a preemption mark, the enlightened one\u2019s with a kick arrow or a halt',
    { timeout: 60_000 },
    async ({ skip }) => {
      if (!needBrowser(skip)) return;
      const { drawn, errors, requests } = await load('recorded-report.html', 'timeline-recorded-report.png');
      expect(drawn.figures.map((f) => f.name)).toEqual(['timeline/naive', 'timeline/enlightened']);
      const { pcpus, vms } = timelineCases().naive.config;
      for (const f of drawn.figures) {
        expect(f.lanes.pcpu, f.name).toBe(pcpus);
        expect(f.lanes.vcpu, f.name).toBe(vms[0]!.vcpus);
        expect(f.lanes.lock, f.name).toBeGreaterThanOrEqual(1);
        expect(f.emptyLanes, f.name).toEqual([]);
        expect(f.slices, f.name).toBeGreaterThan(0);
      }
      const [naive, enlightened] = drawn.figures;
      expect((naive!.marks['lock-holder-preemption'] ?? 0) + (naive!.marks['lock-waiter-preemption'] ?? 0), 'naive: preemption marks').toBeGreaterThan(0);
      expect((enlightened!.marks['flow-kick'] ?? 0) + enlightened!.halted, 'enlightened: kick arrows and halted slices').toBeGreaterThan(0);
      expect(errors).toEqual([]);
      expect(requests.filter((url) => !/^(file|data):/.test(url))).toEqual([]);
    },
  );
});
