/** Tick spacing for the HTML charts and the timeline's time axis. */

/** A "nice" step near `span / count`: 1, 2, 2.5 or 5 times a power of 10. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 2.5 ? 2.5 : m <= 5 ? 5 : 10) * power;
}
