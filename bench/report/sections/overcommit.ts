/**
 * Overcommit: the matrix of per-VM throughput relative to the fair share as a heat map (one per
 * engine), and naive against every other policy as grouped bars per ratio (one chart per engine ×
 * preset × shape). The claim: naive spinlocks collapse under overcommit, enlightened ones do not.
 * Policies are whatever the data has; naive is the baseline when present.
 */
import { POLICY_KINDS, type EngineKind, type PolicyKind } from '../../../src/config/schema.js';
import { overcommitRows, policyBars, ratiosOf, type OvercommitCell, type OvercommitRow, type PolicyBars } from '../../suite/derive.js';
import type { CaseResult } from '../../suite/model.js';
import { niceStep } from '../charts/axes.js';
import { listOf, percent, ratioLabel, si, sig, times } from '../charts/format.js';
import { renderGroupedBars } from '../charts/grouped-bars.js';
import { renderHeatMap, type HeatCell } from '../charts/heat-map.js';
import { categorical } from '../charts/palette.js';
import { barRange, overNaive, policiesIn, worstFairShare } from '../derived.js';
import { charts, ENGINE_LABEL, figure, perSecond, section, SHAPE_LABEL } from './common.js';

/**
 * A policy's colour, the same in every chart and every report: naive is always vermillion; the
 * others take blue, green, pink… in the schema's order (notify blue, pv-halt green), whatever a
 * filtered run happens to have.
 */
function policyColour(policy: PolicyKind): string {
  if (policy === 'naive') return categorical(1);
  const i = POLICY_KINDS.filter((p) => p !== 'naive').indexOf(policy);
  return categorical([0, 2, 3, 4, 5][Math.max(0, i) % 5]!);
}

const firstSeen = <T>(items: readonly T[]): T[] => [...new Set(items)];
const engines = (rows: readonly { engine: EngineKind }[]) => firstSeen(rows.map((r) => r.engine));

const heatMapChartName = (engine: EngineKind): string => `overcommit-heatmap/${engine}`;
const barsChartName = (b: PolicyBars): string => `policy-bars/${b.engine}/${b.preset}/${b.shape}`;

/** Rows grouped by preset, then shape, then policy (naive first). */
function orderRows(rows: readonly OvercommitRow[], policies: readonly PolicyKind[]): OvercommitRow[] {
  const presets = firstSeen(rows.map((r) => r.preset));
  const shapes: OvercommitRow['shape'][] = ['vms', 'vcpus'];
  return [...rows].sort(
    (a, b) =>
      presets.indexOf(a.preset) - presets.indexOf(b.preset) ||
      shapes.indexOf(a.shape) - shapes.indexOf(b.shape) ||
      policies.indexOf(a.policy) - policies.indexOf(b.policy),
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
  return (
    `${row.preset} · ${row.policy} · ${SHAPE_LABEL[row.shape]} at ${ratioLabel(p.ratio)}: ` +
    `per VM ${percent(cell.perVmVsFairShare.mean, 1)} of its fair share (worst VM ${percent(cell.perVmVsFairShare.min, 1)}), ` +
    `${percent(cell.perVmVsOneX.mean, 1)} of its throughput alone; all VMs together ${times(cell.totalVsOneX)} the 1× case. ` +
    `${p.vms} VM${p.vms === 1 ? '' : 's'} × ${p.vcpusPerVm} vCPUs on ${p.pcpus} pCPUs.${haltText(cell.case)}`
  );
}

/** The sentence under a heat map: at the highest ratio, how low naive goes and how high the others stay. */
function heatMapClaim(rows: readonly OvercommitRow[], policies: readonly PolicyKind[]): string {
  const ratios = ratiosOf(rows);
  const top = ratios[ratios.length - 1];
  if (top === undefined) return '';
  const where = (row?: OvercommitRow) => (row ? ` (${row.preset}, ${SHAPE_LABEL[row.shape]})` : '');
  const parts: string[] = [];
  for (const policy of policies) {
    const worst = worstFairShare(rows, policy, top);
    if (!Number.isFinite(worst.value)) continue;
    parts.push(
      policy === 'naive'
        ? `naive spinning falls to as little as ${percent(worst.value)} of the fair share per VM${where(worst.row)}`
        : `${policy} keeps at least ${percent(worst.value)} in every row`,
    );
  }
  if (parts.length === 0) return `No cell has a figure at ${ratioLabel(top)} overcommit.`;
  const text = `At ${ratioLabel(top)} overcommit, ${parts.join('; ')}.`;
  return `${text} 100% is a VM's fair share: its throughput alone on the machine times its share of the pCPUs.`;
}

function heatMap(engine: EngineKind, rows: readonly OvercommitRow[], policies: readonly PolicyKind[]): string {
  const ordered = orderRows(rows, policies);
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
    rows: ordered.map((r) => ({ group: `${r.preset} workload`, label: `${r.policy} · ${SHAPE_LABEL[r.shape]}` })),
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
  return figure(heatMapChartName(engine), `Overcommit matrix · ${ENGINE_LABEL[engine]}`, svg, heatMapClaim(ordered, policies));
}

/** The sentence under a bar chart: every policy at the highest ratio, in naive's 1× unit, and how many times naive each one is. */
function barsClaim(b: PolicyBars): string {
  const i = b.ratios.length - 1;
  if (i < 0) return '';
  const hasNaive = b.bars.some((x) => x.policy === 'naive');
  const each = b.bars.map((x) => {
    const gain = x.policy !== 'naive' && hasNaive ? overNaive(b, x.policy, i) : Number.NaN;
    return `${times(x.relative[i]!)} under ${x.policy}${Number.isFinite(gain) ? ` (${times(gain, 1)} naive's)` : ''}`;
  });
  const unit = Number.isFinite(b.reference) ? ` (${si(b.reference)} acquisitions ${perSecond(b.engine)})` : '';
  return `At ${ratioLabel(b.ratios[i]!)} overcommit, all VMs together do ${listOf(each)}, in units of naive's throughput at 1×${unit}.`;
}

function bars(b: PolicyBars): string {
  const svg = renderGroupedBars({
    title: `Throughput by policy and overcommit ratio, ${b.preset} workload, ${SHAPE_LABEL[b.shape]}, ${ENGINE_LABEL[b.engine]}`,
    groups: b.ratios.map(ratioLabel),
    xLabel: 'overcommit ratio (vCPUs / pCPUs)',
    yLabel: "all VMs' throughput / naive at 1× (×)",
    format: (v) => `${sig(v)}×`,
    valueFormat: (v) => times(v),
    reference: { value: 1, label: 'naive at 1×' },
    series: b.bars.map((x) => ({
      name: x.policy,
      colour: policyColour(x.policy),
      bars: b.ratios.map((ratio, i) => {
        const s = x.spreads[i];
        const { lo, hi } = barRange(b, s);
        return {
          value: x.relative[i]!,
          lo,
          hi,
          title: `${x.policy} at ${ratioLabel(ratio)}: ${times(x.relative[i]!)} naive's 1× throughput; ${si(s?.median ?? Number.NaN)} acq/s (runs ${si(s?.min ?? Number.NaN)}–${si(s?.max ?? Number.NaN)})`,
        };
      }),
    })),
  });
  return figure(barsChartName(b), `${b.preset} workload · ${SHAPE_LABEL[b.shape]} · ${ENGINE_LABEL[b.engine]}`, svg, barsClaim(b));
}

export function renderOvercommitSection(cases: readonly CaseResult[]): string {
  const rows = overcommitRows(cases);
  if (rows.length === 0) return '';
  const policies = policiesIn(cases);
  const maps = engines(rows).map((e) =>
    heatMap(
      e,
      rows.filter((r) => r.engine === e),
      policies,
    ),
  );
  const barCharts = policyBars(rows).map(bars);
  return section(
    'overcommit',
    'Overcommit: naive against enlightened spinning',
    'VMs share the pCPUs with more vCPUs than pCPUs in all (the ratio). "Split into VMs": identical VMs (1.5× is 3 VMs of P/2 vCPUs); "one big VM": all the vCPUs in a single VM. ' +
      'The heat map shows what each VM gets relative to its fair share; the bars show all VMs\u2019 throughput against naive spinning\u2019s at 1×, whiskers spanning the runs\u2019 min–max.',
    `${charts(maps)}<h3 class="sub">Naive against ${listOf(policies.filter((p) => p !== 'naive')) || 'the other policies'}, per overcommit ratio</h3>${charts(barCharts)}`,
  );
}
