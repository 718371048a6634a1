/**
 * Timeline: one short window of a naive run and of an enlightened one, one above the other, on
 * the same time range, so that the convoy (a preempted lock holder, its waiters spinning through
 * their slices) and its cure (waiters halted, kicked awake at the release) can be seen, not only
 * counted. Drawn by the timeline view (src/report/timeline) from two parsed traces.
 */
import type { RangeUs } from '../../../src/io/time-range.js';
import { buildTimeline, readTraceJson, traceSpanUs } from '../../../src/trace/read.js';
import { renderTimeline } from '../../../src/report/timeline/render.js';
import { formatUs, summarizeTimeline } from '../../../src/report/timeline/summary.js';
import { ConfigError } from '../../../src/config/schema.js';
import type { ReportSection } from '../../report/section.js';
import type { TimelinePair } from './pair.js';

export type { TimelinePair } from './pair.js';
import { claimParagraph, section } from '../../report/sections/common.js';

/**
 * The pair from two parsed traces (Chrome Trace Event JSON values), both clipped to `range`, or,
 * without one, to the span both traces cover. Labels: each trace's `otherData.label`, else
 * `names` (which also name the traces in errors).
 */
export function timelinePair(
  naive: unknown,
  enlightened: unknown,
  range: RangeUs = {},
  names: readonly [string, string] = ['naive', 'enlightened'],
): TimelinePair {
  const [a, b] = [traceSpanUs(naive, names[0]), traceSpanUs(enlightened, names[1])];
  const shared: RangeUs = { fromUs: range.fromUs ?? Math.max(a.startUs, b.startUs), toUs: range.toUs ?? Math.min(a.endUs, b.endUs) };
  if (!(shared.fromUs! < shared.toUs!)) throw new ConfigError(`--timeline: ${names[0]} and ${names[1]} share no time range to draw`);
  const left = buildTimeline(naive, shared, names[0]);
  const right = buildTimeline(enlightened, shared, names[1]);
  return {
    naive: { label: left.meta.label ?? fileName(names[0]), model: left },
    enlightened: { label: right.meta.label ?? fileName(names[1]), model: right },
  };
}

/** The pair from two trace files (`--timeline NAIVE.json,ENLIGHTENED.json`), each parsed once. */
export function timelinePairFromFiles(paths: readonly [string, string], range: RangeUs = {}): TimelinePair {
  return timelinePair(readTraceJson(paths[0]), readTraceJson(paths[1]), range, [paths[0], paths[1]]);
}

/** A path's last part: a trace named by its file is labelled by its file's name. */
const fileName = (path: string) => path.replace(/^.*[\\/]/, '');

const share = (part: number, whole: number) => (whole > 0 ? `${Math.round((part / whole) * 100)}%` : '–');

/** The claim the pair supports, from the two ranges' numbers. */
function pairClaim(pair: TimelinePair): string {
  const [n, e] = [summarizeTimeline(pair.naive.model), summarizeTimeline(pair.enlightened.model)];
  return (
    `In the same ${formatUs(pair.naive.model.toUs - pair.naive.model.fromUs)}, ${pair.naive.label}\u2019s vCPUs spun ${share(n.spinningUs, n.runningUs)} of their running time ` +
    `(${n.lockHolderPreemptions} lock-holder preemption${n.lockHolderPreemptions === 1 ? '' : 's'}), ${pair.enlightened.label}\u2019s ${share(e.spinningUs, e.runningUs)} ` +
    `(${e.lockHolderPreemptions} lock-holder preemption${e.lockHolderPreemptions === 1 ? '' : 's'}, ${e.kicks} kick${e.kicks === 1 ? '' : 's'}).`
  );
}

export function renderTimelineSection(pair: TimelinePair | undefined): string {
  if (!pair) return '';
  const figures = (['naive', 'enlightened'] as const).map((which) => {
    const { label, model } = pair[which];
    return renderTimeline(model, {
      title: `${which === 'naive' ? 'Naive' : 'Enlightened'}: ${label}`,
      name: `timeline/${which}`,
      className: 'chart',
      caption: `${label}${model.meta.scenario ? ` on ${model.meta.scenario}` : ''}${model.meta.engine ? ` (${model.meta.engine} engine${model.meta.seed === undefined ? '' : `, seed ${model.meta.seed}`})` : ''}.`,
    });
  });
  return section(
    'timeline',
    'Timeline: the convoy and its cure',
    'One short window of two traced runs of the same case, one above the other on the same time axis: a lane per pCPU (which vCPU ran, in its VM\u2019s colour), ' +
      'a lane per contended lock (its holder, and its waiters as a red step line), and a lane per vCPU (running, runnable, halted; spinning and critical sections inside running). ' +
      'A red triangle is a lock-holder preemption; arrows run from a kick to the wake-up it caused. Under naive spinning the waiters\u2019 lanes fill with spinning while the holder waits for a pCPU; ' +
      'an enlightened policy halts them instead, and the release kicks the next one awake.',
    claimParagraph(pairClaim(pair)) + figures.join(''),
  );
}

export const timelineSection: ReportSection = { id: 'timeline', title: 'Timeline', render: (_results, extras) => renderTimelineSection(extras.timeline) };
