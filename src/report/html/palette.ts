/**
 * Colours of the HTML pages (the bench report and the timeline view): Okabe & Ito's palette for categories (safe for the common forms of
 * colour blindness, distinct in print) and viridis for the heat map (perceptually uniform, still
 * ordered in grey scale).
 */

export const INK = '#1a1a1a';
export const MUTED = '#555555';
export const GRID = '#e3e3e3';
export const AXIS = '#444444';

/** Okabe–Ito, without yellow (too light on white) and black (kept for text and the ideal line). */
const CATEGORICAL = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#56B4E9', '#E69F00'] as const;

/** The colour of the i-th category, cycling. */
export const categorical = (index: number): string => CATEGORICAL[((index % CATEGORICAL.length) + CATEGORICAL.length) % CATEGORICAL.length]!;

/**
 * Twelve distinct colours, for a chart of many series (the overcommit mechanisms): Okabe–Ito's
 * six (and its orange) first, then the darker colours of Paul Tol's muted scheme, none of them
 * too light to read on white.
 */
const MANY = ['#D55E00', '#E69F00', '#CC79A7', '#0072B2', '#009E73', '#882255', '#56B4E9', '#117733', '#999933', '#332288', '#AA4499', '#44AA99'] as const;

/** The colour of the i-th of up to twelve series, cycling. */
export const manyCategorical = (index: number): string => MANY[((index % MANY.length) + MANY.length) % MANY.length]!;

/** Marker shapes, so series differ without colour too. */
export type Marker = 'circle' | 'square' | 'triangle' | 'diamond' | 'none';

// viridis at 9 evenly spaced stops.
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84],
  [71, 44, 122],
  [59, 81, 139],
  [44, 113, 142],
  [33, 144, 141],
  [39, 173, 129],
  [92, 200, 99],
  [170, 220, 50],
  [253, 231, 37],
];

const hex = (v: number) => Math.round(v).toString(16).padStart(2, '0');

/** viridis at t in [0, 1] (clamped; NaN → light grey, "no data"). */
export function viridis(t: number): string {
  if (!Number.isFinite(t)) return '#eeeeee';
  const x = Math.min(1, Math.max(0, t)) * (VIRIDIS.length - 1);
  const i = Math.min(VIRIDIS.length - 2, Math.floor(x));
  const f = x - i;
  const [a, b] = [VIRIDIS[i]!, VIRIDIS[i + 1]!];
  return `#${hex(a[0] + (b[0] - a[0]) * f)}${hex(a[1] + (b[1] - a[1]) * f)}${hex(a[2] + (b[2] - a[2]) * f)}`;
}

/** Black or white, whichever reads better on `background` (#rrggbb). */
export function textOn(background: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(background.slice(i, i + 2), 16) / 255) as [number, number, number];
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return luminance > 0.22 ? INK : '#ffffff';
}
