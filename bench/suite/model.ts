/**
 * The bench suite's results: what `npm run bench -- --json` writes, what `--baseline` reads,
 * what `merge` combines from shards, and what the terminal tables and the HTML report render.
 * Only measured values live here; every derived figure (speed-up, VM/bare, share of the fair
 * share, a sweep's knee) is computed from them by derive.ts, so a merged or old file renders
 * exactly like a fresh one.
 *
 * The file's zod schema (end of this file) is what `--baseline` and `merge` check their input
 * with and what `npm run bench -- schema` prints as a JSON Schema; it is checked equal to the
 * types here at compile time.
 */
import { z } from 'zod';
import { isPolicySpec } from '../../src/config/policy-spec.js';
import { ENGINES, LOCK_KINDS, POLICY_KINDS, type EngineKind, type LockKind, type PolicyKind, type PolicySpec } from '../../src/config/schema.js';
import { SYSTEM_NAMES, type SystemName } from '../../src/config/systems.js';
import type { SameShape } from '../../src/io/schema-check.js';
import type { Environment } from '../../src/stats/environment.js';
import { environmentSchema } from '../../src/results/results-schema.js';

/**
 * Bumped when the file's shape changes (a field added, removed or changing meaning); `--baseline`
 * and `merge` refuse other formats. 3: pv-halt's figures per case (halt %, halts, kicks, spurious
 * wake-ups), and a sweep's policy and VMs (the halt-threshold sweep runs at 1× and 2×). 4: an
 * overcommit case's lock, and its policy a name or a `+` combination (the mitigation matrix). 5:
 * the schedulers group (a scheduler case's params) and global-lock's lock wait per case. 6: the
 * systems group (a system case's params: the named system, its preset and VM shape) and the
 * reproduce group (a reproduction case's params: the reproduction and its run).
 */
export const SUITE_FORMAT = 'spinvisor-bench/6';

export const GROUPS = ['micro', 'scaling', 'overcommit', 'sweep', 'schedulers', 'systems', 'reproduce'] as const;
export type GroupName = (typeof GROUPS)[number];

/** Median and range of one figure over a case's runs (seeds 1..runs). */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** The figures recorded per run and summarised per case. Rates are per second (virtual seconds for the virtual engine). */
export const CASE_METRICS = [
  { name: 'acquisitionsPerSec', label: 'acq/s', unit: 'acquisitions per second, all VMs', higherIsBetter: true },
  { name: 'workUnitsPerSec', label: 'work/s', unit: 'guest work units per second, all VMs', higherIsBetter: true },
  { name: 'spinFraction', label: 'spin %', unit: 'share of vCPU run time spent spinning', higherIsBetter: false },
  { name: 'stealFraction', label: 'steal %', unit: 'share of vCPU time runnable but not running', higherIsBetter: false },
  { name: 'hvFraction', label: 'hv %', unit: 'share of pCPU time spent in the hypervisor', higherIsBetter: false },
  { name: 'lockHolderPreemptions', label: 'LHP', unit: 'vCPUs preempted while holding a lock', higherIsBetter: false },
  { name: 'lockWaiterPreemptions', label: 'LWP', unit: 'vCPUs preempted while waiting in a lock queue', higherIsBetter: false },
  // pv-halt's mechanism (zero under the other policies): each halt costs a kick and a wake-up.
  { name: 'haltFraction', label: 'halt %', unit: 'share of vCPU time halted until kicked (pv-halt): neither running nor runnable', higherIsBetter: false },
  { name: 'halts', label: 'halts', unit: 'conditional halts (pv-halt): waiters that put their vCPU to sleep until kicked', higherIsBetter: false },
  { name: 'kicks', label: 'kicks', unit: 'kick hypercalls made by unlockers for a halted (or halting) waiter', higherIsBetter: false },
  { name: 'spuriousWakeUps', label: 'spurious', unit: 'wake-ups after which the waiter still found the lock taken', higherIsBetter: false },
  // The global-lock scheduler's cost (zero under the other schedulers): part of hv %, the part the lock-free run queues avoid.
  { name: 'globalLockFraction', label: 'lock %', unit: "share of pCPU time waiting for global-lock's run-queue lock", higherIsBetter: false },
  { name: 'globalLockSpins', label: 'lock spins', unit: "polls of global-lock's run-queue lock held by another pCPU, per pCPU", higherIsBetter: false },
] as const;
export type CaseMetricName = (typeof CASE_METRICS)[number]['name'];
export type CaseMetrics<T> = Readonly<Record<CaseMetricName, T>>;

/** One simulation run of a case. */
export interface RunSummary {
  readonly seed: number;
  readonly ok: boolean;
  /** Names and details of the self-checks that failed (empty when ok). */
  readonly failedChecks: readonly string[];
  /** Host time the run took, ms. */
  readonly hostMs: number;
  readonly metrics: CaseMetrics<number>;
  /** Per VM, in the scenario's order. */
  readonly vms: readonly { readonly name: string; readonly vcpus: number; readonly weight: number; readonly acquisitionsPerSec: number }[];
}

/** Bare metal vs one VM with as many vCPUs as pCPUs, at `pcpus` pCPUs. */
export interface ScalingParams {
  readonly kind: 'scaling';
  /** The preset that supplies the workload ('uncontended' or 'contended'). */
  readonly workload: string;
  readonly mode: 'bare' | 'virtualized';
  readonly pcpus: number;
}

/**
 * VMs overcommitting `pcpus` pCPUs by `ratio` (total vCPUs / pCPUs), all running `preset`'s
 * workload with `lock` under `policy` (one mechanism of src/config/mechanisms.ts). `shape` says
 * how: `vms` splits the vCPUs into identical VMs (1.5× is 3 VMs of P/2), `vcpus` puts them all in
 * one VM. A `ratio` under 1 is one VM of the given size alone on the machine: the "1× value" of
 * every VM of that size.
 */
export interface OvercommitParams {
  readonly kind: 'overcommit';
  readonly preset: string;
  readonly lock: LockKind;
  readonly policy: PolicySpec;
  readonly shape: 'vms' | 'vcpus';
  readonly ratio: number;
  readonly pcpus: number;
  readonly vms: number;
  readonly vcpusPerVm: number;
}

/** The knobs the sweeps vary: notify's spin threshold, the scheduler's time slice (µs), pv-halt's halt threshold. */
const SWEEP_VARIABLES = ['spinThreshold', 'sliceUs', 'haltThreshold'] as const;

/**
 * One knob of a policy varied on `vms` VMs of `vcpusPerVm` vCPUs each on `pcpus` pCPUs: the notify
 * policy's spin threshold and the time slice at 2× (2 VMs of P vCPUs), pv-halt's halt threshold
 * at 1× (1 VM of P vCPUs) and 2×. A curve is every value of one variable at one policy and shape.
 */
export interface SweepParams {
  readonly kind: 'sweep';
  readonly preset: string;
  readonly policy: PolicyKind;
  readonly variable: (typeof SWEEP_VARIABLES)[number];
  readonly value: number;
  readonly pcpus: number;
  readonly vms: number;
  readonly vcpusPerVm: number;
}

/** Scheduler: `policy` runs one VM of 2 × `pcpus` vCPUs (the contended preset) with `sliceUs` slices. */
export interface SchedulerParams {
  readonly kind: 'scheduler';
  readonly policy: 'rr' | 'global-lock';
  readonly pcpus: number;
  readonly sliceUs: number;
}

/**
 * A named system (src/config/systems.ts) running `preset`'s workload on `pcpus` pCPUs: `vms`
 * identical VMs of `vcpusPerVm` vCPUs, `ratio` total vCPUs per pCPU (the overcommit group's
 * "more VMs" shape: 1.5× is 3 VMs of P/2). A bare-metal system's case is the machine itself
 * (ratio 1, one vCPU per pCPU, no hypervisor): the reference of every other system's cells.
 */
export interface SystemParams {
  readonly kind: 'system';
  readonly preset: string;
  readonly system: SystemName;
  readonly ratio: number;
  readonly pcpus: number;
  readonly vms: number;
  readonly vcpusPerVm: number;
}

/** Reproduction: one run of a shipped reproduction of a published result (reproductions/NAME.json), at its own settings. */
export interface ReproductionParams {
  readonly kind: 'reproduction';
  /** The reproduction's name (its file name without .json). */
  readonly reproduction: string;
  /** The run's id in that file. */
  readonly run: string;
}

export type CaseParams = ScalingParams | OvercommitParams | SweepParams | SchedulerParams | SystemParams | ReproductionParams;

export interface CaseResult {
  /** Stable across runs and machines: how `--baseline` and `merge` match cases, and what `--filter` matches. */
  readonly id: string;
  readonly group: Exclude<GroupName, 'micro'>;
  readonly engine: EngineKind;
  /** Short human label for tables. */
  readonly label: string;
  readonly params: CaseParams;
  readonly durationMs: number;
  readonly metrics: CaseMetrics<Spread>;
  /** Per VM, acquisitions per second over the runs. */
  readonly vms: readonly { readonly name: string; readonly vcpus: number; readonly weight: number; readonly acquisitionsPerSec: Spread }[];
  readonly runs: readonly RunSummary[];
}

/** One micro-benchmark (tinybench, batched): per-operation latency and throughput. */
export interface MicroRow {
  readonly name: string;
  /** What one operation is ("acq+rel", "switch", "push+pop"). */
  readonly unit: string;
  readonly batch: number;
  readonly nsP50: number;
  readonly nsP99: number;
  readonly nsMean: number;
  readonly nsMin: number;
  readonly nsMax: number;
  /** Operations per second, median over batches. */
  readonly opsP50: number;
  readonly samples: number;
  /** Real duration of one batch at the median, µs. */
  readonly batchUsP50: number;
  /** Relative margin of error of the latency, %. */
  readonly rme: number;
}

export interface MicroReport {
  readonly timer: { readonly grainNs: number; readonly readNs: number };
  readonly loadAverage: { readonly before: number; readonly after: number };
  readonly timeMs: number;
  readonly rows: readonly MicroRow[];
  /** Simulator guest-work speed over a plain loop's (target ≥ 0.9), when both ran. */
  readonly nativeSpeed: {
    readonly ratio: number;
    /** Guest work units per second of the plain loop and of the simulator's core step (medians). */
    readonly plainUnitsPerS: number;
    readonly simulatorUnitsPerS: number;
    readonly target: number;
    readonly met: boolean;
  } | null;
  /** vCPU switch median against its target, when it ran. */
  readonly switchCost: { readonly nsP50: number; readonly target: number; readonly met: boolean } | null;
  /** Derived lines the benchmarks print under the table. */
  readonly notes: readonly string[];
}

interface SuiteOptions {
  readonly quick: boolean;
  readonly runs: number;
  /** The engines the suite ran (both unless `--engine`). */
  readonly engines: readonly EngineKind[];
  /** pCPUs of the threads engine's largest case, and of every overcommit and sweep case. */
  readonly pcpus: number;
  readonly filters: readonly string[];
}

export interface SuiteResults {
  readonly format: typeof SUITE_FORMAT;
  readonly createdAt: string;
  /** One per shard that produced part of this file (one for an unsharded run). */
  readonly environments: readonly Environment[];
  readonly options: SuiteOptions;
  /** The planned jobs' ids, in plan order (all shards'), and this file's shards (i of n, 1-based). */
  readonly plan: { readonly jobs: readonly string[]; readonly shardCount: number; readonly shards: readonly number[] };
  readonly micro: MicroReport | null;
  readonly cases: readonly CaseResult[];
  /** Host wall time of the suite, s (summed over shards). */
  readonly elapsedS: number;
}

// ───────── the schema ─────────

const count = z.number().int().min(0);
const spreadSchema = z.strictObject({ median: z.number(), min: z.number(), max: z.number() }).describe("median, min and max over a case's runs");

function caseMetricsSchema<S extends z.ZodType>(value: (unit: string) => S) {
  return z.strictObject(Object.fromEntries(CASE_METRICS.map((m) => [m.name, value(m.unit)])) as Record<CaseMetricName, S>);
}

const runSummarySchema = z.strictObject({
  seed: count,
  ok: z.boolean(),
  failedChecks: z.array(z.string()).describe('names and details of the self-checks that failed (empty when ok)'),
  hostMs: z.number().min(0).describe('host time the run took, ms'),
  metrics: caseMetricsSchema((unit) => z.number().describe(unit)),
  vms: z
    .array(z.strictObject({ name: z.string(), vcpus: count, weight: z.number(), acquisitionsPerSec: z.number() }))
    .describe("per VM, in the scenario's order"),
});

/**
 * A policy name or a `+` combination that the scenario schema accepts. A name that is neither is
 * reported as the names' enum reports it (a union names its first option's problem).
 */
const policySpecSchema = z
  .union([
    z.enum(POLICY_KINDS),
    z.templateLiteral([z.enum(POLICY_KINDS), '+', z.string()]).refine(isPolicySpec, { message: 'not a combination a VM may have' }),
  ])
  .describe('a spin-wait policy, or several joined with "+"');

const caseParamsSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('scaling'), workload: z.string(), mode: z.enum(['bare', 'virtualized']), pcpus: count }),
  z.strictObject({
    kind: z.literal('overcommit'),
    preset: z.string(),
    lock: z.enum(LOCK_KINDS),
    policy: policySpecSchema,
    shape: z.enum(['vms', 'vcpus']),
    ratio: z.number().min(0),
    pcpus: count,
    vms: count,
    vcpusPerVm: count,
  }),
  z.strictObject({
    kind: z.literal('sweep'),
    preset: z.string(),
    policy: z.enum(POLICY_KINDS),
    variable: z.enum(SWEEP_VARIABLES),
    value: z.number(),
    pcpus: count,
    vms: count,
    vcpusPerVm: count,
  }),
  z.strictObject({ kind: z.literal('scheduler'), policy: z.enum(['rr', 'global-lock']), pcpus: count, sliceUs: count }),
  z.strictObject({
    kind: z.literal('system'),
    preset: z.string(),
    system: z.enum(SYSTEM_NAMES),
    ratio: z.number().min(0),
    pcpus: count,
    vms: count,
    vcpusPerVm: count,
  }),
  z.strictObject({
    kind: z.literal('reproduction'),
    reproduction: z.string().describe("the reproduction's name: reproductions/NAME.json"),
    run: z.string().describe("the run's id in that file"),
  }),
]);

const caseResultSchema = z.strictObject({
  id: z.string().describe('stable across runs and machines: how --baseline and merge match cases'),
  group: z.enum(['scaling', 'overcommit', 'sweep', 'schedulers', 'systems', 'reproduce']),
  engine: z.enum(ENGINES),
  label: z.string(),
  params: caseParamsSchema,
  durationMs: count,
  metrics: caseMetricsSchema((unit) => spreadSchema.describe(unit)),
  vms: z.array(z.strictObject({ name: z.string(), vcpus: count, weight: z.number(), acquisitionsPerSec: spreadSchema })),
  runs: z.array(runSummarySchema),
});

const microRowSchema = z.strictObject({
  name: z.string(),
  unit: z.string().describe('what one operation is'),
  batch: count,
  nsP50: z.number(),
  nsP99: z.number(),
  nsMean: z.number(),
  nsMin: z.number(),
  nsMax: z.number(),
  opsP50: z.number().describe('operations per second, median over batches'),
  samples: count,
  batchUsP50: z.number().describe('real duration of one batch at the median, µs'),
  rme: z.number().describe('relative margin of error of the latency, %'),
});

const microReportSchema = z.strictObject({
  timer: z.strictObject({ grainNs: z.number(), readNs: z.number() }),
  loadAverage: z.strictObject({ before: z.number(), after: z.number() }),
  timeMs: z.number(),
  rows: z.array(microRowSchema),
  nativeSpeed: z
    .strictObject({ ratio: z.number(), plainUnitsPerS: z.number(), simulatorUnitsPerS: z.number(), target: z.number(), met: z.boolean() })
    .nullable()
    .describe("simulator guest-work speed over a plain loop's, when both ran"),
  switchCost: z
    .strictObject({ nsP50: z.number(), target: z.number(), met: z.boolean() })
    .nullable()
    .describe('vCPU switch median against its target, when it ran'),
  notes: z.array(z.string()),
});

export const suiteResultsSchema = z.strictObject({
  format: z.literal(SUITE_FORMAT).describe('this file format and its version'),
  createdAt: z.string(),
  environments: z.array(environmentSchema).min(1).describe('one per shard that produced part of this file'),
  options: z.strictObject({
    quick: z.boolean(),
    runs: z.number().int().min(1),
    engines: z.array(z.enum(ENGINES)).min(1),
    pcpus: z.number().int().min(1),
    filters: z.array(z.string()),
  }),
  plan: z.strictObject({
    jobs: z.array(z.string()).describe("the planned jobs' ids, in plan order (all shards')"),
    shardCount: z.number().int().min(1),
    shards: z.array(z.number().int().min(1)).describe("this file's shards (i of shardCount, 1-based)"),
  }),
  micro: microReportSchema.nullable(),
  cases: z.array(caseResultSchema),
  elapsedS: z.number().min(0).describe('host wall time of the suite, s (summed over shards)'),
});

/** The JSON Schema (draft 2020-12) of a suite results file, as `npm run bench -- schema` prints it. */
export function suiteJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(suiteResultsSchema, { io: 'output' }),
    title: 'spinvisor bench results',
    description: `What \`npm run bench -- --json\` and \`merge\` write, and \`--baseline\` reads (format "${SUITE_FORMAT}"): measured values only, per case and run.`,
  };
}

// The types above and the schema describe the same values: a field added to one and not the
// other fails to compile here (an index names the pair).
const _sameShapes: [
  SameShape<z.output<typeof suiteResultsSchema>, SuiteResults>,
  SameShape<z.output<typeof caseResultSchema>, CaseResult>,
  SameShape<z.output<typeof caseParamsSchema>, CaseParams>,
  SameShape<z.output<typeof runSummarySchema>, RunSummary>,
  SameShape<z.output<typeof microReportSchema>, MicroReport>,
  SameShape<z.output<typeof microRowSchema>, MicroRow>,
  SameShape<z.output<typeof spreadSchema>, Spread>,
] = [true, true, true, true, true, true, true];
