/** The micro-benchmarks in the terminal report: the table every micro run shows (`bench:micro` adds its batch details) and the lines under it. */
import { fmt, renderTable, type Column } from '../../../src/report/text-table.js';
import type { MicroReport, MicroRow, SuiteResults } from '../../suite/model.js';
import { ns, si, wrap } from '../../suite/text-format.js';

/** The micro-benchmark columns every micro table shows; `bench:micro` adds its batch details. */
export const MICRO_COLUMNS: readonly Column<MicroRow>[] = [
  { header: 'benchmark', cell: (r) => (r.name.length > 40 ? `${r.name.slice(0, 39)}…` : r.name), align: 'left' },
  { header: 'op', cell: (r) => r.unit, align: 'left' },
  { header: 'ns/op p50', cell: (r) => ns(r.nsP50) },
  { header: 'ns/op p99', cell: (r) => ns(r.nsP99) },
  { header: 'ops/s', cell: (r) => si(r.opsP50) },
  { header: 'samples', cell: (r) => String(r.samples) },
];

/** What the micro-benchmarks say under their table: the tasks' notes, native speed and the switch against their targets. */
export function microSummary(micro: MicroReport): string[] {
  const out = micro.notes.map((note) => wrap(note));
  const speed = micro.nativeSpeed;
  if (speed)
    out.push(
      wrap(
        `native speed: ${fmt.percent(speed.ratio)} of a plain loop (simulator ${fmt.si(speed.simulatorUnitsPerS)} units/s ÷ plain loop ` +
          `${fmt.si(speed.plainUnitsPerS)} units/s; target ≥ ${fmt.percent(speed.target, 0)}: ${speed.met ? 'met' : 'NOT MET'})`,
      ),
    );
  const sw = micro.switchCost;
  if (sw) out.push(`vCPU switch: ${ns(sw.nsP50)} ns median (target ≤ ${sw.target} ns: ${sw.met ? 'met' : 'NOT MET'})`);
  return out;
}

export function microTable(results: SuiteResults): string[] {
  const micro = results.micro;
  if (!micro) return [];
  return [
    `Micro-benchmarks (tinybench, batched; timer grain ${micro.timer.grainNs.toFixed(0)} ns, each sample a batch mean)`,
    '',
    renderTable(MICRO_COLUMNS, micro.rows),
    '',
    ...microSummary(micro),
  ];
}
