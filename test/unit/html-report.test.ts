/**
 * The HTML report as text: hostile names are escaped everywhere (markup and embedded JSON), a
 * group the results lack has no section, and the numbers in the captions and marks are
 * derive.ts's. The browser-side checks (drawing, console, network) are in test/e2e.
 */
import { describe, expect, it } from 'vitest';
import { renderHtmlReport, RESULTS_ELEMENT_ID } from '../../bench/report/html.js';
import { esc, jsonForScript } from '../../src/report/html/escape.js';
import { costsAtOneX, mechanismBars, overcommitRows, ratiosOf } from '../../bench/groups/overcommit/derive.js';
import { PRESET_MECHANISMS } from '../../bench/groups/overcommit/mechanisms.js';
import { scalingSeries } from '../../bench/groups/scaling/derive.js';
import { sweepCurves } from '../../bench/groups/sweeps/derive.js';
import { systemsMatrices } from '../../bench/groups/systems/derive.js';
import { MECHANISMS, mechanismLabel } from '../../src/config/mechanisms.js';
import type { CaseResult, OvercommitParams, SuiteResults } from '../../bench/suite/model.js';
import { SYSTEMS } from '../../src/config/systems.js';
import { buildSuiteResults } from '../fixtures/suite-results.js';

const unescape = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (_, e: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[e]!);

/** The markup of one chart's figure, by its (unescaped) data-chart name. */
function figureOf(html: string, name: string): string {
  const start = html.indexOf(`<figure class="chart" data-chart="${esc(name)}">`);
  expect(start, `chart ${name}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</figure>', start));
}
const captionOf = (html: string, name: string) => unescape(/<figcaption>(.*?)<\/figcaption>/s.exec(figureOf(html, name))![1]!);
const dataValues = (figure: string, kind: string) =>
  [...figure.matchAll(new RegExp(`class="mark ${kind}"[^>]*data-value="([^"]+)"`, 'g'))].map((m) => Number(m[1]));
const chartNames = (html: string) => [...html.matchAll(/<figure class="chart" data-chart="([^"]*)"/g)].map((m) => unescape(m[1]!));
const embedded = (html: string) => {
  const open = `<script type="application/json" id="${RESULTS_ELEMENT_ID}">`;
  const start = html.indexOf(open) + open.length;
  return html.slice(start, html.indexOf('</script>', start));
};
const pct = (fraction: number) => `${Math.round(fraction * 100)}%`;

describe('escaping', () => {
  const hostile = {
    contended: '<script>alert("c")</script>',
    uncontended: `"><img src=x onerror=alert('u')>`,
  };
  const base = buildSuiteResults({ presets: hostile, vmName: (i) => `vm</script><b>${i}`, microPrefix: '<svg onload=alert(1)>' });
  const results: SuiteResults = {
    ...base,
    environments: [{ ...base.environments[0]!, cpuModel: '<iframe src="//evil">' }],
    options: { ...base.options, filters: ['</script><!--'] },
  };
  const html = renderHtmlReport(results);

  it('lets no tag of a hostile name into the markup', () => {
    expect(html.match(/<script/g)).toHaveLength(1); // the JSON block, nothing else
    for (const tag of ['<img', '<b>', '<svg onload', '<iframe', '<!--']) expect(html).not.toContain(tag);
    expect(html).toContain(esc(hostile.contended));
    expect(html).toContain(esc(hostile.uncontended));
    expect(html).toContain('&lt;iframe src=&quot;//evil&quot;&gt;');
  });

  it('escapes names in chart names, headings and captions', () => {
    const names = chartNames(html);
    expect(names).toContain(`scaling/threads/${hostile.contended}`);
    expect(names).toContain(`sweep/virtual/${hostile.contended}/sliceUs`);
    expect(captionOf(html, `overcommit-heatmap/threads`)).toContain(`(${hostile.contended}, split into VMs)`);
  });

  it('embeds the results as JSON that cannot end its script block and reads back unchanged', () => {
    const json = embedded(html);
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(results)));
    expect(jsonForScript({ s: '</script>\u2028' })).toBe('{"s":"\\u003c/script>\\u2028"}');
  });
});

describe('sections', () => {
  it('omits the sections of groups a filtered run lacks, without error', () => {
    const html = renderHtmlReport(buildSuiteResults({ groups: ['scaling'] }));
    expect(html).toContain('data-section="scaling"');
    expect(html).toContain('data-section="environment"');
    for (const id of ['overcommit', 'sweep', 'schedulers', 'systems', 'micro']) {
      expect(html).not.toContain(`data-section="${id}"`);
      expect(html).not.toContain(`href="#${id}"`);
    }
    expect(chartNames(html).every((n) => n.startsWith('scaling/'))).toBe(true);
  });

  it('renders a page with no case and no micro report', () => {
    const html = renderHtmlReport(buildSuiteResults({ groups: [] }));
    expect(chartNames(html)).toEqual([]);
    expect(html).toContain('data-section="environment"');
    expect(html).not.toContain('data-section="scaling"');
  });

  const isBaselineCase = (c: CaseResult) => c.params.kind === 'overcommit' && c.params.lock === 'ticket' && c.params.policy === 'naive';

  it('renders partial data with dashes and plain words, never NaN', () => {
    const base = buildSuiteResults();
    const cases = base.cases.filter(
      (c) =>
        !(c.params.kind === 'scaling' && c.params.mode === 'bare') &&
        !isBaselineCase(c) &&
        !(c.params.kind === 'system' && c.params.system === 'bare-metal') &&
        !(c.params.kind === 'sweep' && c.params.value !== 1000 && c.params.value !== 64),
    );
    const html = renderHtmlReport({ ...base, cases });
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
    // No bare metal to divide by: every system cell is drawn empty, and the caption says why.
    expect(captionOf(html, 'systems-heatmap/virtual')).toBe('uncontended: bare metal did not run. contended: bare metal did not run.');
    expect(figureOf(html, 'systems-heatmap/virtual')).not.toContain('class="mark cell"');
    expect(captionOf(html, 'scaling/virtual/contended')).toContain('cannot be compared with bare metal');
    expect(captionOf(html, 'overcommit-heatmap/threads')).toMatch(/^At 3× overcommit, the least each other mechanism keeps in any row: tas · naive \d+%/);
    expect(captionOf(html, 'mechanism-bars/threads/contended/vms')).toContain('– with ttas · notify');
    expect(captionOf(html, 'sweep/threads/contended/sliceUs')).toContain('Too few points');
    expect(renderHtmlReport(base)).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('draws every mechanism the data has, not a fixed list', () => {
    const base = buildSuiteResults({ groups: ['overcommit'] });
    // A pair the list lacks: drawn after the list's, with a colour of its own.
    const extra = (c: CaseResult): CaseResult => {
      const p = c.params as OvercommitParams;
      return { ...c, id: c.id.replace('/ttas/notify/', '/mcs/notify/'), params: { ...p, lock: 'mcs' } };
    };
    const cases = [
      ...base.cases,
      ...base.cases.filter((c) => c.params.kind === 'overcommit' && c.params.lock === 'ttas' && c.params.policy === 'notify').map(extra),
    ];
    const html = renderHtmlReport({ ...base, cases });
    const bars = figureOf(html, 'mechanism-bars/threads/contended/vms');
    expect(dataValues(bars, 'bar')).toHaveLength((MECHANISMS.length + 1) * 4);
    const legend = [...bars.matchAll(/width="14" height="12" fill="[^"]+"\/><text[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
    expect(legend).toEqual([...MECHANISMS.map(mechanismLabel), 'mcs · notify']);
    expect(captionOf(html, 'overcommit-heatmap/threads')).toMatch(/, mcs · notify \d+%\./);
    expect(captionOf(html, 'mechanism-bars/threads/contended/vms')).toContain('with mcs · notify');
  });

  it('gives each mechanism one colour, whatever mechanisms a run has', () => {
    /** The legend's colour of each mechanism in a bar chart. */
    const colours = (results: SuiteResults) => {
      const bars = figureOf(renderHtmlReport(results), 'mechanism-bars/threads/contended/vms');
      return Object.fromEntries(
        [...bars.matchAll(/<rect x="[^"]+" y="[^"]+" width="14" height="12" fill="([^"]+)"\/><text[^>]*>([^<]+)<\/text>/g)].map((m) => [m[2], m[1]]),
      );
    };
    const base = buildSuiteResults({ groups: ['overcommit'] });
    const all = colours(base);
    expect(Object.keys(all)).toEqual(MECHANISMS.map(mechanismLabel));
    expect(new Set(Object.values(all)).size).toBe(MECHANISMS.length);
    const withoutNotify = colours({
      ...base,
      cases: base.cases.filter((c) => c.params.kind !== 'overcommit' || c.params.policy !== 'notify'),
    });
    expect(Object.keys(withoutNotify)).toHaveLength(MECHANISMS.length - 1);
    for (const [mechanism, colour] of Object.entries(withoutNotify)) expect(colour, mechanism).toBe(all[mechanism]);
    // The heat map's rows carry the same colour as a swatch.
    const map = figureOf(renderHtmlReport(base), 'overcommit-heatmap/threads');
    const swatches = [...map.matchAll(/>([^<]+)<\/text><rect class="swatch"[^>]* fill="([^"]+)"/g)].map((m) => [m[1], m[2]]);
    expect(swatches.length).toBe(2 * MECHANISMS.length + 2 * PRESET_MECHANISMS.length);
    for (const [mechanism, colour] of swatches) expect(colour, mechanism).toBe(all[mechanism!]);
  });

  it('lists the mechanisms: who ships each, and its cost at 1× per engine and preset', () => {
    const results = buildSuiteResults({ groups: ['overcommit'] });
    const html = renderHtmlReport(results);
    const table = /<table class="data mechanisms">(.*?)<\/table>/s.exec(html)![1]!;
    const rows = [...table.matchAll(/<tr><th scope="row">.*?<\/span>([^<]+)<\/th><td class="ships">([^<]*)<\/td>(.*?)<\/tr>/g)];
    expect(rows.map((r) => unescape(r[1]!))).toEqual(MECHANISMS.map(mechanismLabel));
    expect(rows.map((r) => unescape(r[2]!))).toEqual(MECHANISMS.map((m) => m.ships));
    const costs = costsAtOneX(overcommitRows(results.cases));
    expect(costs.map((c) => `${c.engine}/${c.preset}`)).toEqual(['threads/contended', 'threads/uncontended', 'virtual/contended']);
    expect([...table.matchAll(/<th class="num">([^<]+)<\/th>/g)].map((m) => m[1])).toEqual(costs.map((c) => `cost at 1×, ${c.preset}, ${c.engine}`));
    const notify = rows.find((r) => unescape(r[1]!) === 'ttas · notify')!;
    const figures = [...notify[3]!.matchAll(/<td class="num">([^<]+)<\/td>/g)].map((m) => m[1]);
    expect(figures).toEqual(costs.map((c) => `${c.costs.find((x) => x.mechanism === 'ttas · notify')!.relative.toFixed(2)}×`));
    // A mechanism that did not run on a preset is a dash.
    const tas = rows.find((r) => unescape(r[1]!) === 'tas · naive')!;
    expect([...tas[3]!.matchAll(/<td class="num">([^<]+)<\/td>/g)].map((m) => m[1])).toEqual(['0.97×', '–', '0.97×']);
  });

  it('shows how often pv-halt halted in the heat map cells of its rows', () => {
    const html = renderHtmlReport(buildSuiteResults({ groups: ['overcommit'] }));
    const titles = [...figureOf(html, 'overcommit-heatmap/threads').matchAll(/<title>([^<]*)<\/title>/g)].map((m) => unescape(m[1]!));
    const halting = titles.filter((t) => t.includes('Waiters halted'));
    expect(halting.length).toBeGreaterThan(0);
    expect(halting.every((t) => /^contended · [a-z-]+ · pv-halt[+a-z-]* · /.test(t))).toBe(true);
    expect(titles.filter((t) => / · pv-halt[+a-z-]* · /.test(t)).every((t) => t.includes('Waiters halted'))).toBe(true);
  });

  it('tables rr against global-lock per engine, a row per pCPUs × slice, with the claim under each table', () => {
    const html = renderHtmlReport(buildSuiteResults({ groups: ['schedulers'] }));
    expect(html).toContain('data-section="schedulers"');
    expect(html).toContain('href="#schedulers"');
    const start = html.indexOf('data-section="schedulers"');
    const body = html.slice(start, html.indexOf('</section>', start));
    expect(body.match(/<table class="data schedulers">/g)).toHaveLength(2);
    expect(body.match(/<tr><td/g)).toHaveLength(2 + 6);
    expect(body).toContain('<td class="num">64</td><td class="num">100 µs</td><td class="num">2.00%</td><td class="num">2.31%</td><td class="num">+0.306</td>');
    const claims = [...body.matchAll(/<p class="claim">([^<]*)<\/p>/g)].map((m) => unescape(m[1]!));
    expect(claims).toHaveLength(2);
    expect(claims[1]).toMatch(/^global-lock costs 0\.300 points of hv % more than rr at 2 pCPUs, 100 µs slices; 0\.302 points at 16; 0\.306 points at 64/);
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('draws the systems matrix as a heat map per engine: a row per system under each preset, a cell per ratio, all VMs over bare metal', () => {
    const results = buildSuiteResults({ groups: ['systems'] });
    const html = renderHtmlReport(results);
    expect(html).toContain('data-section="systems"');
    expect(html).toContain('href="#systems"');
    expect(chartNames(html)).toEqual(['systems-heatmap/threads', 'systems-heatmap/virtual']);
    const systems = SYSTEMS.filter((s) => s.mode !== 'bare').map((s) => s.name);
    for (const engine of ['threads', 'virtual'] as const) {
      const figure = figureOf(html, `systems-heatmap/${engine}`);
      // Row by row (each preset's systems in the list's order), ratio by ratio: derive.ts's figure.
      const expected = systemsMatrices(results.cases)
        .filter((m) => m.engine === engine)
        .flatMap((m) => m.rows.flatMap((r) => r.cells.map((c) => c.totalVsBare)));
      expect(expected).toHaveLength(2 * systems.length * 4);
      const values = dataValues(figure, 'cell');
      expect(values).toHaveLength(expected.length);
      values.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 9));
      const titles = [...figure.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => unescape(m[1]!));
      expect(titles).toContain(
        `contended · kvm-no-pv at 2×: all VMs together 1.36× bare metal's throughput (bare metal ${engine === 'virtual' ? '274k acquisitions per virtual second' : '34.3k acquisitions per second'}); ` +
          "per VM 136.0% of its fair share of bare metal's (worst VM 134.6%). " +
          `2 VMs × ${engine === 'virtual' ? 16 : 2} vCPUs on ${engine === 'virtual' ? 16 : 2} pCPUs; spin 50.0% of vCPU run time, hypervisor 35.0% of pCPU time (medians of the runs).`,
      );
      expect(captionOf(html, `systems-heatmap/${engine}`)).toContain(
        'contended: bare metal 274k acquisitions'.replace('274k', engine === 'virtual' ? '274k' : '34.3k'),
      );
      expect(captionOf(html, `systems-heatmap/${engine}`)).toContain('At 3× overcommit the best is hyperv-ws2008 (2.15× bare metal');
    }
    expect(html).not.toMatch(/NaN|undefined|Infinity/);
  });

  it('draws the halt-threshold sweep as one chart, a line at 1× and one at 2×, with both knees under it', () => {
    const results = buildSuiteResults({ groups: ['sweep'], haltSweep: true });
    const html = renderHtmlReport(results);
    for (const engine of ['threads', 'virtual'] as const) {
      const figure = figureOf(html, `sweep/${engine}/contended/haltThreshold`);
      expect([...figure.matchAll(/data-series="([^"]+)"/g)].map((m) => unescape(m[1]!))).toEqual([
        'pv-halt, 2 VMs at 2× overcommit (median, min–max band)',
        'pv-halt, 1 VM alone at 1× (median, min–max band)',
      ]);
      expect(figure.match(/class="mark point"/g)).toHaveLength(2 * 13);
      const curves = sweepCurves(results.cases).filter((c) => c.engine === engine && c.variable === 'haltThreshold');
      expect(curves.map((c) => c.ratio)).toEqual([1, 2]);
      const caption = captionOf(html, `sweep/${engine}/contended/haltThreshold`);
      expect(caption).toContain(
        `pv-halt at 2× overcommit (2 VMs × 2 vCPUs on 2 pCPUs): ${curves[1]!.knee} pv-halt at 1× (1 VM of 2 vCPUs on 2 pCPUs): ${curves[0]!.knee}`,
      );
    }
    // The notify sweeps keep one line each and their chart names.
    expect(chartNames(html).sort()).toEqual(
      ['threads', 'virtual'].flatMap((e) => ['haltThreshold', 'sliceUs', 'spinThreshold'].map((v) => `sweep/${e}/contended/${v}`)).sort(),
    );
  });
});

describe('the numbers are derive.ts\u2019s', () => {
  const results = buildSuiteResults();
  const html = renderHtmlReport(results);

  it('scaling captions: VM share of bare metal, speed-ups and the ideal at the largest pCPU count', () => {
    const series = scalingSeries(results.cases);
    expect(series).toHaveLength(4);
    for (const s of series) {
      const last = s.points[s.points.length - 1]!;
      const caption = captionOf(html, `scaling/${s.engine}/${s.workload}`);
      expect(caption).toContain(`At ${last.pcpus} pCPUs the VM does ${pct(last.vmOverBare)} of bare metal's throughput`);
      expect(caption).toContain(
        `ideal would be ${last.pcpus.toFixed(2)}×, the VM reaches ${last.speedupVm.toFixed(2)}× (bare metal ${last.speedupBare.toFixed(2)}×)`,
      );
      const ratios = s.points.map((p) => p.vmOverBare);
      expect(caption).toContain(`within ${pct(Math.min(...ratios))}–${pct(Math.max(...ratios))} of bare metal`);
    }
  });

  it("the hypervisor share comes from the virtualized cases, not the schedulers group's deliberate global-lock baseline nor the systems' reactions", () => {
    const shares = results.cases
      .filter((c) => c.group !== 'schedulers' && c.group !== 'systems' && !(c.params.kind === 'scaling' && c.params.mode === 'bare'))
      .map((c) => c.metrics.hvFraction.median);
    expect(unescape(html)).toContain(`at most ${(Math.max(...shares) * 100).toFixed(2)}% (`);
  });

  it('heat map cells are the per-VM shares of the fair share, and the caption quotes the extremes', () => {
    for (const engine of ['threads', 'virtual'] as const) {
      const rows = overcommitRows(results.cases).filter((r) => r.engine === engine);
      const figure = figureOf(html, `overcommit-heatmap/${engine}`);
      const expected = rows.flatMap((r) => r.cells.map((c) => c.perVmVsFairShare.mean)).sort();
      expect(dataValues(figure, 'cell').sort()).toEqual(expected);
      const top = Math.max(...ratiosOf(rows));
      const at = (mechanism: string) =>
        rows.filter((r) => r.mechanism === mechanism).map((r) => r.cells.find((c) => c.params.ratio === top)!.perVmVsFairShare.mean);
      const caption = captionOf(html, `overcommit-heatmap/${engine}`);
      expect(caption).toContain(`At ${top}× overcommit, ticket · naive falls to as little as ${pct(Math.min(...at('ticket · naive')))} of the fair share`);
      expect(caption).toContain(`ttas · notify ${pct(Math.min(...at('ttas · notify')))}, `);
      // Rows: per preset and shape, the mechanisms in the list's order.
      const labels = [...figure.matchAll(/text-anchor="end"[^>]*>([^<]+)<\/text>/g)].map((m) => m[1]);
      expect(labels.slice(0, MECHANISMS.length)).toEqual(MECHANISMS.map(mechanismLabel));
    }
  });

  it('bars are relative to ticket · naive at 1×, with the caption at the highest ratio', () => {
    const all = mechanismBars(overcommitRows(results.cases));
    expect(all.map((b) => `${b.engine}/${b.preset}/${b.shape}`)).toEqual([
      'threads/contended/vms',
      'threads/contended/vcpus',
      'threads/uncontended/vms',
      'threads/uncontended/vcpus',
      'virtual/contended/vms',
      'virtual/contended/vcpus',
    ]);
    for (const b of all) {
      const name = `mechanism-bars/${b.engine}/${b.preset}/${b.shape}`;
      // Drawn group by group (ratio), a bar per mechanism in each, in the list's order.
      expect(dataValues(figureOf(html, name), 'bar')).toEqual(b.ratios.flatMap((_, r) => b.bars.map((x) => x.relative[r])));
      expect(b.bars.map((x) => x.mechanism)).toEqual((b.preset === 'contended' ? MECHANISMS : PRESET_MECHANISMS).map(mechanismLabel));
      const i = b.ratios.length - 1;
      const at = (mechanism: string) => b.bars.find((x) => x.mechanism === mechanism)!.relative[i]!;
      const [baseline, notify] = [at('ticket · naive'), at('ttas · notify')];
      const caption = captionOf(html, name);
      expect(caption).toMatch(new RegExp(`^At ${b.ratios[i]}× overcommit, all VMs together do ${baseline.toFixed(2)}× with ticket · naive(, | and )`));
      expect(caption).toContain(` ${notify.toFixed(2)}× with ttas · notify (${(notify / baseline).toFixed(1)}× the baseline's)`);
      // The 1× group is each mechanism's cost at 1×.
      expect(b.bars.find((x) => x.mechanism === 'ticket · naive')!.relative[0]).toBeCloseTo(1, 1);
    }
  });

  it('sweep captions carry the knee sentence', () => {
    const curves = sweepCurves(results.cases);
    expect(curves).toHaveLength(4);
    for (const c of curves) expect(captionOf(html, `sweep/${c.engine}/${c.preset}/${c.variable}`)).toContain(c.knee);
  });
});
