/** Plain-text tables for the terminal: right-aligned numbers, left-aligned text, no colours. */

export interface Column<Row> {
  readonly header: string;
  /** The cell's text. */
  readonly cell: (row: Row) => string;
  readonly align?: 'left' | 'right';
}

export function renderTable<Row>(columns: readonly Column<Row>[], rows: readonly Row[]): string {
  const cells = rows.map((row) => columns.map((c) => c.cell(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => ((columns[i]!.align ?? 'right') === 'left' ? v.padEnd(widths[i]!) : v.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w)))];
  for (const r of cells) out.push(line(r));
  return out.join('\n');
}

/** Number formatting shared by every table. */
export const fmt = {
  /** 1234567 → "1.23M". */
  si(value: number): string {
    const abs = Math.abs(value);
    if (abs >= 1e9) return `${(value / 1e9).toFixed(2)}G`;
    if (abs >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
    if (abs >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
    return value.toFixed(0);
  },
  percent(fraction: number, digits = 1): string {
    return `${(fraction * 100).toFixed(digits)}%`;
  },
  ratio(value: number): string {
    return Number.isFinite(value) ? `${value.toFixed(2)}×` : '—';
  },
  int(value: number): string {
    return Math.round(value).toString();
  },
  /** A per-operation time in ns, with the digits a micro-benchmark can resolve: 1234, 38.7, 5.69. */
  nsPerOp(ns: number): string {
    return ns >= 100 ? ns.toFixed(0) : ns >= 10 ? ns.toFixed(1) : ns.toFixed(2);
  },
  /** ns → a readable duration. */
  duration(ns: number): string {
    if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)}s`;
    if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)}ms`;
    if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)}µs`;
    return `${ns.toFixed(0)}ns`;
  },
};
