/**
 * Overcommit, the mitigation matrix: per-VM throughput relative to the fair share as a heat map
 * (one per engine, a row per preset × shape × mechanism), every mechanism against the baseline
 * (`ticket · naive`) as grouped bars per ratio (one chart per engine × preset × shape), and a
 * table of the mechanisms: who ships each and what it costs at 1×. Mechanisms are whatever the
 * data has, in the order of src/config/mechanisms.ts.
 */
import type { EngineKind } from '../../../src/config/schema.js';
import { mechanismLabel, mechanismRank, shipsOf, type LockAndPolicy } from '../../../src/config/mechanisms.js';
import {
  barRange,
  costsAtOneX,
  mechanismBars,
  mechanismsOf,
  overBaseline,
  overcommitRows,
  ratiosOf,
  worstFairShare,
  type CostAtOneX,
  type MechanismBars,
  type OvercommitCell,
  type OvercommitRow,
} from './derive.js';
import type { ReportSection } from '../../report/section.js';
import type { CaseResult } from '../../suite/model.js';
import { attrs, esc } from '../../../src/report/html/escape.js';
import { listOf, percent, ratioLabel, si, sig, times } from '../../report/charts/format.js';
import { renderGroupedBars } from '../../report/charts/grouped-bars.js';
import { renderHeatMap, type HeatCell } from '../../report/charts/heat-map.js';
import { niceStep } from '../../../src/report/html/nice-step.js';
import { manyCategorical } from '../../../src/report/html/palette.js';
import { charts, ENGINE_LABEL, figure, fullRow, perSecond, section, SHAPE_LABEL } from '../../report/sections/common.js';
import { BASELINE_MECHANISM, isBaseline } from './mechanisms.js';

const BASELINE = mechanismLabel(BASELINE_MECHANISM);

/**
 * A mechanism's colour, the same in every chart and every report: its place in the list picks it
 * (the baseline vermillion, `ttas · notify` blue, `ticket · pv-halt` green…), whichever
 * mechanisms a run has; a pair the list lacks takes the colour after the list's.
 */
const mechanismColour = (m: LockAndPolicy): string => manyCategorical(mechanismRank(m));

const firstSeen = <T>(items: readonly T[]): T[] => [...new Set(items)];
const engines = (rows: readonly { engine: EngineKind }[]) => firstSeen(rows.map((r) => r.engine));

const heatMapChartName = (engine: EngineKind): string => `overcommit-heatmap/${engine}`;
const barsChartName = (b: MechanismBars): string => `mechanism-bars/${b.engine}/${b.preset}/${b.shape}`;

/** Charts of more series than this are drawn across the whole page. */
const WIDE_FROM_SERIES = 5;

/** Rows grouped by preset, then shape, then mechanism (the list's order). */
function orderRows(rows: readonly OvercommitRow[]): OvercommitRow[] {
  const presets = firstSeen(rows.map((r) => r.preset));
  const shapes: OvercommitRow['shape'][] = ['vms', 'vcpus'];
  return [...rows].sort(
    (a, b) => presets.indexOf(a.preset) - presets.indexOf(b.preset) || shapes.indexOf(a.shape) - shapes.indexOf(b.shape) || mechanismRank(a) - mechanismRank(b),
  );
}

/** pv-halt's mechanism in a tooltip: how often waiters halted and for how much of the vCPUs' time; nothing when none did. */
function haltText(c: CaseResult): string {
  const m = c.metrics;
  if (!(m.halts.median > 0)) return '';
  return ` Waiters halted ${Math.round(m.halts.median)} times (${percent(m.haltFraction.median, 1)} of vCPU time halted), ${Math.round(m.spuriousWakeUps.median)} spurious wake-ups (medians of the runs).`;
}

function cellTitle(row: OvercommitRow, cell: OvercommitCell): string {
  const p = cell.params;
  const ships = shipsOf(row);
  return (
    `${row.preset} · ${row.mechanism} · ${SHAPE_LABEL[row.shape]} at ${ratioLabel(p.ratio)}: ` +
    `per VM ${percent(cell.perVmVsFairShare.mean, 1)} of its fair share (worst VM ${percent(cell.perVmVsFairShare.min, 1)}), ` +
    `${percent(cell.perVmVsOneX.mean, 1)} of its throughput alone; all VMs together ${times(cell.totalVsOneX)} the 1× case. ` +
    `${p.vms} VM${p.vms === 1 ? '' : 's'} × ${p.vcpusPerVm} vCPUs on ${p.pcpus} pCPUs.${haltText(cell.case)}${ships ? ` Ships in: ${ships}.` : ''}`
  );
}

/** The sentence under a heat map: at the highest ratio, how low the baseline goes and the least each other mechanism keeps. */
function heatMapClaim(rows: readonly OvercommitRow[]): string {
  const ratios = ratiosOf(rows);
  const top = ratios[ratios.length - 1];
  if (top === undefined) return '';
  const where = (row?: OvercommitRow) => (row ? ` (${row.preset}, ${SHAPE_LABEL[row.shape]})` : '');
  let baseline = '';
  const others: string[] = [];
  for (const { mechanism } of mechanismsOf(rows)) {
    const worst = worstFairShare(rows, mechanism, top);
    if (!Number.isFinite(worst.value)) continue;
    if (mechanism === BASELINE) baseline = `${BASELINE} falls to as little as ${percent(worst.value)} of the fair share per VM${where(worst.row)}`;
    else others.push(`${mechanism} ${percent(worst.value)}`);
  }
  if (!baseline && others.length === 0) return `No cell has a figure at ${ratioLabel(top)} overcommit.`;
  const parts = [...(baseline ? [baseline] : []), ...(others.length > 0 ? [`the least each other mechanism keeps in any row: ${others.join(', ')}`] : [])];
  return `At ${ratioLabel(top)} overcommit, ${parts.join('; ')}. 100% is a VM's fair share: its throughput alone on the machine times its share of the pCPUs.`;
}

function heatMap(engine: EngineKind, rows: readonly OvercommitRow[]): string {
  const ordered = orderRows(rows);
  const ratios = ratiosOf(ordered);
  const cells: (HeatCell | null)[][] = ordered.map((row) =>
    ratios.map((ratio) => {
      const cell = row.cells.find((c) => c.params.ratio === ratio);
      return cell ? { value: cell.perVmVsFairShare.mean, text: percent(cell.perVmVsFairShare.mean), title: cellTitle(row, cell) } : null;
    }),
  );
  const values = cells.flatMap((r) => r.flatMap((c) => (c && Number.isFinite(c.value) ? [c.value] : [])));
  const max = Math.min(2, Math.max(1, ...values));
  const step = niceStep(max, 4);
  const top = Math.ceil(max / step - 1e-9) * step;
  const svg = renderHeatMap({
    title: `Per-VM throughput relative to the fair share, ${ENGINE_LABEL[engine]}`,
    rows: ordered.map((r) => ({ group: `${r.preset} workload, ${SHAPE_LABEL[r.shape]}`, label: r.mechanism, swatch: mechanismColour(r) })),
    columns: ratios.map(ratioLabel),
    columnTitle: 'overcommit ratio (vCPUs / pCPUs)',
    cells,
    domain: [0, top],
    key: {
      label: 'per-VM throughput / fair share (mean over VMs)',
      format: (v) => percent(v),
      ticks: Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step),
    },
  });
  return figure(heatMapChartName(engine), `Overcommit matrix · ${ENGINE_LABEL[engine]}`, svg, heatMapClaim(ordered));
}

/** The sentence under a bar chart: every mechanism at the highest ratio, in the baseline's 1× unit, and how many times the baseline each one is. */
function barsClaim(b: MechanismBars): string {
  const i = b.ratios.length - 1;
  if (i < 0) return '';
  const hasBaseline = b.bars.some(isBaseline);
  const each = b.bars.map((x) => {
    const gain = !isBaseline(x) && hasBaseline ? overBaseline(b, x.mechanism, i) : Number.NaN;
    return `${times(x.relative[i]!)} with ${x.mechanism}${Number.isFinite(gain) ? ` (${times(gain, 1)} the baseline's)` : ''}`;
  });
  const unit = Number.isFinite(b.reference) ? ` (${si(b.reference)} acquisitions ${perSecond(b.engine)})` : '';
  return `At ${ratioLabel(b.ratios[i]!)} overcommit, all VMs together do ${listOf(each)}, in units of ${BASELINE}'s throughput at 1×${unit}.`;
}

function bars(b: MechanismBars): string {
  const wide = b.bars.length >= WIDE_FROM_SERIES;
  const svg = renderGroupedBars({
    title: `Throughput by lock · wait policy and overcommit ratio, ${b.preset} workload, ${SHAPE_LABEL[b.shape]}, ${ENGINE_LABEL[b.engine]}`,
    groups: b.ratios.map(ratioLabel),
    xLabel: 'overcommit ratio (vCPUs / pCPUs)',
    yLabel: `all VMs' throughput / ${BASELINE} at 1× (×)`,
    format: (v) => `${sig(v)}×`,
    valueFormat: (v) => times(v),
    reference: { value: 1, label: `${BASELINE} at 1×` },
    ...(wide ? { width: 1160, height: 420 } : {}),
    series: b.bars.map((x) => ({
      name: x.mechanism,
      colour: mechanismColour(x),
      bars: b.ratios.map((ratio, i) => {
        const s = x.spreads[i];
        const { lo, hi } = barRange(b, s);
        return {
          value: x.relative[i]!,
          lo,
          hi,
          title: `${x.mechanism} at ${ratioLabel(ratio)}: ${times(x.relative[i]!)} ${BASELINE}'s 1× throughput; ${si(s?.median ?? Number.NaN)} acq/s (runs ${si(s?.min ?? Number.NaN)}–${si(s?.max ?? Number.NaN)})`,
        };
      }),
    })),
  });
  const markup = figure(barsChartName(b), `${b.preset} workload · ${SHAPE_LABEL[b.shape]} · ${ENGINE_LABEL[b.engine]}`, svg, barsClaim(b));
  return wide ? fullRow(markup) : markup;
}

/**
 * The mechanisms as a table: each one's colour and name, who ships it, and its cost at 1× (its
 * throughput with one VM of P vCPUs alone over the baseline's) per engine and preset.
 */
function mechanismTable(rows: readonly OvercommitRow[], costs: readonly CostAtOneX[]): string {
  const mechanisms = mechanismsOf(rows);
  if (mechanisms.length === 0) return '';
  const head = ['lock · wait policy', 'ships in', ...costs.map((c) => `cost at 1×, ${c.preset}, ${c.engine}`)];
  const body = mechanisms.map((m) => {
    const figures = costs.map((c) => {
      const cost = c.costs.find((x) => x.mechanism === m.mechanism);
      return `<td class="num">${esc(cost ? times(cost.relative) : '–')}</td>`;
    });
    const swatch = `<span${attrs({ class: 'swatch-key', style: `background:${mechanismColour(m)}` })}></span>`;
    return `<tr><th scope="row">${swatch}${esc(m.mechanism)}</th><td class="ships">${esc(shipsOf(m) ?? '–')}</td>${figures.join('')}</tr>`;
  });
  return (
    `<table class="data mechanisms"><caption>${esc(`The locks and wait policies, and what each costs at 1× (throughput of one VM of P vCPUs alone over ${BASELINE}'s)`)}</caption>` +
    `<thead><tr>${head.map((h, i) => `<th${i >= 2 ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body.join('')}</tbody></table>`
  );
}

function renderOvercommitSection(cases: readonly CaseResult[]): string {
  const rows = overcommitRows(cases);
  if (rows.length === 0) return '';
  const maps = engines(rows).map((e) =>
    heatMap(
      e,
      rows.filter((r) => r.engine === e),
    ),
  );
  const barCharts = mechanismBars(rows).map(bars);
  return section(
    'overcommit',
    'Overcommit: the mitigation matrix',
    'VMs share the pCPUs with more vCPUs than pCPUs in all (the ratio), each VM running one lock with one wait policy (a mechanism: what a real system ships). ' +
      '"Split into VMs": identical VMs (1.5× is 3 VMs of P/2 vCPUs); "one big VM": all the vCPUs in a single VM. ' +
      `The heat map shows what each VM gets relative to its fair share; the bars show all VMs\u2019 throughput against ${BASELINE}\u2019s at 1×, whiskers spanning the runs\u2019 min–max.`,
    `${mechanismTable(rows, costsAtOneX(rows))}${charts(maps)}<h3 class="sub">Every lock · wait policy against ${BASELINE}, per overcommit ratio</h3>${charts(barCharts)}`,
  );
}

export const overcommitSection: ReportSection = { id: 'overcommit', title: 'Overcommit', render: (results) => renderOvercommitSection(results.cases) };
