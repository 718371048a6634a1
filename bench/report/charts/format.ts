/** Number formats for axis ticks, cell text and captions. Non-finite values render as "–". */

const DASH = '–';

/** Three significant digits, trailing zeros dropped: 2.5, 0.123, 1230. */
export function sig(value: number, digits = 3): string {
  if (!Number.isFinite(value)) return DASH;
  if (value === 0) return '0';
  return String(Number(value.toPrecision(digits)));
}

/** 1234567 → "1.23M", 950000 → "950k", 12 → "12". */
export function si(value: number): string {
  if (!Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  for (const [factor, suffix] of [
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'k'],
  ] as const)
    if (abs >= factor) return `${sig(value / factor)}${suffix}`;
  return sig(value);
}

/** A fraction as a percentage: 0.987 → "98.7%" (digits after the point). */
export const percent = (fraction: number, digits = 0): string => (Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)}%` : DASH);

/** A ratio: 1.98 → "1.98×". */
export const times = (value: number, digits = 2): string => (Number.isFinite(value) ? `${value.toFixed(digits)}×` : DASH);

/** An overcommit ratio as people write it: 1 → "1×", 1.5 → "1.5×". */
export const ratioLabel = (ratio: number): string => `${sig(ratio)}×`;

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
/** 2^k with a superscript exponent, as a tick label: 64 → "2⁶". */
export function powerOfTwo(value: number): string {
  const k = Math.log2(value);
  if (!Number.isInteger(k) || k < 0) return sig(value);
  return `2${String(k).replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]!)}`;
}

/** Nanoseconds per operation: "23.4 ns", "1.2 µs". */
export function nanoseconds(ns: number): string {
  if (!Number.isFinite(ns)) return DASH;
  if (ns >= 1e6) return `${sig(ns / 1e6)} ms`;
  if (ns >= 1e3) return `${sig(ns / 1e3)} µs`;
  return `${sig(ns)} ns`;
}

/** Human list: "a", "a and b", "a, b and c". */
export function listOf(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
