/** The micro-benchmark table: per-operation latency (p50, p99), throughput and sample count, with the suite's notes. */
import type { ReportSection } from '../../report/section.js';
import type { MicroReport } from '../../suite/model.js';
import { esc } from '../../../src/report/html/escape.js';
import { nanoseconds, percent, si, sig } from '../../report/charts/format.js';
import { section } from '../../report/sections/common.js';

const cell = (text: string, numeric = false) => `<td${numeric ? ' class="num"' : ''}>${esc(text)}</td>`;

function renderMicroSection(micro: MicroReport | null): string {
  if (!micro) return '';
  const head = ['benchmark', 'op', 'ns/op p50', 'ns/op p99', 'ops/s', 'samples'];
  const rows = micro.rows.map(
    (r) =>
      `<tr>${cell(r.name)}${cell(r.unit)}${cell(sig(r.nsP50), true)}${cell(sig(r.nsP99), true)}${cell(si(r.opsP50), true)}${cell(String(r.samples), true)}</tr>`,
  );
  const notes: string[] = [
    `Timer grain ${nanoseconds(micro.timer.grainNs)}, one clock read ${nanoseconds(micro.timer.readNs)}; 1-minute load average ${sig(micro.loadAverage.before)} before, ${sig(micro.loadAverage.after)} after; ${sig(micro.timeMs / 1000)} s in all.`,
  ];
  if (micro.nativeSpeed)
    notes.push(
      `Guest work inside the simulator runs at ${percent(micro.nativeSpeed.ratio)} of a plain loop's speed (target ≥ ${percent(micro.nativeSpeed.target)}: ${micro.nativeSpeed.met ? 'met' : 'NOT met'}).`,
    );
  if (micro.switchCost)
    notes.push(
      `A vCPU switch costs ${nanoseconds(micro.switchCost.nsP50)} at the median (target ≤ ${nanoseconds(micro.switchCost.target)}: ${micro.switchCost.met ? 'met' : 'NOT met'}).`,
    );
  notes.push(...micro.notes);
  const table =
    `<table class="data micro"><thead><tr>${head.map((h, i) => `<th${i >= 2 ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead>` +
    `<tbody>${rows.join('')}</tbody></table>`;
  return section(
    'micro',
    'Micro-benchmarks',
    'Single-threaded costs of the simulator\u2019s hot paths (tinybench, batched so each sample is far above the timer\u2019s grain); ns per operation at the median and the 99th percentile.',
    `${table}<ul class="notes">${notes.map((n) => `<li>${esc(n)}</li>`).join('')}</ul>`,
  );
}

export const microSection: ReportSection = { id: 'micro', title: 'Micro-benchmarks', render: (results) => renderMicroSection(results.micro) };
