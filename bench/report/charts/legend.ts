/** Point markers (shapes, so series differ without colour) and the legend row above a chart. */
import { el, esc, num } from '../../../src/report/html/escape.js';
import { textWidth } from './axes.js';
import { INK, type Marker } from '../../../src/report/html/palette.js';

/** A marker centred on (x, y); `inner` (a `<title>`) goes inside the element. */
export function markerShape(shape: Marker, x: number, y: number, colour: string, extra: Readonly<Record<string, string | undefined>> = {}, inner = ''): string {
  const common = { fill: colour, stroke: '#ffffff', 'stroke-width': 1, ...extra };
  const r = 4.5;
  switch (shape) {
    case 'none':
      return '';
    case 'circle':
      return el('circle', { cx: x, cy: y, r, ...common }, inner);
    case 'square':
      return el('rect', { x: x - r, y: y - r, width: 2 * r, height: 2 * r, ...common }, inner);
    case 'triangle':
      return el('path', { d: `M${num(x)} ${num(y - r - 1)}L${num(x + r + 0.5)} ${num(y + r)}L${num(x - r - 0.5)} ${num(y + r)}Z`, ...common }, inner);
    case 'diamond':
      return el(
        'path',
        { d: `M${num(x)} ${num(y - r - 1)}L${num(x + r + 1)} ${num(y)}L${num(x)} ${num(y + r + 1)}L${num(x - r - 1)} ${num(y)}Z`, ...common },
        inner,
      );
  }
}

export interface LegendEntry {
  readonly label: string;
  readonly colour: string;
  /** 'line' draws a short line (dashed with `dash`) with the marker on it; 'box' a filled square. */
  readonly swatch: 'line' | 'box';
  readonly marker?: Marker;
  readonly dash?: string;
}

/** Legend entries laid out left to right from (x, y), wrapping at `maxWidth`. Returns the markup and its height. */
export function legend(entries: readonly LegendEntry[], x: number, y: number, maxWidth: number): { svg: string; height: number } {
  const parts: string[] = [];
  let cx = x;
  let cy = y;
  const rowHeight = 18;
  for (const entry of entries) {
    const width = 26 + textWidth(entry.label) + 18;
    if (cx > x && cx + width > x + maxWidth) {
      cx = x;
      cy += rowHeight;
    }
    const mid = cy + rowHeight / 2;
    if (entry.swatch === 'box') parts.push(el('rect', { x: cx + 4, y: mid - 6, width: 14, height: 12, fill: entry.colour }));
    else {
      parts.push(el('line', { x1: cx, x2: cx + 22, y1: mid, y2: mid, stroke: entry.colour, 'stroke-width': 2, 'stroke-dasharray': entry.dash }));
      parts.push(markerShape(entry.marker ?? 'none', cx + 11, mid, entry.colour));
    }
    parts.push(el('text', { x: cx + 26, y: mid + 4, fill: INK }, esc(entry.label)));
    cx += width;
  }
  return { svg: el('g', { class: 'legend' }, parts.join('')), height: cy - y + rowHeight };
}
