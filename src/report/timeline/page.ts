/**
 * The page `spinvisor timeline TRACE.json --html FILE` writes: the timeline fragment in a
 * self-contained HTML document (inline CSS and SVG; a Content-Security-Policy forbids scripts and
 * every fetch), with what the trace says about itself above it.
 */
import type { TimelineModel } from '../../trace/read.js';
import { esc } from '../html/escape.js';
import { pageHead } from '../html/page-head.js';
import { renderTimeline } from './render.js';
import { formatUs } from './summary.js';

const STYLE = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #d9d9d9; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { padding: 20px 24px 40px; }
h1 { font-size: 22px; margin: 0 0 4px; }
.meta { color: var(--muted); margin: 0 0 12px; }
.warning { padding: 6px 10px; border-left: 4px solid #D55E00; background: #fdf3ec; }
figure.timeline { margin: 0; overflow-x: auto; }
figure.timeline svg { display: block; }
figure.timeline figcaption { margin-top: 8px; font-size: 14px; max-width: 110ch; }
p.how { color: var(--muted); font-size: 14px; max-width: 110ch; }
`;

export interface TimelinePageOptions {
  /** The trace file's name, for the title. */
  readonly source: string;
  readonly widthPx?: number;
}

export function renderTimelinePage(model: TimelineModel, options: TimelinePageOptions): string {
  const m = model.meta;
  const what = [m.scenario && `scenario ${m.scenario}`, m.label, m.engine && `${m.engine} engine`, m.seed !== undefined && `seed ${m.seed}`]
    .filter(Boolean)
    .join(' · ');
  const range = `${formatUs(model.fromUs)} to ${formatUs(model.toUs)} of a trace spanning ${formatUs(model.traceStartUs)} to ${formatUs(model.traceEndUs)}`;
  const warnings = [
    m.format === undefined ? 'Not a spinvisor trace: lanes are named by the trace\u2019s metadata and events are drawn neutrally.' : '',
    m.droppedRecords ? `The recorder dropped ${m.droppedRecords} records that it could not drain in time: the trace has gaps.` : '',
    m.stoppedEarly ? 'The run was stopped early: the trace ends before the run would have.' : '',
  ].filter(Boolean);
  return [
    ...pageHead(`spinvisor timeline · ${options.source}`, `spinvisor timeline (${m.format ?? 'Chrome trace'})`, STYLE),
    '<body>',
    '<main>',
    `<h1>${esc(`Timeline of ${options.source}`)}</h1>`,
    `<p class="meta">${esc([what, range].filter(Boolean).join(' · '))}</p>`,
    ...warnings.map((w) => `<p class="warning">${esc(w)}</p>`),
    renderTimeline(model, { name: options.source, widthPx: options.widthPx }),
    `<p class="how">${esc(
      'Each pCPU lane shows which vCPU ran there, in its VM\u2019s colour; a lock lane shows who held the lock and, as a red step line, how many vCPUs waited for it; ' +
        'a vCPU lane shows its state, with spinning and critical sections as thinner bars inside running. A red triangle marks a lock-holder preemption: ' +
        'the holder lost its pCPU while the lock lane still shows its hold, and the waiters\u2019 lanes fill with spinning until it runs again. ' +
        'Arrows run from a kick to the wake-up it caused. Hover over a bar or mark for its times. To zoom, run the command again with a narrower --window.',
    )}</p>`,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
