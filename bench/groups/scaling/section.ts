/**
 * Scaling: VM and bare-metal throughput against pCPUs with the ideal linear line, one chart per
 * engine × workload. The claim: the VM scales like bare metal.
 */
import { hypervisorShare, medianAcq } from '../../suite/derive.js';
import type { ReportSection } from '../../report/section.js';
import type { CaseResult } from '../../suite/model.js';
import { percent, powerOfTwo, si, sig, times } from '../../report/charts/format.js';
import { renderLineChart, type LinePoint } from '../../report/charts/line-chart.js';
import { categorical } from '../../../src/report/html/palette.js';
import { acquisitionsUnit, charts, claimParagraph, ENGINE_LABEL, figure, section } from '../../report/sections/common.js';
import { comparedPoints, idealScaling, scalingSeries, type ScalingSeries } from './derive.js';

const scalingChartName = (s: ScalingSeries): string => `scaling/${s.engine}/${s.workload}`;

/** The sentence under a scaling chart, from derive.ts's figures for the series. */
function scalingClaim(s: ScalingSeries): string {
  const compared = comparedPoints(s);
  const last = compared[compared.length - 1];
  if (!last) return `No pCPU count has both a VM and a bare-metal case, so the VM cannot be compared with bare metal here.`;
  const sentences = [
    `At ${last.pcpus} pCPU${last.pcpus === 1 ? '' : 's'} the VM does ${percent(last.vmOverBare)} of bare metal's throughput; ideal would be ${times(last.pcpus)}, the VM reaches ${times(last.speedupVm)} (bare metal ${times(last.speedupBare)}).`,
  ];
  if (compared.length > 1) {
    const ratios = compared.map((p) => p.vmOverBare);
    sentences.push(
      `From ${compared[0]!.pcpus} to ${last.pcpus} pCPUs the VM stays within ${percent(Math.min(...ratios))}–${percent(Math.max(...ratios))} of bare metal.`,
    );
  }
  const hv = hypervisorShare(s.points.flatMap((p) => (p.vm ? [p.vm] : [])));
  if (hv.cases > 0) sentences.push(`The hypervisor's own scheduler takes at most ${percent(hv.share.max, 2)} of pCPU time in these VM runs.`);
  return sentences.join(' ');
}

/** Up to this share of pCPU time, the hypervisor's own cost is stated as "almost nothing". */
const NEGLIGIBLE_HV_SHARE = 0.02;

/** The whole page's statement of the hypervisor's own cost, over every virtualized case. */
function hypervisorClaim(cases: readonly CaseResult[]): string {
  const hv = hypervisorShare(cases);
  if (hv.cases === 0) return '';
  const verdict =
    hv.share.max <= NEGLIGIBLE_HV_SHARE ? "The hypervisor's own scheduler costs almost nothing: over" : "The hypervisor's own scheduler is not free: over";
  return `${verdict} the ${hv.cases} virtualized case${hv.cases === 1 ? '' : 's'} it takes a median of ${percent(hv.share.median, 2)} of pCPU time, at most ${percent(hv.share.max, 2)}${hv.worst ? ` (${hv.worst.label}, ${ENGINE_LABEL[hv.worst.engine]})` : ''}.`;
}

function scalingChart(s: ScalingSeries): string {
  const xs = s.points.map((p) => p.pcpus);
  const wide = Math.max(...xs) / Math.min(...xs) >= 8;
  const point = (who: string, c: CaseResult | undefined, pcpus: number): LinePoint => {
    const m = c?.metrics.acquisitionsPerSec;
    return {
      x: pcpus,
      y: medianAcq(c) ?? Number.NaN,
      ...(m ? { lo: m.min, hi: m.max } : {}),
      title: `${who}, ${pcpus} pCPU${pcpus === 1 ? '' : 's'}: ${si(m?.median ?? Number.NaN)} acq/s (runs ${si(m?.min ?? Number.NaN)}–${si(m?.max ?? Number.NaN)})`,
    };
  };
  const svg = renderLineChart({
    title: `Throughput against pCPUs, ${s.workload} workload, ${ENGINE_LABEL[s.engine]}`,
    x: {
      label: `physical CPUs (pCPUs${wide ? ', log₂ scale' : ''})`,
      scale: wide ? 'log' : 'linear',
      base: 2,
      format: wide ? powerOfTwo : sig,
      ...(wide ? {} : { ticks: xs, pad: 0.06 }),
    },
    y: { label: `${acquisitionsUnit(s.engine)}${wide ? ' (log scale)' : ''}`, scale: wide ? 'log' : 'linear', zero: !wide, format: si },
    series: [
      { name: 'VM (vCPUs = pCPUs)', colour: categorical(0), marker: 'circle', points: s.points.map((p) => point('VM', p.vm, p.pcpus)) },
      { name: 'bare metal', colour: categorical(1), marker: 'square', points: s.points.map((p) => point('bare metal', p.bare, p.pcpus)) },
      {
        name: 'ideal (1-pCPU bare metal × pCPUs)',
        colour: '#333333',
        marker: 'none',
        dash: '6 4',
        points: idealScaling(s).map((p) => ({ x: p.pcpus, y: p.acquisitionsPerSec, title: `ideal at ${p.pcpus} pCPUs: ${si(p.acquisitionsPerSec)} acq/s` })),
      },
    ],
  });
  return figure(scalingChartName(s), `${s.workload} workload · ${ENGINE_LABEL[s.engine]}`, svg, scalingClaim(s));
}

function renderScalingSection(cases: readonly CaseResult[]): string {
  const series = scalingSeries(cases);
  if (series.length === 0) return '';
  return section(
    'scaling',
    'Scaling: the VM against bare metal',
    'Throughput of one VM with as many vCPUs as pCPUs, against the same guest program on bare metal, as pCPUs grow. Points are medians over the runs; whiskers and bands span the runs\u2019 min–max.',
    `${claimParagraph(hypervisorClaim(cases))}${charts(series.map(scalingChart))}`,
  );
}

export const scalingSection: ReportSection = { id: 'scaling', title: 'Scaling', render: (results) => renderScalingSection(results.cases) };
