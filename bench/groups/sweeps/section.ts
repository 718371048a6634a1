/**
 * Sweeps: throughput against one knob of a policy (log axes): notify's spin threshold and the
 * time slice under 2× overcommit, pv-halt's halt threshold at 1× and 2×. One chart per engine,
 * preset, policy and knob; one line per shape the knob ran at (the halt threshold: alone and 2×),
 * the median with the runs' min–max as a band and whiskers, and derive.ts's knee sentence of each
 * line under the chart.
 */
import type { ReportSection } from '../../report/section.js';
import type { CaseResult } from '../../suite/model.js';
import { powerOfTwo, si } from '../../report/charts/format.js';
import { renderLineChart } from '../../report/charts/line-chart.js';
import { categorical, type Marker } from '../../../src/report/html/palette.js';
import { acquisitionsUnit, charts, ENGINE_LABEL, figure, section } from '../../report/sections/common.js';
import { formatSweepValue, sweepCurves, sweepShape, SWEEP_NAMES, type SweepCurve } from './derive.js';

/** The chart of a curve: every curve of one engine, preset and knob (each shape, each policy) is a line on it. */
const sweepChartName = (c: SweepCurve): string => `sweep/${c.engine}/${c.preset}/${c.variable}`;

const AXIS: Record<SweepCurve['variable'], { label: string; base: 2 | 10; format: (v: number) => string }> = {
  spinThreshold: { label: 'spin threshold (spins between notifications, log₂ scale)', base: 2, format: powerOfTwo },
  sliceUs: { label: 'time slice (log scale)', base: 10, format: (v) => formatSweepValue('sliceUs', v) },
  haltThreshold: { label: 'halt threshold (spins before a waiter halts, log₂ scale)', base: 2, format: powerOfTwo },
};

/** The lines of a chart, most overcommitted first: blue with circles, then green, dashed, with squares. */
const LINE_STYLE: readonly { readonly colour: string; readonly marker: Marker; readonly dash?: string }[] = [
  { colour: categorical(0), marker: 'circle' },
  { colour: categorical(2), marker: 'square', dash: '5 3' },
];

/** The sentence under a sweep chart: each line's knee description (named by its policy and shape when there are several), and the runs they summarise. */
function sweepClaim(curves: readonly SweepCurve[]): string {
  const runs = Math.max(0, ...curves.flatMap((c) => c.points.map((p) => p.case.runs.length)));
  const knees = curves.length === 1 ? curves[0]!.knee : curves.map((c) => `${c.policy} at ${sweepShape(c)}: ${c.knee}`).join(' ');
  return `${knees} Medians of ${runs} run${runs === 1 ? '' : 's'} per point; the band spans their min–max.`;
}

function sweepChart(curves: readonly SweepCurve[]): string {
  const first = curves[0]!;
  const axis = AXIS[first.variable];
  const title = SWEEP_NAMES[first.variable];
  const policies = [...new Set(curves.map((c) => c.policy))].join(', ');
  // The most overcommitted shape first: the claim the sweep is about.
  const ordered = [...curves].sort((a, b) => b.ratio - a.ratio);
  const svg = renderLineChart({
    title: `Throughput against the ${title}, ${policies}, ${first.preset} workload, ${ENGINE_LABEL[first.engine]}`,
    x: { label: axis.label, scale: 'log', base: axis.base, format: axis.format },
    y: { label: `${acquisitionsUnit(first.engine)}, all VMs`, scale: 'linear', zero: true, format: si },
    series: ordered.map((c, i) => ({
      name: `${c.policy}, ${c.vms === 1 ? '1 VM alone' : `${c.vms} VMs`} at ${Number(c.ratio.toPrecision(3))}×${c.ratio > 1 ? ' overcommit' : ''} (median, min–max band)`,
      ...LINE_STYLE[i % LINE_STYLE.length]!,
      points: c.points.map((p) => {
        const m = p.case.metrics.acquisitionsPerSec;
        return {
          x: p.value,
          y: m.median,
          lo: m.min,
          hi: m.max,
          title: `${title} ${formatSweepValue(c.variable, p.value)} at ${Number(c.ratio.toPrecision(3))}×: ${si(m.median)} acq/s (runs ${si(m.min)}–${si(m.max)})`,
        };
      }),
    })),
  });
  return figure(sweepChartName(first), `${title} · ${policies} · ${first.preset} workload · ${ENGINE_LABEL[first.engine]}`, svg, sweepClaim(ordered));
}

function renderSweepSection(cases: readonly CaseResult[]): string {
  const curves = sweepCurves(cases);
  if (curves.length === 0) return '';
  const byChart = new Map<string, SweepCurve[]>();
  for (const c of curves) byChart.set(sweepChartName(c), [...(byChart.get(sweepChartName(c)) ?? []), c]);
  return section(
    'sweep',
    'Sweeps: one knob at a time',
    'The notify policy under 2× overcommit (2 VMs of P vCPUs each) against its spin threshold and the time slice; ' +
      'pv-halt against its halt threshold with one VM of P vCPUs alone (1×) and with two (2×). One knob varies, the rest stay at their defaults.',
    charts([...byChart.values()].map(sweepChart)),
  );
}

export const sweepSection: ReportSection = { id: 'sweep', title: 'Sweeps', render: (results) => renderSweepSection(results.cases) };
