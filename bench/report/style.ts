/** The report's inline stylesheet: readable on screen and in print, no external fonts. */
export const STYLE = `
:root { color-scheme: light; --ink: #1a1a1a; --muted: #555; --rule: #d9d9d9; --bg: #fff; --panel: #fafafa; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.5 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { font-size: 26px; margin: 0 0 4px; }
header .meta { color: var(--muted); margin: 0 0 12px; }
nav ul { display: flex; flex-wrap: wrap; gap: 6px 18px; list-style: none; padding: 0; margin: 8px 0 0; }
nav a { color: #0b5a8f; }
.status { padding: 8px 12px; border-left: 4px solid #009E73; background: #f2faf7; margin: 12px 0; }
.status.failed { border-color: #D55E00; background: #fdf3ec; }
section { border-top: 1px solid var(--rule); margin-top: 28px; padding-top: 8px; }
h2 { font-size: 21px; margin: 8px 0 6px; }
h3 { font-size: 16px; margin: 0 0 6px; }
h3.sub { margin: 22px 0 8px; }
p.intro { color: var(--muted); max-width: 80ch; margin: 0 0 10px; }
p.claim { font-weight: 600; max-width: 90ch; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 560px), 1fr)); gap: 18px; align-items: start; }
.charts > .full-row { grid-column: 1 / -1; }
figure.chart { margin: 0; padding: 12px 14px; border: 1px solid var(--rule); border-radius: 6px; background: var(--bg); break-inside: avoid; page-break-inside: avoid; }
figure.chart svg { display: block; width: 100%; height: auto; max-width: 100%; }
figure.chart figcaption { margin-top: 8px; font-size: 14px; line-height: 1.45; }
table.data { border-collapse: collapse; margin: 8px 0; font-size: 14px; }
table.data th, table.data td { padding: 4px 10px; border-bottom: 1px solid var(--rule); text-align: left; vertical-align: top; }
table.data thead th { border-bottom: 2px solid #999; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; }
table.data caption { text-align: left; font-weight: 600; padding: 4px 0; }
table.kv th { color: var(--muted); font-weight: 500; white-space: nowrap; }
table.kv td { word-break: break-word; }
.swatch-key { display: inline-block; width: 10px; height: 10px; margin-right: 6px; }
table.mechanisms th[scope='row'] { white-space: nowrap; }
table.mechanisms td.ships { color: var(--muted); max-width: 60ch; }
.tables { display: flex; flex-wrap: wrap; gap: 8px 36px; align-items: flex-start; }
ul.notes { color: var(--muted); font-size: 14px; }
ol.jobs { columns: 2 320px; font: 12px/1.4 ui-monospace, 'DejaVu Sans Mono', monospace; }
footer { margin-top: 32px; color: var(--muted); font-size: 13px; }
@media print {
  @page { margin: 14mm; }
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  nav, details { display: none; }
  .charts { grid-template-columns: 1fr; }
  figure.chart { border: none; padding: 0 0 8px; }
  section { break-before: auto; }
}
`;
