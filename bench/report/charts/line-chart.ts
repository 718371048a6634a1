/**
 * Line chart: series of (x, y) points on linear or log axes, each point optionally with a
 * min–max range drawn as a shaded band and whiskers. Every mark carries class "mark" and a
 * native tooltip with its exact values.
 */
import { axisBottom, axisLeft, leftAxisWidth, linearScale, logScale, svgRoot, type Scale } from './axes.js';
import { el, num, svgTitle } from '../../../src/report/html/escape.js';
import { legend, markerShape } from './legend.js';
import type { Marker } from '../../../src/report/html/palette.js';

export interface LinePoint {
  readonly x: number;
  readonly y: number;
  /** The range around y (min and max over runs), drawn when both are finite. */
  readonly lo?: number;
  readonly hi?: number;
  /** Tooltip text; defaults to "x, y". */
  readonly title?: string;
}

interface LineSeries {
  readonly name: string;
  readonly colour: string;
  readonly marker: Marker;
  readonly dash?: string;
  readonly points: readonly LinePoint[];
}

interface LineAxis {
  readonly label: string;
  readonly scale: 'linear' | 'log';
  readonly base?: 2 | 10;
  readonly zero?: boolean;
  readonly format: (value: number) => string;
  /** Explicit tick values. */
  readonly ticks?: readonly number[];
  /** Linear only: margin around the data, as a share of its span (see ScaleOptions.pad). */
  readonly pad?: number;
}

export interface LineChartSpec {
  /** The chart's accessible name. */
  readonly title: string;
  readonly x: LineAxis;
  readonly y: LineAxis;
  readonly series: readonly LineSeries[];
  readonly width?: number;
  readonly height?: number;
}

function makeScale(axis: LineAxis, values: readonly number[], range: readonly [number, number]): Scale {
  const options = {
    ...(axis.zero ? { zero: true } : {}),
    ...(axis.base ? { base: axis.base } : {}),
    ...(axis.ticks ? { ticks: axis.ticks } : {}),
    ...(axis.pad ? { pad: axis.pad } : {}),
  };
  return axis.scale === 'log' ? logScale(values, range, options) : linearScale(values, range, options);
}

/** Runs of consecutive drawable points (a missing or non-finite point breaks the line). */
function segments(points: readonly LinePoint[], ok: (p: LinePoint) => boolean): LinePoint[][] {
  const out: LinePoint[][] = [[]];
  for (const p of points) {
    if (ok(p)) out[out.length - 1]!.push(p);
    else if (out[out.length - 1]!.length) out.push([]);
  }
  return out.filter((s) => s.length > 0);
}

export function renderLineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 360;
  const drawable = (axis: LineAxis) => (v: number) => Number.isFinite(v) && (axis.scale !== 'log' || v > 0);
  const okX = drawable(spec.x);
  const okY = drawable(spec.y);
  const ok = (p: LinePoint) => okX(p.x) && okY(p.y);
  const all = spec.series.flatMap((s) => s.points.filter(ok));
  const ys = all.flatMap((p) => [p.y, ...(p.lo !== undefined ? [p.lo] : []), ...(p.hi !== undefined ? [p.hi] : [])]);

  const key = legend(
    spec.series.map((s) => ({ label: s.name, colour: s.colour, swatch: 'line' as const, marker: s.marker, ...(s.dash ? { dash: s.dash } : {}) })),
    12,
    6,
    width - 24,
  );
  const top = 6 + key.height + 12;
  const bottom = height - 52;
  // The y scale first (its tick labels set the left margin), then x.
  const yScale = makeScale(spec.y, ys, [bottom, top]);
  const left = 12 + leftAxisWidth(yScale, spec.y.format);
  const right = width - 20;
  const xScale = makeScale(
    spec.x,
    all.map((p) => p.x),
    [left, right],
  );

  const parts: string[] = [
    axisLeft(yScale, left, { format: spec.y.format, label: spec.y.label, gridTo: right }),
    axisBottom(xScale, bottom, { format: spec.x.format, label: spec.x.label, gridTo: top }),
  ];
  for (const s of spec.series) {
    const g: string[] = [];
    const ranged = (p: LinePoint) => ok(p) && p.lo !== undefined && p.hi !== undefined && okY(p.lo) && okY(p.hi);
    for (const seg of segments(s.points, ranged)) {
      if (seg.length < 2) continue;
      const upper = seg.map((p) => `${num(xScale.map(p.x))} ${num(yScale.map(p.hi!))}`);
      const lower = seg.map((p) => `${num(xScale.map(p.x))} ${num(yScale.map(p.lo!))}`).reverse();
      g.push(el('path', { class: 'mark band', d: `M${upper.join('L')}L${lower.join('L')}Z`, fill: s.colour, 'fill-opacity': 0.15, stroke: 'none' }));
    }
    for (const p of s.points.filter(ranged)) {
      const x = xScale.map(p.x);
      const [y0, y1] = [yScale.map(p.lo!), yScale.map(p.hi!)];
      if (Math.abs(y0 - y1) < 1) continue;
      g.push(
        el('path', {
          class: 'mark whisker',
          d: `M${num(x - 4)} ${num(y0)}H${num(x + 4)}M${num(x)} ${num(y0)}V${num(y1)}M${num(x - 4)} ${num(y1)}H${num(x + 4)}`,
          stroke: s.colour,
          'stroke-width': 1.2,
          fill: 'none',
        }),
      );
    }
    for (const seg of segments(s.points, ok)) {
      const d = seg.map((p, i) => `${i ? 'L' : 'M'}${num(xScale.map(p.x))} ${num(yScale.map(p.y))}`).join('');
      g.push(
        el(
          'path',
          { class: 'mark line', d, fill: 'none', stroke: s.colour, 'stroke-width': 2.25, 'stroke-dasharray': s.dash, 'stroke-linejoin': 'round' },
          svgTitle(s.name),
        ),
      );
    }
    for (const p of s.points.filter(ok)) {
      g.push(
        markerShape(
          s.marker,
          xScale.map(p.x),
          yScale.map(p.y),
          s.colour,
          { class: 'mark point' },
          svgTitle(p.title ?? `${s.name}: ${spec.x.format(p.x)}, ${spec.y.format(p.y)}`),
        ),
      );
    }
    parts.push(el('g', { class: 'series', 'data-series': s.name }, g.join('')));
  }
  parts.push(key.svg);
  return svgRoot(width, height, spec.title, parts.join(''));
}
