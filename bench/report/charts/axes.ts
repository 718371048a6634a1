/**
 * Scales and axes of the SVG charts: linear and logarithmic scales with readable ticks, the
 * bottom and left axes with grid lines and unit labels, and the chart's root `<svg>`.
 */
import { el, esc, num } from '../../../src/report/html/escape.js';
import { niceStep } from '../../../src/report/html/nice-step.js';
import { AXIS, GRID, INK, MUTED } from '../../../src/report/html/palette.js';
import { svgRoot as drawingRoot } from '../../../src/report/html/svg-root.js';

const FONT_SIZE = 12;

/** Rough width of `text` at `size` px in a sans-serif font: for layout, not for precision. */
// eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points, not graphemes, on purpose: a rough width
export const textWidth = (text: string, size = FONT_SIZE): number => [...text].length * size * 0.58;

export interface Scale {
  readonly kind: 'linear' | 'log';
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  /** Data value → pixel. */
  readonly map: (value: number) => number;
  /** Tick values, within the domain, ascending. */
  readonly ticks: readonly number[];
}

export interface ScaleOptions {
  /** Include 0 in a linear domain (bars, throughput). */
  readonly zero?: boolean;
  /** Log scale base: 2 puts ticks at powers of 2, 10 at 1-2-5 steps. */
  readonly base?: 2 | 10;
  /** Explicit ticks (the data's own x values, say); the domain still covers the data. */
  readonly ticks?: readonly number[];
  /** Linear only: widen the domain by this share of the data's span on each side instead of rounding it to ticks, so end points clear the frame. */
  readonly pad?: number;
}

const finite = (values: readonly number[]) => values.filter((v) => Number.isFinite(v));

export function linearScale(values: readonly number[], range: readonly [number, number], options: ScaleOptions = {}): Scale {
  const data = finite(values);
  let lo = data.length ? Math.min(...data) : 0;
  let hi = data.length ? Math.max(...data) : 1;
  if (options.zero) [lo, hi] = [Math.min(0, lo), Math.max(0, hi)];
  if (lo === hi) [lo, hi] = lo === 0 ? [0, 1] : [lo - Math.abs(lo) * 0.5, hi + Math.abs(hi) * 0.5];
  const step = niceStep(hi - lo, 5);
  const t0 = Math.ceil(lo / step - 1e-9) * step;
  const t1 = Math.floor(hi / step + 1e-9) * step;
  const [d0, d1] = options.pad
    ? [lo - (hi - lo) * options.pad, hi + (hi - lo) * options.pad]
    : [Math.min(t0, Math.floor(lo / step + 1e-9) * step), Math.max(t1, Math.ceil(hi / step - 1e-9) * step)];
  const first = options.pad ? t0 : d0;
  const last = options.pad ? t1 : d1;
  const ticks = options.ticks ?? Array.from({ length: Math.round((last - first) / step) + 1 }, (_, i) => clean(first + i * step));
  return scaleOf('linear', [d0, d1], range, ticks, (v) => v);
}

/** Log scale; non-positive values are ignored. Base 2: ticks at powers of 2 (every other one past 9); base 10: 1-2-5 steps. */
export function logScale(values: readonly number[], range: readonly [number, number], options: ScaleOptions = {}): Scale {
  const base = options.base ?? 10;
  const data = finite(values).filter((v) => v > 0);
  const lo = data.length ? Math.min(...data) : 1;
  const hi = data.length ? Math.max(...data) : base;
  let d0: number;
  let d1: number;
  let ticks: number[];
  if (base === 2) {
    // Pad by a fifth of an octave so end points do not sit on the frame.
    d0 = 2 ** (Math.log2(lo) - 0.2);
    d1 = 2 ** (Math.log2(hi) + 0.2);
    const powers: number[] = [];
    for (let k = Math.ceil(Math.log2(lo) - 1e-9); k <= Math.floor(Math.log2(hi) + 1e-9); k++) powers.push(2 ** k);
    const every = powers.length > 9 ? 2 : 1;
    ticks = powers.filter((_, i) => i % every === 0);
  } else {
    // The 1-2-5 values that enclose the data, as the domain; ticks at 1-2-5 (1-only past 4 decades).
    const steps = Math.log10(hi / lo) > 4 ? [1] : [1, 2, 5];
    const candidates: number[] = [];
    for (let e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)) + 1; e++) for (const s of steps) candidates.push(clean(s * 10 ** e));
    d0 = candidates.filter((c) => c <= lo * (1 + 1e-9)).pop() ?? lo;
    d1 = candidates.find((c) => c >= hi * (1 - 1e-9)) ?? hi;
    if (d0 === d1) [d0, d1] = [d0 / 2, d1 * 2];
    ticks = candidates.filter((c) => c >= d0 * (1 - 1e-9) && c <= d1 * (1 + 1e-9));
  }
  if (options.ticks) ticks = [...options.ticks];
  return scaleOf('log', [d0, d1], range, ticks, Math.log);
}

function scaleOf(kind: Scale['kind'], domain: [number, number], range: readonly [number, number], ticks: readonly number[], f: (v: number) => number): Scale {
  const [f0, f1] = [f(domain[0]), f(domain[1])];
  const map = (value: number) => range[0] + ((f(value) - f0) / (f1 - f0)) * (range[1] - range[0]);
  return { kind, domain, range, map, ticks };
}

const clean = (v: number) => Number(v.toPrecision(12));

export interface AxisOptions {
  /** Tick label. */
  readonly format: (value: number) => string;
  /** Axis title, with its unit. */
  readonly label: string;
  /** Where grid lines end, across the plot (a y for the bottom axis, an x for the left one). */
  readonly gridTo?: number;
}

/** The x axis along y = `at`, ticks pointing down, title centred below. */
export function axisBottom(scale: Scale, at: number, options: AxisOptions): string {
  const [x0, x1] = scale.range;
  const parts = [el('line', { x1: x0, x2: x1, y1: at, y2: at, stroke: AXIS })];
  for (const t of scale.ticks) {
    const x = scale.map(t);
    if (options.gridTo !== undefined) parts.push(el('line', { x1: x, x2: x, y1: options.gridTo, y2: at, stroke: GRID }));
    parts.push(el('line', { x1: x, x2: x, y1: at, y2: at + 5, stroke: AXIS }));
    parts.push(el('text', { x, y: at + 18, 'text-anchor': 'middle', fill: INK }, esc(options.format(t))));
  }
  parts.push(el('text', { x: (x0 + x1) / 2, y: at + 38, 'text-anchor': 'middle', fill: MUTED, class: 'axis-title' }, esc(options.label)));
  return el('g', { class: 'axis axis-x' }, parts.join(''));
}

/** The y axis along x = `at`, ticks pointing left, title rotated along it. */
export function axisLeft(scale: Scale, at: number, options: AxisOptions): string {
  const [y0, y1] = scale.range;
  const parts = [el('line', { x1: at, x2: at, y1: y0, y2: y1, stroke: AXIS })];
  let widest = 0;
  for (const t of scale.ticks) {
    const y = scale.map(t);
    const label = options.format(t);
    widest = Math.max(widest, textWidth(label));
    if (options.gridTo !== undefined) parts.push(el('line', { x1: at, x2: options.gridTo, y1: y, y2: y, stroke: GRID }));
    parts.push(el('line', { x1: at - 5, x2: at, y1: y, y2: y, stroke: AXIS }));
    parts.push(el('text', { x: at - 8, y: y + 4, 'text-anchor': 'end', fill: INK }, esc(label)));
  }
  const titleX = at - 8 - widest - 12;
  const cy = (y0 + y1) / 2;
  parts.push(
    el(
      'text',
      { x: titleX, y: cy, 'text-anchor': 'middle', transform: `rotate(-90 ${num(titleX)} ${num(cy)})`, fill: MUTED, class: 'axis-title' },
      esc(options.label),
    ),
  );
  return el('g', { class: 'axis axis-y' }, parts.join(''));
}

/** Room the left axis needs for tick labels and its title. */
export const leftAxisWidth = (scale: Scale, format: (v: number) => string): number =>
  Math.max(...scale.ticks.map((t) => textWidth(format(t))), 16) + 8 + 12 + 12;

/** The chart's root: a responsive `<svg>` with a viewBox, an accessible name and the report's font. */
export function svgRoot(width: number, height: number, label: string, inner: string): string {
  return drawingRoot(width, height, label, inner, FONT_SIZE);
}
