/**
 * How the terminal report writes a figure: lines wrapped to 100 columns, medians with their
 * min–max range, shares, ratios and counts in a few columns each, "–" for a figure that is
 * missing. Every group's table (bench/groups/NAME/table.ts) writes with these.
 */
import { fmt } from '../../src/report/text-table.js';
import type { Spread } from './model.js';

export const MAX_COLUMNS = 100;

/** Words wrapped to `width` columns. */
export function wrap(text: string, width = MAX_COLUMNS, indent = ''): string {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines.join('\n');
}

export const dash = '–';
export const num = (f: (n: number) => string) => (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? dash : f(n));
export const si = num((n) => fmt.si(n));
/** fmt.si without the decimal from 100k to 1M ("270k", not "270.0k"), so that a median with its range stays narrow. */
export const si3 = (n: number): string => {
  const k = Math.round(n / 1e3);
  return Math.abs(n) >= 1e5 && Math.abs(k) < 1000 ? `${k}k` : fmt.si(n);
};
export const pct = num((n) => fmt.percent(n));
export const times = num((n) => `${n.toFixed(2)}×`);
export const ns = num((n) => fmt.nsPerOp(n));
/** A count (a median of the runs' totals) in at most 5 columns: 1234, 56.7k, 123k. */
export const count = num((n) => (n < 10_000 ? fmt.int(n) : si3(n)));

/** "56.0k (55.1k–57.0k)", or just the median when the runs agree (or there was one run). */
export function withRange(s: Spread | undefined, f: (n: number) => string = si3): string {
  if (!s || !Number.isFinite(s.median)) return dash;
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}${dash}${f(s.max)})`;
}

export const engineTime = (engine: string) => (engine === 'virtual' ? 'per virtual second' : 'per second');
