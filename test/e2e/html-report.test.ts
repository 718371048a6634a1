/**
 * The HTML report as a browser draws it: render the report of a realistic fixture, load it in
 * headless Chromium driven by playwright-core, and check that every chart drew its marks inside
 * its frame, that the page logged no error and fetched nothing, and save a full-page screenshot
 * to artifacts/html-report.png.
 *
 * The browser: $CHROMIUM, else an installed Chromium or Chrome, else (Linux x64) the one the
 * @sparticuz/chromium dev dependency ships (test/helpers/browser.ts). Where there is none the
 * test is skipped with a line saying how to get one, except under CI=true, where it fails.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport, RESULTS_ELEMENT_ID } from '../../bench/report/html.js';
import { PRESET_MECHANISMS } from '../../bench/groups/overcommit/mechanisms.js';
import { MECHANISMS } from '../../src/config/mechanisms.js';
import { SYSTEMS } from '../../src/config/systems.js';
import { buildSuiteResults } from '../fixtures/suite-results.js';
import { BROWSER_MISSING, browserRequired, findBrowser } from '../helpers/browser.js';
import { watchedPage } from '../helpers/watched-page.js';

const ARTIFACTS = fileURLToPath(new URL('../../artifacts/', import.meta.url));
const SCREENSHOT = join(ARTIFACTS, 'html-report.png');

type MarkKind = 'point' | 'line' | 'band' | 'whisker' | 'cell' | 'bar';

/** Every chart the fixture must produce, with the least number of drawn marks of each kind. */
const EXPECTED: Record<string, Partial<Record<MarkKind, number>>> = {
  // VM and bare points at each pCPU count, and three lines: VM, bare, ideal.
  'scaling/threads/uncontended': { point: 4, line: 3 },
  'scaling/threads/contended': { point: 4, line: 3 },
  'scaling/virtual/uncontended': { point: 14, line: 3 },
  'scaling/virtual/contended': { point: 14, line: 3 },
  // Rows: every mechanism on the contended preset (and, on threads, 2 on the uncontended one) × 2 shapes; 4 ratios (1×, 1.5×, 2×, 3×).
  'overcommit-heatmap/threads': { cell: (MECHANISMS.length + PRESET_MECHANISMS.length) * 2 * 4 },
  'overcommit-heatmap/virtual': { cell: MECHANISMS.length * 2 * 4 },
  // A bar per mechanism at each of the 4 ratios, each with whiskers.
  ...Object.fromEntries(
    ['vms', 'vcpus'].flatMap((s) => [
      [`mechanism-bars/threads/contended/${s}`, { bar: MECHANISMS.length * 4, whisker: MECHANISMS.length * 4 }],
      [`mechanism-bars/virtual/contended/${s}`, { bar: MECHANISMS.length * 4, whisker: MECHANISMS.length * 4 }],
      [`mechanism-bars/threads/uncontended/${s}`, { bar: PRESET_MECHANISMS.length * 4, whisker: PRESET_MECHANISMS.length * 4 }],
    ]),
  ),
  // 2^6..2^16 and 100 µs..30 ms: a line, a min–max band, a point per value.
  'sweep/threads/contended/spinThreshold': { point: 11, line: 1, band: 1 },
  'sweep/threads/contended/sliceUs': { point: 6, line: 1, band: 1 },
  'sweep/virtual/contended/spinThreshold': { point: 11, line: 1, band: 1 },
  'sweep/virtual/contended/sliceUs': { point: 6, line: 1, band: 1 },
  // pv-halt's halt threshold 2^4..2^16 at 1× and 2×: two lines, two bands, a point per value of each.
  'sweep/threads/contended/haltThreshold': { point: 26, line: 2, band: 2 },
  'sweep/virtual/contended/haltThreshold': { point: 26, line: 2, band: 2 },
  // Rows: every system but bare metal (the reference) under each of 2 presets; 4 ratios (1×, 1.5×, 2×, 3×).
  'systems-heatmap/threads': { cell: (SYSTEMS.length - 1) * 2 * 4 },
  'systems-heatmap/virtual': { cell: (SYSTEMS.length - 1) * 2 * 4 },
};

interface ChartReport {
  readonly name: string;
  readonly svgs: number;
  readonly width: number;
  readonly height: number;
  /** Drawn marks (non-empty bounding box) by kind. */
  readonly drawn: Record<string, number>;
  readonly marks: number;
  readonly caption: string;
  /** Text and marks whose box pokes out of the SVG's frame: clipped. */
  readonly outside: string[];
  /** Pairs of labels drawn over each other. */
  readonly overlaps: string[];
}

/** Runs in the page: what each `figure.chart` drew. */
const INSPECT = `(() => {
  const kinds = ['point', 'line', 'band', 'whisker', 'cell', 'bar'];
  return [...document.querySelectorAll('figure.chart')].map((fig) => {
    const svg = fig.querySelector('svg');
    const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
    const drawn = {};
    const outside = [];
    const overlaps = [];
    let marks = 0;
    if (svg) {
      const frame = svg.getBoundingClientRect();
      for (const el of svg.querySelectorAll('.mark')) {
        marks++;
        const b = el.getBBox();
        if (b.width > 0 || b.height > 0) for (const k of kinds) if (el.classList.contains(k)) drawn[k] = (drawn[k] || 0) + 1;
      }
      // Labels that overlap one another (boxes on screen, sharing more than 1 px each way).
      const texts = [...svg.querySelectorAll('text')].map((t) => [t.textContent.trim(), t.getBoundingClientRect()]);
      for (let i = 0; i < texts.length; i++)
        for (let j = i + 1; j < texts.length; j++) {
          const [a, ra] = texts[i];
          const [b, rb] = texts[j];
          if (Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left) > 1 && Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > 1) overlaps.push(a + ' / ' + b);
        }
      // On screen, transforms (rotated axis titles) included.
      for (const el of svg.querySelectorAll('text, .mark')) {
        const b = el.getBoundingClientRect();
        if (b.left < frame.left - 1 || b.top < frame.top - 1 || b.right > frame.right + 1 || b.bottom > frame.bottom + 1)
          outside.push((el.textContent || el.getAttribute('class') || el.tagName).trim().slice(0, 60));
      }
    }
    return {
      name: fig.getAttribute('data-chart'),
      svgs: fig.querySelectorAll('svg').length,
      width: box.width,
      height: box.height,
      drawn,
      marks,
      caption: (fig.querySelector('figcaption') || { textContent: '' }).textContent.trim(),
      outside,
      overlaps,
    };
  });
})()`;

describe('HTML report in headless Chromium', () => {
  const results = buildSuiteResults({ haltSweep: true });
  let dir = '';
  let file = '';

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'spinvisor-html-'));
    file = join(dir, 'report.html');
    writeFileSync(file, renderHtmlReport(results));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('draws every chart, logs no error, fetches nothing, and leaves a screenshot', { timeout: 60_000 }, async ({ skip }) => {
    const found = findBrowser();
    if (!found) {
      if (browserRequired()) expect.fail(`${BROWSER_MISSING} (CI=true: the browser test must run)`);
      console.warn(`skipped: ${BROWSER_MISSING}`);
      return skip(BROWSER_MISSING);
    }
    const browser = await chromium.launch({
      executablePath: found.executablePath,
      args: [...found.args, '--disable-background-networking', '--hide-scrollbars'],
      env: found.env,
      headless: true,
      timeout: 30_000,
    });
    try {
      const { page, errors, requests } = await watchedPage(browser);

      await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
      const charts = await page.evaluate<ChartReport[]>(INSPECT);

      const names = charts.map((c) => c.name);
      expect(new Set(names).size, 'chart names are unique').toBe(names.length);
      expect([...names].sort()).toEqual(Object.keys(EXPECTED).sort());
      for (const chart of charts) {
        const expected = EXPECTED[chart.name]!;
        expect(chart.svgs, `${chart.name}: one svg`).toBe(1);
        expect(chart.width, `${chart.name}: svg width`).toBeGreaterThan(100);
        expect(chart.height, `${chart.name}: svg height`).toBeGreaterThan(100);
        for (const [kind, least] of Object.entries(expected))
          expect(chart.drawn[kind] ?? 0, `${chart.name}: drawn ${kind} marks`).toBeGreaterThanOrEqual(least);
        expect(chart.caption.length, `${chart.name}: a claim under the chart`).toBeGreaterThan(40);
        expect(chart.outside, `${chart.name}: nothing clipped by the frame`).toEqual([]);
        expect(chart.overlaps, `${chart.name}: no label over another`).toEqual([]);
      }

      // The data travels with the page, intact.
      const embedded = await page.evaluate<string>(`document.getElementById(${JSON.stringify(RESULTS_ELEMENT_ID)}).textContent`);
      expect(JSON.parse(embedded)).toEqual(JSON.parse(JSON.stringify(results)));
      // The micro table and the environment made it too.
      expect(await page.evaluate<number>(`document.querySelectorAll('#micro tbody tr').length`)).toBe(results.micro!.rows.length);
      expect(await page.evaluate<string>(`document.querySelector('#environment').textContent`)).toContain(results.environments[0]!.cpuModel);

      mkdirSync(ARTIFACTS, { recursive: true });
      const png = await page.screenshot({ fullPage: true, path: SCREENSHOT });
      expect(png.subarray(1, 4).toString()).toBe('PNG');

      expect(errors, 'console errors and exceptions').toEqual([]);
      expect(requests.length, 'the page itself was requested').toBeGreaterThan(0);
      expect(
        requests.filter((url) => !/^(file|data):/.test(url)),
        'network requests',
      ).toEqual([]);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n(browser: ${found.source}, ${found.executablePath})`, { cause: error });
    } finally {
      await browser.close();
    }
  });
});
