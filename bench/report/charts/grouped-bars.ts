/**
 * Grouped bar chart: one group per category on x (an overcommit ratio), one bar per series in
 * each group (a policy), whiskers for a min–max range, the values written above the bars when
 * every one fits its bar's width, and an optional dashed reference line (1× = the unit the bars are measured in).
 */
import { axisLeft, leftAxisWidth, linearScale, svgRoot, textWidth } from './axes.js';
import { el, esc, num, svgTitle } from '../../../src/report/html/escape.js';
import { legend } from './legend.js';
import { AXIS, INK, MUTED } from '../../../src/report/html/palette.js';

interface Bar {
  readonly value: number;
  readonly lo?: number;
  readonly hi?: number;
  readonly title: string;
}

interface BarSeries {
  readonly name: string;
  readonly colour: string;
  /** One bar per group, in the groups' order. */
  readonly bars: readonly Bar[];
}

export interface GroupedBarsSpec {
  readonly title: string;
  readonly groups: readonly string[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** Tick labels of the y axis. */
  readonly format: (value: number) => string;
  /** The value written above a bar (defaults to `format`). */
  readonly valueFormat?: (value: number) => string;
  readonly series: readonly BarSeries[];
  /** A dashed horizontal line at `value`, named in the legend. */
  readonly reference?: { readonly value: number; readonly label: string };
  readonly width?: number;
  readonly height?: number;
}

/** The font size of the values written above the bars. */
const VALUE_FONT_SIZE = 11;

export function renderGroupedBars(spec: GroupedBarsSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 360;
  const key = legend(
    [
      ...spec.series.map((s) => ({ label: s.name, colour: s.colour, swatch: 'box' as const })),
      ...(spec.reference ? [{ label: spec.reference.label, colour: INK, swatch: 'line' as const, dash: '5 4' }] : []),
    ],
    12,
    6,
    width - 24,
  );
  const top = 6 + key.height + 16;
  const bottom = height - 52;
  const values = spec.series.flatMap((s) => s.bars.flatMap((b) => [b.value, b.lo ?? 0, b.hi ?? 0]));
  if (spec.reference) values.push(spec.reference.value);
  // Headroom for the value labels above the tallest bar.
  values.push(Math.max(0, ...values.filter(Number.isFinite)) * 1.08);
  const y = linearScale(values, [bottom, top], { zero: true });
  const left = 12 + leftAxisWidth(y, spec.format);
  const right = width - 16;
  const groupW = (right - left) / Math.max(1, spec.groups.length);
  const n = Math.max(1, spec.series.length);
  // Groups of three or more bars take more of their slot, so that a value still fits above each.
  const barW = Math.min(56, (groupW * (n >= 3 ? 0.9 : 0.8)) / n);
  const valueText = (v: number) => (spec.valueFormat ?? spec.format)(v);
  // Values go above the bars only when every one fits its bar's width: side by side, a wider one would run into its neighbour's.
  const labelled = spec.series.every((s) => s.bars.every((b) => !Number.isFinite(b.value) || textWidth(valueText(b.value), VALUE_FONT_SIZE) <= barW - 2));
  const parts: string[] = [axisLeft(y, left, { format: spec.format, label: spec.yLabel, gridTo: right })];

  spec.groups.forEach((group, g) => {
    const cx = left + groupW * (g + 0.5);
    parts.push(el('line', { x1: cx, x2: cx, y1: bottom, y2: bottom + 5, stroke: AXIS }));
    parts.push(el('text', { x: cx, y: bottom + 18, 'text-anchor': 'middle', fill: INK }, esc(group)));
    spec.series.forEach((s, i) => {
      const bar = s.bars[g];
      const x = cx - (n * barW) / 2 + i * barW;
      if (!bar || !Number.isFinite(bar.value)) {
        parts.push(el('text', { x: x + barW / 2, y: bottom - 4, 'text-anchor': 'middle', fill: MUTED }, 'n/a'));
        return;
      }
      const y0 = y.map(0);
      const y1 = y.map(bar.value);
      parts.push(
        el(
          'rect',
          {
            class: 'mark bar',
            x: x + 1,
            y: Math.min(y0, y1),
            width: barW - 2,
            height: Math.max(1, Math.abs(y0 - y1)),
            fill: s.colour,
            'data-value': String(bar.value),
          },
          svgTitle(bar.title),
        ),
      );
      let labelY = y1;
      if (bar.lo !== undefined && bar.hi !== undefined && Number.isFinite(bar.lo) && Number.isFinite(bar.hi)) {
        const [lo, hi] = [y.map(bar.lo), y.map(bar.hi)];
        const mid = x + barW / 2;
        const cap = Math.min(6, barW / 4);
        parts.push(
          el(
            'path',
            {
              class: 'mark whisker',
              d: `M${num(mid - cap)} ${num(lo)}H${num(mid + cap)}M${num(mid)} ${num(lo)}V${num(hi)}M${num(mid - cap)} ${num(hi)}H${num(mid + cap)}`,
              stroke: INK,
              'stroke-width': 1.2,
              fill: 'none',
            },
            svgTitle(bar.title),
          ),
        );
        labelY = Math.min(labelY, hi);
      }
      if (labelled)
        parts.push(
          el(
            'text',
            {
              x: x + barW / 2,
              y: labelY - 5,
              'text-anchor': 'middle',
              fill: INK,
              'font-size': VALUE_FONT_SIZE,
              stroke: '#ffffff',
              'stroke-width': 3,
              'paint-order': 'stroke',
              'stroke-linejoin': 'round',
            },
            esc(valueText(bar.value)),
          ),
        );
    });
  });
  parts.push(el('line', { x1: left, x2: right, y1: bottom, y2: bottom, stroke: AXIS }));
  parts.push(el('text', { x: (left + right) / 2, y: bottom + 38, 'text-anchor': 'middle', fill: MUTED, class: 'axis-title' }, esc(spec.xLabel)));
  if (spec.reference) {
    const ry = y.map(spec.reference.value);
    parts.push(el('line', { x1: left, x2: right, y1: ry, y2: ry, stroke: INK, 'stroke-dasharray': '5 4', 'stroke-width': 1 }));
  }
  parts.push(key.svg);
  return svgRoot(width, height, spec.title, parts.join(''));
}
