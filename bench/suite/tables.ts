/**
 * The suite's terminal report: one table per group (and per engine and workload), each line at
 * most 100 columns, then the claims the figures support, in words computed from them.
 */
import { formatRatio, verdictWords } from '../../src/report/reproduce-table.js';
import type { ReproducedRow } from '../../src/reproduce/run.js';
import { fmt, renderTable, type Column } from '../../src/report/text-table.js';
import { formatDelta, type BaselineComparison, type Delta } from './baseline.js';
import { BASELINE_MECHANISM, isBaseline, mechanismLabel } from './mechanisms.js';
import {
  costsAtOneX,
  formatSlice,
  formatSweepValue,
  hypervisorShare,
  mechanismsOf,
  overcommitRows,
  relativeSpread,
  reproductionTables,
  scalingSeries,
  schedulerClaim,
  schedulerRows,
  spread,
  sweepCurves,
  sweepShape,
  SWEEP_NAMES,
  systemsClaim,
  systemsMatrices,
  type CostAtOneX,
  type OvercommitCell,
  type OvercommitRow,
  type ScalingPoint,
  type SchedulerRow,
  type SystemRow,
} from './derive.js';
import { CASE_METRICS, type CaseMetricName, type MicroReport, type MicroRow, type Spread, type SuiteResults } from './model.js';

export const MAX_COLUMNS = 100;

/** Words wrapped to `width` columns. */
export function wrap(text: string, width = MAX_COLUMNS, indent = ''): string {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent;
    }
    line += line.length > indent.length ? ` ${word}` : word;
  }
  if (line.length > indent.length) lines.push(line);
  return lines.join('\n');
}

const dash = '–';
const num = (f: (n: number) => string) => (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? dash : f(n));
const si = num((n) => fmt.si(n));
/** fmt.si without the decimal from 100k to 1M ("270k", not "270.0k"), so that a median with its range stays narrow. */
const si3 = (n: number): string => {
  const k = Math.round(n / 1e3);
  return Math.abs(n) >= 1e5 && Math.abs(k) < 1000 ? `${k}k` : fmt.si(n);
};
const pct = num((n) => fmt.percent(n));
const times = num((n) => `${n.toFixed(2)}×`);
const ns = num((n) => fmt.nsPerOp(n));
/** A count (a median of the runs' totals) in at most 5 columns: 1234, 56.7k, 123k. */
const count = num((n) => (n < 10_000 ? fmt.int(n) : si3(n)));

/** "56.0k (55.1k–57.0k)", or just the median when the runs agree (or there was one run). */
function withRange(s: Spread | undefined, f: (n: number) => string = si3): string {
  if (!s || !Number.isFinite(s.median)) return dash;
  return s.min === s.max ? f(s.median) : `${f(s.median)} (${f(s.min)}${dash}${f(s.max)})`;
}

const engineTime = (engine: string) => (engine === 'virtual' ? 'per virtual second' : 'per second');

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

function microTable(results: SuiteResults): string[] {
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

function scalingTables(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const series of scalingSeries(results.cases)) {
    const columns: Column<ScalingPoint>[] = [
      { header: 'pCPUs', cell: (p) => String(p.pcpus) },
      { header: 'bare acq/s (range)', cell: (p) => withRange(p.bare?.metrics.acquisitionsPerSec) },
      { header: 'VM acq/s (range)', cell: (p) => withRange(p.vm?.metrics.acquisitionsPerSec) },
      { header: 'bare ×', cell: (p) => times(p.speedupBare) },
      { header: 'VM ×', cell: (p) => times(p.speedupVm) },
      { header: 'VM eff.', cell: (p) => pct(p.efficiencyVm) },
      { header: 'VM/bare', cell: (p) => pct(p.vmOverBare) },
      { header: 'hv %', cell: (p) => pct(p.vm?.metrics.hvFraction.median) },
    ];
    out.push(
      `Scaling, ${series.engine} engine, ${series.workload} workload (acquisitions ${engineTime(series.engine)}, median (min–max))`,
      '',
      renderTable(columns, series.points),
      '',
    );
  }
  return out;
}

/**
 * A table whose rows come in groups, each under a heading line of its own: the overcommit tables'
 * mechanisms, whose names (up to 40 columns) would not fit a column of a 100-column table.
 */
function groupedTable<Row>(columns: readonly Column<Row>[], groups: readonly { readonly heading: string; readonly rows: readonly Row[] }[]): string {
  const lines = renderTable(
    columns,
    groups.flatMap((g) => g.rows),
  ).split('\n');
  const out = lines.slice(0, 2);
  let next = 2;
  for (const group of groups) {
    out.push(group.heading, ...lines.slice(next, next + group.rows.length));
    next += group.rows.length;
  }
  return out.join('\n');
}

/** "tas · naive 1.01×, ttas · naive 0.98×, …": each mechanism's throughput at 1× over the baseline's. */
function costLine(cost: CostAtOneX): string {
  const others = cost.costs.filter((c) => !isBaseline(c));
  if (others.length === 0) return '';
  return `Cost at 1× (throughput of one VM of P vCPUs alone over ${mechanismLabel(BASELINE_MECHANISM)}'s): ${others.map((c) => `${c.mechanism} ${times(c.relative)}`).join(', ')}.`;
}

/** A line of an overcommit table: one cell of one row. */
interface OvercommitLine {
  readonly row: OvercommitRow;
  readonly cell: OvercommitCell;
}

function overcommitTables(results: SuiteResults): string[] {
  const out: string[] = [];
  const rows = overcommitRows(results.cases);
  const costs = costsAtOneX(rows);
  const keys = [...new Set(rows.map((r) => `${r.engine}/${r.preset}`))];
  for (const key of keys) {
    const same = rows.filter((r) => `${r.engine}/${r.preset}` === key);
    const columns: Column<OvercommitLine>[] = [
      { header: 'more', cell: ({ row }) => `  ${row.shape === 'vms' ? 'VMs' : 'vCPUs'}`, align: 'left' },
      { header: 'ratio', cell: ({ cell }) => `${cell.params.ratio}×` },
      { header: 'VMs', cell: ({ cell }) => `${cell.params.vms}×${cell.params.vcpusPerVm}` },
      { header: 'acq/s (range)', cell: ({ cell }) => withRange(cell.case.metrics.acquisitionsPerSec) },
      { header: 'VM/1×', cell: ({ cell }) => times(cell.perVmVsOneX.mean) },
      { header: 'VM/fair', cell: ({ cell }) => times(cell.perVmVsFairShare.mean) },
      { header: 'spin %', cell: ({ cell }) => pct(cell.case.metrics.spinFraction.median) },
      { header: 'steal %', cell: ({ cell }) => pct(cell.case.metrics.stealFraction.median) },
      { header: 'LHP', cell: ({ cell }) => count(cell.case.metrics.lockHolderPreemptions.median) },
      { header: 'LWP', cell: ({ cell }) => count(cell.case.metrics.lockWaiterPreemptions.median) },
      { header: 'halts', cell: ({ cell }) => count(cell.case.metrics.halts.median) },
    ];
    // One group per mechanism, both shapes in it: the 1× case once, then more VMs, then more vCPUs.
    const groups = mechanismsOf(same).map(({ mechanism }) => {
      const mine = same.filter((r) => r.mechanism === mechanism);
      const lines = mine.flatMap((row) => row.cells.filter((cell) => cell.params.ratio > 1 || row === mine[0]).map((cell) => ({ row, cell })));
      return { heading: mechanism, rows: lines };
    });
    const [engine, preset] = key.split('/');
    out.push(
      `Overcommit, ${engine} engine, ${preset} workload, ${same[0]!.cells[0]!.params.pcpus} pCPUs (acquisitions ${engineTime(engine!)}; ` +
        'one group per lock · wait policy; more VMs or more vCPUs in one VM; VMs: count × vCPUs each; VM/1× and VM/fair: mean per VM of its throughput over its 1× value ' +
        'and over its fair share; halts: pv-halt waiters that halted their vCPU)',
    );
    out.push('', groupedTable(columns, groups), '');
    const cost = costs.find((c) => `${c.engine}/${c.preset}` === key);
    const line = cost ? costLine(cost) : '';
    if (line) out.push(line, '');
  }
  return out.map((line) => (line.includes('\n') ? line : wrap(line)));
}

function sweepTables(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const curve of sweepCurves(results.cases)) {
    type Point = (typeof curve.points)[number];
    const halting = curve.policy === 'pv-halt';
    const columns: Column<Point>[] = [
      { header: curve.variable === 'sliceUs' ? 'slice' : 'threshold', cell: (p) => formatSweepValue(curve.variable, p.value) },
      { header: 'acq/s (range)', cell: (p) => withRange(p.case.metrics.acquisitionsPerSec) },
      { header: 'spin %', cell: (p) => pct(p.case.metrics.spinFraction.median) },
      ...(halting ? [{ header: 'halt %', cell: (p: Point) => pct(p.case.metrics.haltFraction.median) }] : []),
      { header: 'steal %', cell: (p) => pct(p.case.metrics.stealFraction.median) },
      { header: 'hv %', cell: (p) => pct(p.case.metrics.hvFraction.median) },
      { header: 'LHP', cell: (p) => count(p.case.metrics.lockHolderPreemptions.median) },
      ...(halting
        ? [
            { header: 'halts', cell: (p: Point) => count(p.case.metrics.halts.median) },
            { header: 'spurious', cell: (p: Point) => count(p.case.metrics.spuriousWakeUps.median) },
          ]
        : []),
    ];
    out.push(
      wrap(`Sweep of the ${SWEEP_NAMES[curve.variable]}, ${curve.policy} at ${sweepShape(curve)}, ${curve.preset} workload, ${curve.engine} engine`),
      '',
      renderTable(columns, curve.points),
      '',
      wrap(curve.knee),
      '',
    );
  }
  return out;
}

/** Percentage points, signed: the difference of two shares. */
const pointsDelta = num((n) => `${n >= 0 ? '+' : ''}${(n * 100).toFixed(3)}`);
/** The global lock's wait is thousandths of a percent on the virtual engine: three decimals, so that its growth with pCPUs shows. */
const finePct = num((n) => fmt.percent(n, 3));
const throughput = num(si3);

function schedulerTables(results: SuiteResults): string[] {
  const out: string[] = [];
  const rows = schedulerRows(results.cases);
  for (const engine of new Set(rows.map((r) => r.engine))) {
    const columns: Column<SchedulerRow>[] = [
      { header: 'pCPUs', cell: (r) => String(r.pcpus) },
      { header: 'slice', cell: (r) => formatSlice(r.sliceUs) },
      { header: 'rr hv %', cell: (r) => pct(r.rr?.metrics.hvFraction.median) },
      { header: 'g-l hv %', cell: (r) => pct(r.globalLock?.metrics.hvFraction.median) },
      { header: 'Δ pp', cell: (r) => pointsDelta(r.hvDelta) },
      // Medians alone: with their ranges the table would not fit 100 columns (the ranges are in --json and the baseline table).
      { header: 'rr acq/s', cell: (r) => throughput(r.rr?.metrics.acquisitionsPerSec.median) },
      { header: 'g-l acq/s', cell: (r) => throughput(r.globalLock?.metrics.acquisitionsPerSec.median) },
      { header: 'g-l/rr', cell: (r) => times(r.throughputRatio) },
      { header: 'lock %', cell: (r) => finePct(r.globalLock?.metrics.globalLockFraction.median) },
      { header: 'spins/pCPU', cell: (r) => count(r.globalLock?.metrics.globalLockSpins.median) },
    ];
    out.push(
      wrap(
        `Schedulers, ${engine} engine: rr (lock-free per-pCPU run queues) against global-lock (g-l: one run queue under one spinlock), ` +
          `contended workload, 1 VM of 2 vCPUs per pCPU (medians; acquisitions ${engineTime(engine)}; Δ pp: g-l's hv % minus rr's, in percentage points; ` +
          "lock %: share of pCPU time g-l's pCPUs waited for its lock, a part of its hv %; spins/pCPU: polls of the lock held by another pCPU)",
      ),
      '',
      renderTable(
        columns,
        rows.filter((r) => r.engine === engine),
      ),
      '',
    );
  }
  return out;
}

function systemsTables(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const matrix of systemsMatrices(results.cases)) {
    const columns: Column<SystemRow>[] = [
      { header: 'system', cell: (r) => r.system, align: 'left' },
      ...matrix.ratios.map((ratio) => ({
        header: `${ratio}× all (worst VM)`,
        cell: (r: SystemRow) => {
          const cell = r.cells.find((c) => c.params.ratio === ratio);
          return cell ? `${times(cell.totalVsBare)} (${times(cell.perVmVsFair.min)})` : dash;
        },
      })),
    ];
    const bare = matrix.bare ? `${si3(matrix.bare.metrics.acquisitionsPerSec.median)} acquisitions ${engineTime(matrix.engine)}` : 'did not run: no figure';
    out.push(
      wrap(
        `Systems, ${matrix.engine} engine, ${matrix.preset} workload, ${matrix.pcpus} pCPUs, against bare metal (${bare}): all = every VM's throughput ` +
          "together over bare metal's; worst VM = the least over the VMs of a VM's throughput over its fair share of bare metal's (bare metal's × its weight's share); " +
          'VMs of P vCPUs (1.5×: 3 VMs of P/2); medians of the runs',
      ),
      '',
      renderTable(columns, matrix.rows),
      '',
    );
    const claim = systemsClaim(matrix);
    if (claim) out.push(wrap(claim), '');
  }
  return out;
}

/** The suite's claims, each in a sentence computed from the figures. */
function claims(results: SuiteResults): string[] {
  const out: string[] = [];
  for (const series of scalingSeries(results.cases)) {
    const top = series.points[series.points.length - 1];
    if (!top || top.pcpus === 1 || !Number.isFinite(top.vmOverBare)) continue;
    out.push(
      `Scaling (${series.engine}, ${series.workload}): at ${top.pcpus} pCPUs the VM does ${pct(top.vmOverBare)} of bare metal's throughput; ` +
        `speed-up from 1 pCPU ${times(top.speedupVm)} (bare ${times(top.speedupBare)}, ideal ${top.pcpus}.00×).`,
    );
  }
  const rows = overcommitRows(results.cases);
  for (const preset of new Set(rows.map((r) => `${r.engine}/${r.preset}`))) {
    const at2 = rows
      .filter((r) => `${r.engine}/${r.preset}` === preset && r.shape === 'vms')
      .map((r) => ({ mechanism: r.mechanism, cell: r.cells.find((c) => c.params.ratio === 2) }))
      .filter((x) => x.cell);
    if (at2.length < 2) continue;
    const parts = at2.map((x) => `${x.mechanism} ${times(x.cell!.perVmVsFairShare.mean)}`);
    out.push(`Overcommit (${preset.replace('/', ', ')}): at 2× (2 VMs) each VM gets, of its fair share: ${parts.join(', ')}.`);
  }
  const schedulers = schedulerRows(results.cases);
  for (const engine of new Set(schedulers.map((r) => r.engine))) {
    const line = schedulerClaim(schedulers, engine);
    if (line) out.push(`Schedulers (${engine}): ${line}`);
  }
  for (const engine of new Set(results.cases.map((c) => c.engine))) {
    const hv = hypervisorShare(results.cases.filter((c) => c.engine === engine));
    if (hv.worst)
      out.push(
        `Hypervisor cost (${engine}): median ${pct(hv.share.median)} of pCPU time over ${hv.cases} VM cases at their own settings, ` +
          `at most ${pct(hv.share.max)} (${hv.worst.id}).`,
      );
  }
  for (const engine of new Set(results.cases.map((c) => c.engine))) {
    const spreads = results.cases
      .filter((c) => c.engine === engine && c.runs.length > 1 && c.metrics.acquisitionsPerSec.median > 0)
      .map((c) => ({ id: c.id, value: relativeSpread(c.metrics.acquisitionsPerSec) }));
    if (spreads.length === 0) continue;
    const worst = spreads.reduce((a, b) => (b.value > a.value ? b : a));
    const under = spreads.filter((s) => s.value < 0.1).length;
    out.push(
      `Run-to-run spread (${engine}, (max − min) / median of acq/s over ${results.options.runs} seeds): median ${pct(spread(spreads.map((s) => s.value)).median)} over ` +
        `${spreads.length} cases, ${under} of them under 10%; widest ${pct(worst.value)} (${worst.id}).`,
    );
  }
  const failed = results.cases.flatMap((c) => c.runs.filter((r) => !r.ok).map((r) => `${c.id} seed ${r.seed}`));
  out.push(
    failed.length === 0
      ? 'Self-checks: every run passed every self-check.'
      : `Self-checks FAILED in ${failed.length} run(s): ${failed.slice(0, 5).join(', ')}${failed.length > 5 ? ', …' : ''}.`,
  );
  return out.map((line) => wrap(line, MAX_COLUMNS, ''));
}

/** Reproduce: per reproduction, each published ratio beside the simulated one (medians of the runs) and the verdict. */
function reproduceTables(results: SuiteResults): string[] {
  return reproductionTables(results.cases).map(({ repro, rows }) => {
    const columns: Column<ReproducedRow>[] = [
      { header: 'row', cell: (r) => (r.label.length > 44 ? `${r.label.slice(0, 43)}…` : r.label), align: 'left' },
      { header: 'published', cell: (r) => formatRatio(r.kind, r.published.ratio) },
      { header: 'simulated', cell: (r) => formatRatio(r.kind, r.simulated.ratio) },
      {
        header: 'verdict',
        cell: (r) =>
          verdictWords(r).replace('DISAGREES in direction', 'DISAGREES: direction').replace('DISAGREES in order of magnitude', 'DISAGREES: magnitude'),
        align: 'left',
      },
    ];
    const agreeing = rows.filter((r) => r.verdict.direction && r.verdict.magnitude).length;
    return [
      wrap(`Reproduce ${repro.name}, virtual engine, seed 1, 50 ms a run (spinvisor reproduce --quick): ${repro.title}. Source: ${repro.source.url}`),
      renderTable(columns, rows),
      wrap(
        `${agreeing} of ${rows.length} rows agree in direction and order of magnitude; a disagreement is a finding (reproductions/${repro.name}.json, notes).`,
      ),
    ].join('\n');
  });
}

export function renderSuiteTables(results: SuiteResults): string {
  const sections = [
    microTable(results),
    scalingTables(results),
    overcommitTables(results),
    sweepTables(results),
    schedulerTables(results),
    systemsTables(results),
    reproduceTables(results),
  ].filter((s) => s.length > 0);
  const out = sections.map((s) => s.join('\n'));
  out.push(['Claims', '', ...claims(results)].join('\n'));
  return out.join('\n\n');
}

/** The metrics the baseline table has a column for (100 columns hold six): throughput, the shares, the preemptions. */
const BASELINE_COLUMNS: readonly CaseMetricName[] = [
  'acquisitionsPerSec',
  'spinFraction',
  'stealFraction',
  'hvFraction',
  'lockHolderPreemptions',
  'lockWaiterPreemptions',
];

export function renderBaselineTable(comparison: BaselineComparison): string {
  const byId = new Map<string, Delta[]>();
  for (const d of comparison.deltas) byId.set(d.id, [...(byId.get(d.id) ?? []), d]);
  const metrics = CASE_METRICS.filter((m) => BASELINE_COLUMNS.includes(m.name));
  const caseColumns: Column<[string, Delta[]]>[] = [
    { header: 'case', cell: ([id]) => (id.length > 44 ? `…${id.slice(id.length - 43)}` : id), align: 'left' },
    ...metrics.map((m) => ({
      header: m.label,
      cell: ([, ds]: [string, Delta[]]) => {
        const d = ds.find((x) => x.metric === m.name);
        return d ? formatDelta(d) : dash;
      },
    })),
  ];
  const cases = [...byId.entries()].filter(([id]) => !id.startsWith('micro/'));
  const micro = [...byId.entries()].filter(([id]) => id.startsWith('micro/'));
  const flagged = comparison.deltas.filter((d) => d.flagged);
  const out = [wrap('Against the baseline (Δ of the medians; "!" = beyond the runs\' spread: the min–max ranges do not overlap; pp = percentage points)'), ''];
  if (cases.length > 0) out.push(renderTable(caseColumns, cases), '');
  if (micro.length > 0)
    out.push(
      renderTable<[string, Delta[]]>(
        [
          { header: 'micro-benchmark', cell: ([id]) => id.slice('micro/'.length), align: 'left' },
          { header: 'ns/op before', cell: ([, ds]) => ns(ds[0]!.baseline.median) },
          { header: 'now', cell: ([, ds]) => ns(ds[0]!.current.median) },
          { header: 'Δ', cell: ([, ds]) => formatDelta(ds[0]!) },
        ],
        micro,
      ),
      '',
    );
  const worse = flagged.filter((d) => d.better === false).length;
  const unshown = flagged.filter((d) => d.metric !== 'nsPerOp' && !BASELINE_COLUMNS.includes(d.metric));
  const unshownNames = [...new Set(unshown.map((d) => CASE_METRICS.find((m) => m.name === d.metric)!.label))];
  out.push(
    wrap(
      `${flagged.length} change(s) beyond the spread: ${worse} worse, ${flagged.length - worse} better` +
        (unshown.length > 0 ? ` (${unshown.length} of them in figures the table leaves out: ${unshownNames.join(', ')}; see --json).` : '.'),
    ),
  );
  if (comparison.onlyInBaseline.length > 0) out.push(wrap(`Not run this time: ${comparison.onlyInBaseline.join(', ')}`));
  if (comparison.onlyInCurrent.length > 0) out.push(wrap(`Not in the baseline: ${comparison.onlyInCurrent.join(', ')}`));
  return out.join('\n');
}
