/**
 * A timeline as an HTML fragment (`<figure>` with one inline SVG, no script): pCPU lanes coloured
 * by VM, one lane per contended lock with its holds and a step line of its waiters, vCPU state
 * lanes (running, runnable, halted; spinning and critical sections inside running), lock-holder
 * and lock-waiter preemptions marked on the victim's lane, kicks and wake-ups marked on the pCPU
 * lanes with an arrow from each kick to the wake-up it caused (and from a directed yield to the
 * vCPU it chose), a time axis in ms of the trace's clock, and a legend.
 *
 * Size stays bounded whatever the trace: on each lane and nesting depth, slices narrower than a
 * pixel are gathered per pixel column into one bar with the colour of most of the column's time
 * (neighbouring columns of one colour joined), instants of one name closer than MERGE_INSTANT_PX are drawn as one mark
 * that counts them, a counter is drawn with at most two points per pixel column, and at most
 * MAX_FLOWS arrows are drawn (the caption says how many were left out). So a lane costs at most a
 * few elements per pixel of width, however many events it holds.
 */
import type { Lane, Slice, TimelineModel } from '../../trace/read.js';
import { attrs, el, esc, num, svgTitle } from '../html/escape.js';
import { niceStep } from '../html/nice-step.js';
import { svgRoot } from '../html/svg-root.js';
import { AXIS, categorical, GRID, INK, MUTED, textOn } from '../html/palette.js';
import { formatUs, summarizeTimeline, summarySentence } from './summary.js';

export interface TimelineOptions {
  /** Width of the plot area, px (the lane labels come on top). */
  readonly widthPx?: number;
  /** The heading above the timeline (plain text). */
  readonly title?: string;
  /** Text put before the summary in the caption (plain text). */
  readonly caption?: string;
  /** `data-timeline` of the figure, for tests and links. */
  readonly name?: string;
  /** Extra classes of the `<figure>` (the bench report's `chart`). */
  readonly className?: string;
}

const DEFAULT_WIDTH_PX = 1000;
const LABEL_PX = 130;
const RIGHT_PX = 14;
const AXIS_PX = 30;
const HEADER_PX = 18;
const LANE_PX: Record<Lane['kind'], number> = { pcpu: 22, lock: 22, vcpu: 16, other: 16 };
const MERGE_INSTANT_PX = 4;
const MAX_FLOWS = 400;
/** Bars narrower than this are merged with their neighbours. */
const MIN_BAR_PX = 1;
const CHAR_PX = 6.2;

const NEUTRAL = '#9e9e9e';

/** vCPU states: running takes the VM's colour; these are the others. */
const STATE_COLOURS: Record<string, string> = {
  runnable: '#d4d4d4',
  halted: '#bcd7ec',
  // Okabe–Ito's yellow: too light for text on white, but it stands out inside any VM's running bar.
  spinning: '#F0E442',
  'critical section': '#332288',
};

/** Instants on the pCPU lanes, by the contract's names; any other name is drawn neutrally. */
const INSTANT_COLOURS: Record<string, string> = {
  'slice end': '#8c8c8c',
  notify: '#CC79A7',
  'ple exit': '#E69F00',
  halt: '#56B4E9',
  yield: '#117733',
  'directed yield': '#882255',
  kick: INK,
  wake: '#009E73',
};

const PREEMPTION = { holder: '#C00000', waiter: '#E69F00' } as const;
const FLOW_COLOURS: Record<string, string> = { kick: INK, 'directed-yield': '#882255' };

interface Row {
  readonly y: number;
  readonly height: number;
  readonly lane?: Lane;
  readonly header?: string;
}

export function renderTimeline(model: TimelineModel, options: TimelineOptions = {}): string {
  const plotW = options.widthPx ?? DEFAULT_WIDTH_PX;
  const x0 = LABEL_PX;
  const span = model.toUs - model.fromUs;
  const x = (us: number) => x0 + ((us - model.fromUs) / span) * plotW;

  // Rows: a header per process (hypervisor, each VM, other processes), then its lanes.
  const lanes = model.lanes;
  const rows: Row[] = [];
  let y = AXIS_PX;
  let group: string | undefined;
  for (const lane of lanes) {
    if (lane.group !== group) {
      group = lane.group;
      rows.push({ y, height: HEADER_PX, header: lane.kind === 'pcpu' ? `${group}: pCPUs` : group });
      y += HEADER_PX;
    }
    rows.push({ y, height: LANE_PX[lane.kind], lane });
    y += LANE_PX[lane.kind];
  }
  const plotBottom = y;
  const centre = new Map<string, number>();
  for (const r of rows) if (r.lane) centre.set(r.lane.key, r.y + r.height / 2);

  const parts: string[] = [];
  parts.push(timeAxis(model.fromUs, model.toUs, x, plotBottom));
  for (const row of rows) {
    if (row.header !== undefined) {
      parts.push(el('text', { x: 4, y: row.y + 13, fill: MUTED, 'font-weight': 600, class: 'group' }, esc(row.header)));
      continue;
    }
    parts.push(renderLane(row.lane!, row, x, model));
  }
  const { svg: flowSvg, drawn: flowsDrawn } = renderFlows(model, x, centre);
  parts.push(flowSvg);

  const legendY = plotBottom + 10;
  const legendRow = legendEntries(model, lanes);
  const { svg: legendSvg, height: legendH } = renderLegend(legendRow, 4, legendY, x0 + plotW);
  parts.push(legendSvg);
  const width = x0 + plotW + RIGHT_PX;
  const height = legendY + legendH + 6;
  const label = options.title ?? 'timeline';
  const svg = svgRoot(width, height, label, parts.join(''), 11);

  const summary = summarizeTimeline(model);
  const left = model.flows.length - flowsDrawn;
  const notes = [
    options.caption ?? '',
    `${formatUs(model.fromUs)} to ${formatUs(model.toUs)} of the trace's clock: ${summarySentence(summary)}`,
    left > 0 ? `${left} of ${model.flows.length} arrows not drawn (at most ${MAX_FLOWS}, evenly spread over the range).` : '',
    model.meta.droppedRecords ? `The recorder dropped ${model.meta.droppedRecords} records: the trace has gaps.` : '',
    model.meta.stoppedEarly ? 'The run was stopped early.' : '',
    model.unpairedFlows > 0 ? `${model.unpairedFlows} flow ends without their partner in the trace were not drawn.` : '',
  ].filter(Boolean);
  const heading = options.title ? `<h3>${esc(options.title)}</h3>` : '';
  return `<figure${attrs({ class: ['timeline', options.className].filter(Boolean).join(' '), 'data-timeline': options.name ?? label })}>${heading}${svg}<figcaption>${esc(notes.join(' '))}</figcaption></figure>`;
}

/** The time axis above the lanes, in ms of the trace's clock, with grid lines down to `bottom`. */
function timeAxis(fromUs: number, toUs: number, x: (us: number) => number, bottom: number): string {
  const step = niceStep(toUs - fromUs, 8);
  const parts = [el('line', { x1: x(fromUs), x2: x(toUs), y1: AXIS_PX - 6, y2: AXIS_PX - 6, stroke: AXIS })];
  for (let t = Math.ceil(fromUs / step - 1e-9) * step; t <= toUs + step * 1e-9; t += step) {
    const tx = x(t);
    parts.push(el('line', { x1: tx, x2: tx, y1: AXIS_PX - 6, y2: bottom, stroke: GRID }));
    parts.push(el('line', { x1: tx, x2: tx, y1: AXIS_PX - 10, y2: AXIS_PX - 6, stroke: AXIS }));
    parts.push(el('text', { x: tx, y: AXIS_PX - 13, 'text-anchor': 'middle', fill: INK }, esc(tickLabel(t, step))));
  }
  parts.push(el('text', { x: 4, y: AXIS_PX - 13, fill: MUTED }, 'time (ms)'));
  return el('g', { class: 'axis axis-time' }, parts.join(''));
}

/** A tick in ms with as many decimals as the step needs. */
function tickLabel(us: number, stepUs: number): string {
  const decimals = Math.max(0, Math.min(6, Math.ceil(-Math.log10(stepUs / 1000) - 1e-9)));
  return (us / 1000).toFixed(decimals);
}

function laneColour(lane: Lane, s: Slice): string {
  const vm = s.vm ?? lane.vm;
  if (lane.kind === 'pcpu' || lane.kind === 'lock') return vm === undefined ? NEUTRAL : categorical(vm);
  if (lane.kind === 'vcpu') {
    if (s.name === 'running') return vm === undefined ? NEUTRAL : categorical(vm);
    return STATE_COLOURS[s.name] ?? NEUTRAL;
  }
  return s.depth === 0 ? NEUTRAL : '#6f6f6f';
}

interface Bar {
  x0: number;
  x1: number;
  count: number;
  first: Slice;
  last: Slice;
  /** Time per colour of the merged slices: the bar takes the colour with the most. */
  readonly weights: Map<string, number>;
}

function renderLane(lane: Lane, row: Row, x: (us: number) => number, model: TimelineModel): string {
  const parts: string[] = [];
  const top = row.y + 1;
  const h = row.height - 2;
  const attrsOf: Record<string, string> = { class: 'lane', 'data-lane': lane.name, 'data-lane-kind': lane.kind, 'data-group': lane.group };
  parts.push(el('text', { x: LABEL_PX - 6, y: row.y + row.height / 2 + 4, 'text-anchor': 'end', fill: INK }, esc(lane.name)));
  parts.push(el('rect', { x: LABEL_PX, y: top, width: x(model.toUs) - LABEL_PX, height: h, fill: '#f4f4f4' }));

  // Bars per depth, merged below a pixel.
  const byDepth = new Map<number, Slice[]>();
  for (const s of lane.slices) {
    let list = byDepth.get(s.depth);
    if (!list) byDepth.set(s.depth, (list = []));
    list.push(s);
  }
  for (const [depth, slices] of [...byDepth].sort((a, b) => a[0] - b[0])) {
    const inset = Math.min(depth, 2) * (h / 6);
    const by = top + inset;
    const bh = h - 2 * inset;
    // Narrow slices gather per pixel column, and the column's bar takes the colour of most of its
    // time; neighbouring merged columns of one colour join into one bar. At most one bar per
    // column, plus the slices wide enough to be drawn on their own.
    let column: (Bar & { index: number }) | undefined;
    let held: Bar | undefined;
    const emit = (bar: Bar) =>
      parts.push(bar.count === 1 && bar.x1 - bar.x0 >= MIN_BAR_PX ? barOf(lane, bar, colour1(bar), by, bh) : mergedBarOf(bar, colour1(bar), by, bh));
    const push = (bar: Bar) => {
      if (held && held.count > 1 && bar.count > 1 && bar.x0 - held.x1 < MIN_BAR_PX && colour1(held) === colour1(bar)) {
        held.x1 = Math.max(held.x1, bar.x1);
        held.count += bar.count;
        held.last = bar.last;
        for (const [colour, us] of bar.weights) held.weights.set(colour, (held.weights.get(colour) ?? 0) + us);
        return;
      }
      if (held) emit(held);
      held = bar;
    };
    for (const s of slices) {
      const sx0 = x(s.startUs);
      const sx1 = x(s.endUs);
      const colour = laneColour(lane, s);
      const us = s.endUs - s.startUs;
      if (sx1 - sx0 >= MIN_BAR_PX) {
        if (column) push(column);
        column = undefined;
        push({ x0: sx0, x1: sx1, count: 1, first: s, last: s, weights: new Map([[colour, us]]) });
        continue;
      }
      const index = Math.floor(sx0);
      if (column?.index === index) {
        column.x1 = Math.max(column.x1, sx1);
        column.weights.set(colour, (column.weights.get(colour) ?? 0) + us);
        column.count++;
        column.last = s;
      } else {
        if (column) push(column);
        column = { index, x0: sx0, x1: sx1, count: 1, first: s, last: s, weights: new Map([[colour, us]]) };
      }
    }
    if (column) push(column);
    if (held) emit(held);
  }

  // A lock's waiters as a step line across the lane.
  if (lane.counter && lane.counter.points.length > 0 && lane.counter.max > 0) parts.push(counterLine(lane, x, top, h, model.toUs));

  // Instants: preemptions as triangles on the victim's lane, kicks and wake-ups as marks, the rest as ticks.
  // Marks of one name closer than MERGE_INSTANT_PX become one, which counts them; each is rendered once, at the end.
  const last = new Map<string, { name: string; x: number; tsUs: number; count: number }>();
  const marks: { name: string; x: number; tsUs: number; count: number }[] = [];
  for (const i of lane.instants) {
    const ix = x(i.tsUs);
    const prior = last.get(i.name);
    if (prior && ix - prior.x < MERGE_INSTANT_PX) {
      prior.count++;
      continue;
    }
    const mark = { name: i.name, x: ix, tsUs: i.tsUs, count: 1 };
    last.set(i.name, mark);
    marks.push(mark);
  }
  for (const m of marks) parts.push(instantMark(m.name, m.x, top, h, m.count, m.tsUs));
  return el('g', attrsOf, parts.join(''));
}

/** The colour of most of a bar's time. */
function colour1(bar: Bar): string {
  let best = NEUTRAL;
  let most = -1;
  for (const [colour, us] of bar.weights)
    if (us > most) {
      best = colour;
      most = us;
    }
  return best;
}

function barOf(lane: Lane, bar: Bar, colour: string, y: number, h: number): string {
  const s = bar.first;
  const w = bar.x1 - bar.x0;
  const label = lane.kind === 'vcpu' && s.depth === 0 ? '' : s.name;
  const text =
    label && w > label.length * CHAR_PX + 6 && h >= 14
      ? el('text', { x: bar.x0 + 3, y: y + h / 2 + 4, fill: textOn(colour), 'pointer-events': 'none' }, esc(label))
      : '';
  return el('rect', { x: bar.x0, y, width: w, height: h, fill: colour, class: 'mark slice', 'data-name': s.name }, svgTitle(sliceTitle(s))) + text;
}

const sliceTitle = (s: Slice): string => `${s.name}: ${formatUs(s.startUs)} to ${formatUs(s.endUs)} (${formatUs(s.endUs - s.startUs)})`;

function mergedBarOf(bar: Bar, colour: string, y: number, h: number): string {
  return el(
    'rect',
    { x: bar.x0, y, width: Math.max(MIN_BAR_PX, bar.x1 - bar.x0), height: h, fill: colour, class: 'mark slice merged', 'data-count': bar.count },
    svgTitle(
      bar.count === 1
        ? sliceTitle(bar.first)
        : `${bar.count} slices narrower than a pixel, ${formatUs(bar.first.startUs)} to ${formatUs(bar.last.endUs)}${bar.weights.size > 1 ? ' (of several colours: the bar has the colour of most of their time)' : ''}`,
    ),
  );
}

function counterLine(lane: Lane, x: (us: number) => number, top: number, h: number, toUs: number): string {
  const c = lane.counter!;
  const yOf = (v: number) => top + h - 1 - (v / c.max) * (h - 3);
  // At most the first and the highest value per pixel column.
  const points: [number, number][] = [];
  let column = Number.NaN;
  for (const p of c.points) {
    const px = Math.round(x(p.tsUs));
    if (px === column && points.length > 0) {
      const lastY = points[points.length - 1]![1];
      points[points.length - 1]![1] = Math.min(lastY, yOf(p.value));
      continue;
    }
    column = px;
    points.push([px, yOf(p.value)]);
  }
  let d = '';
  for (let i = 0; i < points.length; i++) {
    const [px, py] = points[i]!;
    d += i === 0 ? `M${num(px)} ${num(py)}` : `H${num(px)}V${num(py)}`;
  }
  d += `H${num(x(toUs))}`;
  return el(
    'path',
    { d, fill: 'none', stroke: PREEMPTION.holder, 'stroke-width': 1.2, class: 'mark counter', 'data-max': c.max },
    svgTitle(`${c.name}: at most ${c.max}`),
  );
}

function instantMark(name: string, ix: number, top: number, h: number, count: number, tsUs: number): string {
  const title = svgTitle(count > 1 ? `${count} × ${name} from ${formatUs(tsUs)}` : `${name} at ${formatUs(tsUs)}`);
  const common = { 'data-mark': markName(name), 'data-count': count > 1 ? count : undefined };
  if (name === 'lock-holder preemption' || name === 'lock-waiter preemption') {
    const holder = name === 'lock-holder preemption';
    const colour = holder ? PREEMPTION.holder : PREEMPTION.waiter;
    const r = 5;
    return el(
      'path',
      {
        d: `M${num(ix - r)} ${num(top - 1)}L${num(ix + r)} ${num(top - 1)}L${num(ix)} ${num(top + r + 3)}Z`,
        fill: holder ? colour : '#ffffff',
        stroke: colour,
        'stroke-width': 1.5,
        class: 'mark instant preemption',
        ...common,
      },
      title,
    );
  }
  if (name === 'kick') {
    const cy = top + h / 2;
    return el(
      'path',
      {
        d: `M${num(ix)} ${num(cy - 5)}L${num(ix + 4)} ${num(cy)}L${num(ix)} ${num(cy + 5)}L${num(ix - 4)} ${num(cy)}Z`,
        fill: INSTANT_COLOURS.kick,
        stroke: '#ffffff',
        class: 'mark instant',
        ...common,
      },
      title,
    );
  }
  if (name === 'wake')
    return el('circle', { cx: ix, cy: top + h / 2, r: 3.5, fill: INSTANT_COLOURS.wake, stroke: '#ffffff', class: 'mark instant', ...common }, title);
  return el(
    'rect',
    { x: ix - 0.75, y: top + h - 6, width: 1.5, height: 6, fill: INSTANT_COLOURS[name] ?? NEUTRAL, class: 'mark instant tick', ...common },
    title,
  );
}

/** An instant's name as a `data-mark` value: "lock-holder preemption" → "lock-holder-preemption". */
const markName = (name: string): string => name.replace(/\s+/g, '-');

/** Arrows from a kick to its wake-up and from a directed yield to its target, at most MAX_FLOWS, spread over the range. */
function renderFlows(model: TimelineModel, x: (us: number) => number, centre: ReadonlyMap<string, number>): { svg: string; drawn: number } {
  const parts: string[] = [];
  let drawn = 0;
  // Past MAX_FLOWS, every k-th flow, so that the arrows drawn spread over the whole range.
  const shown =
    model.flows.length > MAX_FLOWS ? Array.from({ length: MAX_FLOWS }, (_, i) => model.flows[Math.floor((i * model.flows.length) / MAX_FLOWS)]!) : model.flows;
  for (const f of shown) {
    const y1 = centre.get(f.from.laneKey);
    const y2 = centre.get(f.to.laneKey);
    if (y1 === undefined || y2 === undefined) continue;
    drawn++;
    const [ax, bx] = [x(Math.max(f.from.tsUs, model.fromUs)), x(Math.min(f.to.tsUs, model.toUs))];
    const colour = FLOW_COLOURS[f.cat] ?? NEUTRAL;
    const bend = Math.max(12, Math.abs(bx - ax) / 2);
    const d = `M${num(ax)} ${num(y1)}C${num(ax + bend)} ${num(y1)} ${num(bx - bend)} ${num(y2)} ${num(bx)} ${num(y2)}`;
    // The arrow head points along the curve's last tangent, which is horizontal.
    const head = `M${num(bx)} ${num(y2)}L${num(bx - 7)} ${num(y2 - 3.5)}L${num(bx - 7)} ${num(y2 + 3.5)}Z`;
    parts.push(
      el(
        'g',
        { class: 'mark flow', 'data-mark': `flow-${f.cat}` },
        el('path', { d, fill: 'none', stroke: colour, 'stroke-width': 1.3, 'stroke-dasharray': f.cat === 'kick' ? undefined : '4 2' }) +
          el('path', { d: head, fill: colour }) +
          svgTitle(`${f.cat}: ${formatUs(f.from.tsUs)} → ${formatUs(f.to.tsUs)}`),
      ),
    );
  }
  return { svg: el('g', { class: 'flows' }, parts.join('')), drawn };
}

interface LegendEntry {
  readonly label: string;
  readonly colour: string;
  readonly shape: 'box' | 'inset' | 'tick' | 'down' | 'down-open' | 'diamond' | 'dot' | 'arrow' | 'line';
}

/** What the lanes actually show: the VMs' colours, the states, the marks present. */
function legendEntries(model: TimelineModel, lanes: readonly Lane[]): LegendEntry[] {
  const entries: LegendEntry[] = model.vms.map((name, i) => ({ label: name, colour: categorical(i), shape: 'box' }));
  const names = new Set<string>();
  const slices = new Set<string>();
  let counter = false;
  let neutral = false;
  for (const l of lanes) {
    for (const i of l.instants) names.add(i.name);
    if (l.counter) counter = true;
    if (l.kind === 'vcpu') for (const s of l.slices) slices.add(s.name);
    if (l.kind === 'other' || l.slices.some((s) => s.vm === undefined && l.kind === 'pcpu')) neutral = true;
  }
  for (const state of ['runnable', 'halted'] as const) if (slices.has(state)) entries.push({ label: state, colour: STATE_COLOURS[state]!, shape: 'box' });
  for (const state of ['spinning', 'critical section'] as const)
    if (slices.has(state)) entries.push({ label: state, colour: STATE_COLOURS[state]!, shape: 'inset' });
  if (names.has('lock-holder preemption')) entries.push({ label: 'lock-holder preemption', colour: PREEMPTION.holder, shape: 'down' });
  if (names.has('lock-waiter preemption')) entries.push({ label: 'lock-waiter preemption', colour: PREEMPTION.waiter, shape: 'down-open' });
  if (names.has('kick')) entries.push({ label: 'kick', colour: INSTANT_COLOURS.kick!, shape: 'diamond' });
  if (names.has('wake')) entries.push({ label: 'wake', colour: INSTANT_COLOURS.wake!, shape: 'dot' });
  for (const cat of new Set(model.flows.map((f) => f.cat)))
    entries.push({
      label: cat === 'kick' ? 'kick → wake' : cat === 'directed-yield' ? 'directed yield → target' : cat,
      colour: FLOW_COLOURS[cat] ?? NEUTRAL,
      shape: 'arrow',
    });
  if (counter) entries.push({ label: 'lock waiters', colour: PREEMPTION.holder, shape: 'line' });
  for (const name of [...names].sort()) {
    if (name === 'kick' || name === 'wake' || name.endsWith(' preemption')) continue;
    entries.push({ label: name, colour: INSTANT_COLOURS[name] ?? NEUTRAL, shape: 'tick' });
  }
  if (neutral) entries.push({ label: 'other (no VM)', colour: NEUTRAL, shape: 'box' });
  return entries;
}

function renderLegend(entries: readonly LegendEntry[], x: number, y: number, maxX: number): { svg: string; height: number } {
  const parts: string[] = [];
  const rowH = 18;
  let cx = x;
  let cy = y;
  for (const e of entries) {
    const w = 24 + e.label.length * CHAR_PX + 14;
    if (cx > x && cx + w > maxX) {
      cx = x;
      cy += rowH;
    }
    const mid = cy + rowH / 2;
    parts.push(swatch(e, cx + 2, mid));
    parts.push(el('text', { x: cx + 22, y: mid + 4, fill: INK }, esc(e.label)));
    cx += w;
  }
  return { svg: el('g', { class: 'legend' }, parts.join('')), height: cy - y + rowH };
}

function swatch(e: LegendEntry, x: number, mid: number): string {
  switch (e.shape) {
    case 'box':
      return el('rect', { x, y: mid - 6, width: 14, height: 12, fill: e.colour });
    case 'inset':
      return el('rect', { x, y: mid - 3, width: 14, height: 6, fill: e.colour, stroke: MUTED, 'stroke-width': 0.5 });
    case 'tick':
      return el('rect', { x: x + 6, y: mid - 6, width: 2, height: 12, fill: e.colour });
    case 'down':
    case 'down-open':
      return el('path', {
        d: `M${num(x + 2)} ${num(mid - 5)}L${num(x + 12)} ${num(mid - 5)}L${num(x + 7)} ${num(mid + 5)}Z`,
        fill: e.shape === 'down' ? e.colour : '#ffffff',
        stroke: e.colour,
        'stroke-width': 1.5,
      });
    case 'diamond':
      return el('path', {
        d: `M${num(x + 7)} ${num(mid - 5)}L${num(x + 11)} ${num(mid)}L${num(x + 7)} ${num(mid + 5)}L${num(x + 3)} ${num(mid)}Z`,
        fill: e.colour,
      });
    case 'dot':
      return el('circle', { cx: x + 7, cy: mid, r: 3.5, fill: e.colour });
    case 'arrow':
      return (
        el('line', { x1: x, x2: x + 10, y1: mid, y2: mid, stroke: e.colour, 'stroke-width': 1.3 }) +
        el('path', { d: `M${num(x + 15)} ${num(mid)}L${num(x + 8)} ${num(mid - 3.5)}L${num(x + 8)} ${num(mid + 3.5)}Z`, fill: e.colour })
      );
    case 'line':
      return el('path', { d: `M${num(x)} ${num(mid + 4)}H${num(x + 5)}V${num(mid - 4)}H${num(x + 14)}`, fill: 'none', stroke: e.colour, 'stroke-width': 1.2 });
  }
}
