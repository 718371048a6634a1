/**
 * Systems: every named system at every overcommit ratio, relative to bare metal, as a heat map
 * per engine (a row group per preset, a row per system in the systems' list order, a column per
 * ratio), each cell all VMs' throughput together over bare metal's, with the matrix's claim under
 * it. Systems are whatever the data has.
 */
import type { EngineKind } from '../../../src/config/schema.js';
import type { ReportSection } from '../../report/section.js';
import type { CaseResult } from '../../suite/model.js';
import { niceStep } from '../../../src/report/html/nice-step.js';
import { percent, ratioLabel, si, times } from '../../report/charts/format.js';
import { renderHeatMap, type HeatCell } from '../../report/charts/heat-map.js';
import { charts, ENGINE_LABEL, figure, perSecond, section } from '../../report/sections/common.js';
import { systemsClaim, systemsMatrices, type SystemCell, type SystemsMatrix } from './derive.js';

/** The colour scale's top: the largest cell, at least 1 (bare metal), at most this (larger cells clamp). */
const MAX_DOMAIN = 3;

const heatMapChartName = (engine: EngineKind): string => `systems-heatmap/${engine}`;

/** Bare metal's throughput, the matrix's unit: `bare metal 274k acquisitions per virtual second`. */
function bareText(matrix: SystemsMatrix): string {
  return matrix.bare ? `bare metal ${si(matrix.bare.metrics.acquisitionsPerSec.median)} acquisitions ${perSecond(matrix.engine)}` : 'bare metal did not run';
}

function cellTitle(matrix: SystemsMatrix, system: string, cell: SystemCell): string {
  const p = cell.params;
  const m = cell.case.metrics;
  return (
    `${matrix.preset} · ${system} at ${ratioLabel(p.ratio)}: all VMs together ${times(cell.totalVsBare)} bare metal's throughput (${bareText(matrix)}); ` +
    `per VM ${percent(cell.perVmVsFair.mean, 1)} of its fair share of bare metal's (worst VM ${percent(cell.perVmVsFair.min, 1)}). ` +
    `${p.vms} VM${p.vms === 1 ? '' : 's'} × ${p.vcpusPerVm} vCPUs on ${p.pcpus} pCPUs; spin ${percent(m.spinFraction.median, 1)} of vCPU run time, ` +
    `hypervisor ${percent(m.hvFraction.median, 1)} of pCPU time (medians of the runs).`
  );
}

function heatMap(engine: EngineKind, matrices: readonly SystemsMatrix[]): string {
  const ratios = [...new Set(matrices.flatMap((m) => m.ratios))].sort((a, b) => a - b);
  const rows = matrices.flatMap((matrix) => matrix.rows.map((row) => ({ matrix, row })));
  const cells: (HeatCell | null)[][] = rows.map(({ matrix, row }) =>
    ratios.map((ratio) => {
      const cell = row.cells.find((c) => c.params.ratio === ratio);
      // Without bare metal (a --filter run that left it out) a cell has no figure: drawn empty, as a case that did not run.
      return cell && Number.isFinite(cell.totalVsBare)
        ? { value: cell.totalVsBare, text: times(cell.totalVsBare), title: cellTitle(matrix, row.system, cell) }
        : null;
    }),
  );
  const values = cells.flatMap((r) => r.flatMap((c) => (c && Number.isFinite(c.value) ? [c.value] : [])));
  const max = Math.min(MAX_DOMAIN, Math.max(1, ...values));
  const step = niceStep(max, 4);
  const top = Math.ceil(max / step - 1e-9) * step;
  const svg = renderHeatMap({
    title: `All VMs' throughput relative to bare metal, per system and overcommit ratio, ${ENGINE_LABEL[engine]}`,
    rows: rows.map(({ matrix, row }) => ({ group: `${matrix.preset} workload, ${matrix.pcpus} pCPUs`, label: row.system })),
    columns: ratios.map(ratioLabel),
    columnTitle: 'overcommit ratio (vCPUs / pCPUs)',
    cells,
    domain: [0, top],
    key: {
      label: "all VMs' throughput / bare metal's",
      format: (v) => `${v.toFixed(1)}×`,
      ticks: Array.from({ length: Math.round(top / step) + 1 }, (_, i) => i * step),
    },
  });
  const caption = matrices
    .map((m) => {
      const claim = systemsClaim(m);
      return `${m.preset}: ${bareText(m)}.${claim ? ` ${claim}` : ''}`;
    })
    .join(' ');
  return figure(heatMapChartName(engine), `Systems × overcommit · ${ENGINE_LABEL[engine]}`, svg, caption);
}

function renderSystemsSection(cases: readonly CaseResult[]): string {
  const matrices = systemsMatrices(cases).filter((m) => m.rows.length > 0);
  if (matrices.length === 0) return '';
  const engines = [...new Set(matrices.map((m) => m.engine))];
  return section(
    'systems',
    'Systems: named guest and host pairs against bare metal',
    'Each named system (a real guest\u2019s lock and wait policy on a real host\u2019s scheduler, spin detection and reaction) runs the preset\u2019s workload in identical VMs of P vCPUs ' +
      '(1.5×: 3 VMs of P/2) at each overcommit ratio. A cell is all VMs\u2019 throughput together over bare metal\u2019s: the same workload on the same pCPUs, one vCPU per pCPU, ' +
      'no hypervisor (bare metal cannot be overcommitted, so one bare-metal run is the reference of every ratio). 1.00× is the physical machine\u2019s throughput; ' +
      'more is possible where the VMs\u2019 own locks contend less than one machine\u2019s, or the system\u2019s lock does better than bare metal\u2019s. The tooltips add each VM against its fair share. Medians of the runs.',
    charts(
      engines.map((engine) =>
        heatMap(
          engine,
          matrices.filter((m) => m.engine === engine),
        ),
      ),
    ),
  );
}

export const systemsSection: ReportSection = { id: 'systems', title: 'Systems', render: (results) => renderSystemsSection(results.cases) };
