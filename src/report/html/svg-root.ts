/** The root `<svg>` of every drawing in the reports (the bench's charts, the timeline view): responsive, with an accessible name and one font. */
import { attrs, num } from './escape.js';

/** The reports' font stack. */
const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif";

/** `<svg>` of `width` × `height` px with a viewBox, named `label` for screen readers, in FONT at `fontSize` px, around `inner`. */
export function svgRoot(width: number, height: number, label: string, inner: string, fontSize: number): string {
  return `<svg${attrs({
    xmlns: 'http://www.w3.org/2000/svg',
    viewBox: `0 0 ${num(width)} ${num(height)}`,
    width: num(width),
    height: num(height),
    role: 'img',
    'aria-label': label,
    'font-family': FONT,
    'font-size': fontSize,
  })}>${inner}</svg>`;
}
