/**
 * The self-contained HTML report of `npm run bench -- --html FILE`: scaling curves, the
 * overcommit heat map and bars, a naive and an enlightened timeline (`--timeline`), the sweep curves, the schedulers table, the systems heat map, the published results reproduced, the micro-benchmark table and the environment,
 * as inline SVG and CSS, with the results JSON embedded so the data travels with the page. No
 * script runs and nothing is fetched (a Content-Security-Policy forbids both). Every figure comes
 * from bench/suite/derive.ts (or bench/report/derived.ts on top of it); a group the results do not
 * have (a `--filter` run) simply has no section.
 */
import type { SuiteResults } from '../suite/model.js';
import { attrs, esc, jsonForScript } from '../../src/report/html/escape.js';
import { sig } from './charts/format.js';
import { renderEnvironmentSection } from './sections/environment.js';
import { renderMicroSection } from './sections/micro.js';
import { renderOvercommitSection } from './sections/overcommit.js';
import { renderReproduceSection } from './sections/reproduce.js';
import { renderScalingSection } from './sections/scaling.js';
import { renderSchedulersSection } from './sections/schedulers.js';
import { renderSweepSection } from './sections/sweep.js';
import { renderSystemsSection } from './sections/systems.js';
import { renderTimelineSection, type TimelinePair } from './sections/timeline.js';
import { STYLE } from './style.js';

/** The id of the `<script type="application/json">` element holding the results. */
export const RESULTS_ELEMENT_ID = 'spinvisor-results';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const SECTION_TITLES: Record<string, string> = {
  scaling: 'Scaling',
  overcommit: 'Overcommit',
  timeline: 'Timeline',
  sweep: 'Sweeps',
  schedulers: 'Schedulers',
  systems: 'Systems',
  reproduce: 'Published results',
  micro: 'Micro-benchmarks',
  environment: 'Environment',
};

/** One line on the runs' self-checks: all passed, or which failed. */
function selfCheckStatus(results: SuiteResults): string {
  const runs = results.cases.flatMap((c) => c.runs.map((r) => ({ c, r })));
  if (runs.length === 0) return '';
  const failed = runs.filter(({ r }) => !r.ok);
  if (failed.length === 0) return `<p class="status">All ${runs.length} runs of ${results.cases.length} cases passed their self-checks.</p>`;
  const items = failed.map(({ c, r }) => `<li>${esc(`${c.label} (${c.engine}), seed ${r.seed}: ${r.failedChecks.join('; ') || 'failed'}`)}</li>`);
  return `<div class="status failed"><p>${failed.length} of ${runs.length} runs failed a self-check; their figures are not to be trusted:</p><ul>${items.join('')}</ul></div>`;
}

function header(results: SuiteResults, present: readonly string[]): string {
  const env = results.environments[0];
  const where = env ? `${env.cpuModel}, ${env.cores} cores, Node ${env.node}` : 'unknown host';
  const shards = results.environments.length > 1 ? ` (${results.environments.length} shards)` : '';
  const meta = `${results.createdAt} · ${where}${shards} · ${results.options.runs} run${results.options.runs === 1 ? '' : 's'} per case${results.options.quick ? ' (quick)' : ''} · ${sig(results.elapsedS)} s`;
  const nav = present.map((id) => `<li><a href="#${esc(id)}">${esc(SECTION_TITLES[id] ?? id)}</a></li>`).join('');
  return `<header><h1>spinvisor benchmark report</h1><p class="meta">${esc(meta)}</p>${selfCheckStatus(results)}<nav aria-label="Sections"><ul>${nav}</ul></nav></header>`;
}

/** What the report draws besides the results: the timeline of a naive and an enlightened trace of one case, when given. */
export interface ReportExtras {
  readonly timeline?: TimelinePair;
}

export function renderHtmlReport(results: SuiteResults, extras: ReportExtras = {}): string {
  const sections: [string, string][] = [
    ['scaling', renderScalingSection(results.cases)],
    ['overcommit', renderOvercommitSection(results.cases)],
    ['timeline', renderTimelineSection(extras.timeline)],
    ['sweep', renderSweepSection(results.cases)],
    ['schedulers', renderSchedulersSection(results.cases)],
    ['systems', renderSystemsSection(results.cases)],
    ['reproduce', renderReproduceSection(results.cases)],
    ['micro', renderMicroSection(results.micro)],
    ['environment', renderEnvironmentSection(results)],
  ];
  const present = sections.filter(([, html]) => html !== '');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta${attrs({ 'http-equiv': 'Content-Security-Policy', content: CSP })}>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta${attrs({ name: 'generator', content: `spinvisor bench (${results.format})` })}>`,
    '<link rel="icon" href="data:,">',
    `<title>spinvisor benchmark report · ${esc(results.createdAt)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    '<main>',
    header(
      results,
      present.map(([id]) => id),
    ),
    ...present.map(([, html]) => html),
    `<footer>Generated by spinvisor's bench suite. The results this page was drawn from are embedded in it as JSON (<code>#${RESULTS_ELEMENT_ID}</code>).</footer>`,
    '</main>',
    `<script type="application/json"${attrs({ id: RESULTS_ELEMENT_ID })}>${jsonForScript(results)}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
