/**
 * Heat map: a matrix of cells, each filled by a sequential colour scale (viridis) and labelled
 * with its value, rows labelled on the left (optionally grouped under a heading), columns on top,
 * and a colour bar as its key. Cells carry class "mark" and a tooltip with the exact figures.
 */
import { svgRoot, textWidth } from './axes.js';
import { el, esc, svgTitle } from '../../../src/report/html/escape.js';
import { INK, MUTED, textOn, viridis } from '../../../src/report/html/palette.js';

export interface HeatCell {
  readonly value: number;
  /** What the cell says (the value, formatted). */
  readonly text: string;
  readonly title: string;
}

export interface HeatMapSpec {
  readonly title: string;
  /**
   * Row labels; a row whose `group` differs from the one above starts a new group with a heading.
   * A `swatch` colour draws a small square before the cells: the row's series colour in the other charts.
   */
  readonly rows: readonly { readonly label: string; readonly group?: string; readonly swatch?: string }[];
  readonly columns: readonly string[];
  /** The columns' title, with its unit. */
  readonly columnTitle: string;
  /** cells[row][column]; null where the matrix has no case. */
  readonly cells: readonly (readonly (HeatCell | null)[])[];
  /** Colour scale domain: `min` maps to the dark end, `max` to the light end (values clamp). */
  readonly domain: readonly [number, number];
  /** The colour bar's title and tick format. */
  readonly key: { readonly label: string; readonly format: (value: number) => string; readonly ticks: readonly number[] };
}

const CELL_W = 92;
const CELL_H = 30;
const GROUP_H = 24;
const SWATCH = 10;

export function renderHeatMap(spec: HeatMapSpec): string {
  // Room for the swatch between a label and its row's cells, when any row has one.
  const swatchW = spec.rows.some((r) => r.swatch !== undefined) ? SWATCH + 8 : 0;
  const labelW = Math.max(80, ...spec.rows.map((r) => textWidth(r.label) + 16)) + swatchW;
  const left = 12 + labelW;
  const gridW = spec.columns.length * CELL_W;
  const width = Math.max(left + gridW + 16, 360);
  let y = 12;
  const parts: string[] = [];
  parts.push(el('text', { x: left + gridW / 2, y: y + 12, 'text-anchor': 'middle', fill: MUTED, class: 'axis-title' }, esc(spec.columnTitle)));
  y += 20;
  spec.columns.forEach((c, j) =>
    parts.push(el('text', { x: left + j * CELL_W + CELL_W / 2, y: y + 14, 'text-anchor': 'middle', fill: INK, 'font-weight': 600 }, esc(c))),
  );
  y += 24;
  let previousGroup: string | undefined;
  spec.rows.forEach((row, i) => {
    if (row.group !== undefined && row.group !== previousGroup) {
      parts.push(el('text', { x: 12, y: y + 17, fill: INK, 'font-weight': 600 }, esc(row.group)));
      y += GROUP_H;
    }
    previousGroup = row.group;
    parts.push(el('text', { x: left - 10 - swatchW, y: y + CELL_H / 2 + 4, 'text-anchor': 'end', fill: INK }, esc(row.label)));
    if (row.swatch !== undefined)
      parts.push(el('rect', { class: 'swatch', x: left - 8 - SWATCH, y: y + (CELL_H - SWATCH) / 2, width: SWATCH, height: SWATCH, fill: row.swatch }));
    spec.columns.forEach((_, j) => {
      const cell = spec.cells[i]?.[j] ?? null;
      const x = left + j * CELL_W;
      if (!cell) {
        parts.push(el('rect', { x: x + 1, y: y + 1, width: CELL_W - 2, height: CELL_H - 2, fill: '#ffffff', stroke: '#d0d0d0', 'stroke-dasharray': '3 3' }));
        return;
      }
      const t = (cell.value - spec.domain[0]) / (spec.domain[1] - spec.domain[0]);
      const fill = viridis(t);
      parts.push(
        el(
          'rect',
          {
            class: 'mark cell',
            x: x + 1,
            y: y + 1,
            width: CELL_W - 2,
            height: CELL_H - 2,
            fill,
            'data-value': Number.isFinite(cell.value) ? String(cell.value) : undefined,
          },
          svgTitle(cell.title),
        ),
      );
      parts.push(
        el('text', { x: x + CELL_W / 2, y: y + CELL_H / 2 + 4, 'text-anchor': 'middle', fill: textOn(fill), 'pointer-events': 'none' }, esc(cell.text)),
      );
    });
    y += CELL_H;
  });

  // Colour bar: 40 steps across the domain, ticks below, title above.
  y += 18;
  const barW = Math.min(gridW, 320);
  const barX = left;
  parts.push(el('text', { x: barX, y: y + 10, fill: MUTED, class: 'axis-title' }, esc(spec.key.label)));
  y += 16;
  const steps = 40;
  for (let k = 0; k < steps; k++) {
    const v = spec.domain[0] + ((k + 0.5) / steps) * (spec.domain[1] - spec.domain[0]);
    parts.push(
      el('rect', {
        x: barX + (k * barW) / steps,
        y,
        width: barW / steps + 0.5,
        height: 12,
        fill: viridis((v - spec.domain[0]) / (spec.domain[1] - spec.domain[0])),
      }),
    );
  }
  for (const t of spec.key.ticks) {
    const x = barX + ((t - spec.domain[0]) / (spec.domain[1] - spec.domain[0])) * barW;
    parts.push(el('line', { x1: x, x2: x, y1: y + 12, y2: y + 16, stroke: INK }));
    parts.push(el('text', { x, y: y + 28, 'text-anchor': 'middle', fill: INK }, esc(spec.key.format(t))));
  }
  y += 40;
  return svgRoot(width, y, spec.title, parts.join(''));
}
