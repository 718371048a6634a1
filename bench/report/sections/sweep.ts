/**
 * Sweeps: throughput of the notify policy under 2× overcommit against the spin threshold (log₂
 * axis) and against the time slice (log axis): the median with the runs' min–max as a band and
 * whiskers, and derive.ts's knee sentence under each chart.
 */
import { formatSweepValue, sweepCurves, type SweepCurve } from '../../suite/derive.js';
import type { CaseResult } from '../../suite/model.js';
import { powerOfTwo, si } from '../charts/format.js';
import { renderLineChart } from '../charts/line-chart.js';
import { categorical } from '../charts/palette.js';
import { acquisitionsUnit, charts, ENGINE_LABEL, figure, section } from './common.js';

const sweepChartName = (c: SweepCurve): string => `sweep/${c.engine}/${c.preset}/${c.variable}`;

const AXIS: Record<SweepCurve['variable'], { label: string; base: 2 | 10; format: (v: number) => string; title: string }> = {
  spinThreshold: { label: 'spin threshold (spins between notifications, log₂ scale)', base: 2, format: powerOfTwo, title: 'spin threshold' },
  sliceUs: { label: 'time slice (log scale)', base: 10, format: (v) => formatSweepValue('sliceUs', v), title: 'time slice' },
};

/** The sentence under a sweep chart: derive.ts's knee description, and the runs it summarises. */
function sweepClaim(c: SweepCurve): string {
  const runs = Math.max(0, ...c.points.map((p) => p.case.runs.length));
  return `${c.knee} Medians of ${runs} run${runs === 1 ? '' : 's'} per point; the band spans their min–max.`;
}

function sweepChart(c: SweepCurve): string {
  const axis = AXIS[c.variable];
  const svg = renderLineChart({
    title: `Throughput against the ${axis.title}, ${c.preset} workload, ${ENGINE_LABEL[c.engine]}`,
    x: { label: axis.label, scale: 'log', base: axis.base, format: axis.format },
    y: { label: `${acquisitionsUnit(c.engine)}, all VMs`, scale: 'linear', zero: true, format: si },
    series: [
      {
        name: 'notify, 2 VMs at 2× overcommit (median, min–max band)',
        colour: categorical(0),
        marker: 'circle',
        points: c.points.map((p) => {
          const m = p.case.metrics.acquisitionsPerSec;
          return { x: p.value, y: m.median, lo: m.min, hi: m.max, title: `${axis.title} ${formatSweepValue(c.variable, p.value)}: ${si(m.median)} acq/s (runs ${si(m.min)}–${si(m.max)})` };
        }),
      },
    ],
  });
  return figure(sweepChartName(c), `${axis.title} · ${c.preset} workload · ${ENGINE_LABEL[c.engine]}`, svg, sweepClaim(c));
}

export function renderSweepSection(cases: readonly CaseResult[]): string {
  const curves = sweepCurves(cases);
  if (curves.length === 0) return '';
  return section(
    'sweep',
    'Sweeps: the spin threshold and the time slice',
    'The notify policy under 2× overcommit (2 VMs of P vCPUs each), with one knob varied at a time.',
    charts(curves.map(sweepChart)),
  );
}
