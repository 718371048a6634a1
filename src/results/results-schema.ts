/**
 * The results files' schemas: what `spinvisor run --json` and `spinvisor compare --json` write,
 * as zod schemas from which their JSON Schemas are generated (`spinvisor schema results`,
 * `spinvisor schema compare`, and schema/*.schema.json written by `npm run build`).
 *
 * Nothing is written twice: the counter fields come from the event table (events.ts), so a
 * counter added there appears in the schema by itself; the scenario inside a result is the
 * scenario schema's output (every default filled in); and the code's own types (`Results`,
 * `Metrics`, …) are checked equal to these schemas at compile time, at the end of this file.
 *
 * Each file names its format (`format`: name/version). The version is bumped when a field is
 * removed or changes meaning; a counter added to the event table does not bump it.
 */
import { z } from 'zod';
import { ENGINES, LOCK_KINDS, scenarioSchema } from '../config/schema.js';
import { SYSTEM_NAMES } from '../config/systems.js';
import type { DeepReadonly, SameShape } from '../io/schema-check.js';
import type { Environment } from '../stats/environment.js';
import { HISTOGRAMS, PCPU_COUNTERS, VCPU_COUNTERS, type CounterDef } from '../events/table.js';
import type { HistogramSummary } from '../stats/histogram.js';
import type { Metrics, PcpuMetrics, VcpuMetrics, VmMetrics } from '../stats/metrics.js';
import type { Results } from './results.js';
import type { SelfCheck } from './self-checks.js';
import { COMPARE_FORMAT, RESULTS_FORMAT } from './formats.js';

type FieldsOf<T extends readonly { readonly name: string }[], S extends z.ZodType> = Record<T[number]['name'], S>;

/** One number field per row of the event table, described by the row's meaning and unit. */
function counterFields<const T extends readonly CounterDef[]>(rows: T): FieldsOf<T, z.ZodNumber> {
  return Object.fromEntries(rows.map((row) => [row.name, z.number().describe(`${row.meaning} (${row.unit})`)])) as FieldsOf<T, z.ZodNumber>;
}

const share = (what: string) => z.number().min(0).describe(`${what}, from 0 to 1`);
const fairness = (what: string) => z.number().min(0).max(1).describe(`Jain's fairness index of ${what}: 1 when all equal, 1/n when one gets everything`);
const perSecond = (what: string, among: string) => z.number().min(0).describe(`${what} per second (virtual seconds on the virtual engine), ${among}`);

export const environmentSchema = z
  .strictObject({
    node: z.string().describe('Node.js version'),
    v8: z.string().describe('V8 version'),
    platform: z.string(),
    arch: z.string(),
    cpuModel: z.string(),
    cores: z.number().int().min(1).describe('cores available to the process'),
    memoryGiB: z.number().min(0),
    gitRevision: z.string().nullable().describe("the spinvisor checkout's git revision, or null outside a git checkout"),
  })
  .describe('Where it ran: everything that differs between identical runs on different hosts.');

const selfCheckSchema = z.strictObject({
  name: z.string(),
  ok: z.boolean().describe('the check passed (true too when it was not made)'),
  checked: z
    .literal(false)
    .optional()
    .describe('present, and false, only for a check an interrupted run cannot be judged by (it is about the whole duration): not made'),
  detail: z.string(),
});

const histogramSummarySchema = z
  .strictObject({
    count: z.number().min(0).describe('values recorded'),
    p50: z.number().min(0).describe('upper bound of the log2 bucket holding the median (0 when empty)'),
    p99: z.number().min(0).describe('upper bound of the log2 bucket holding the 99th percentile (0 when empty)'),
    max: z.number().min(0).describe('upper bound of the highest non-empty bucket (0 when empty)'),
    buckets: z.array(z.number().min(0)).describe('counts per bucket (bucket b holds values from 2^b - 1 to 2^(b+1) - 2), trailing empty buckets dropped'),
  })
  .describe('A log2 histogram, summarised.');

const histogramFields = Object.fromEntries(HISTOGRAMS.map((h) => [h.name, histogramSummarySchema.describe(`${h.meaning} (${h.unit})`)])) as FieldsOf<
  typeof HISTOGRAMS,
  typeof histogramSummarySchema
>;

const vcpuMetricsSchema = z
  .strictObject({
    id: z.number().int().min(0).describe('vCPU number across the machine'),
    vm: z.string().describe("its VM's name"),
    index: z.number().int().min(0).describe('vCPU number within its VM'),
    ...counterFields(VCPU_COUNTERS),
  })
  .describe("One vCPU's counters.");

const vmMetricsSchema = z
  .strictObject({
    name: z.string(),
    vcpus: z.number().int().min(1),
    lock: z.string(),
    policy: z.string().describe('the spin-wait policy, or "none (bare metal)"'),
    ...counterFields(VCPU_COUNTERS),
    acquisitionsPerSec: perSecond('critical sections', "the VM's vCPUs together"),
    workUnitsPerSec: perSecond('guest work units', "the VM's vCPUs together"),
    spinFraction: share("the VM's run time its vCPUs spent spinning for locks"),
    stealFraction: share("the VM's vCPU time (vCPUs x elapsed) spent runnable but not running"),
    fairness: fairness("acquisitions across the VM's vCPUs"),
    histograms: z.strictObject(histogramFields),
  })
  .describe("One VM: its vCPUs' counters summed, and the figures derived from them.");

const pcpuMetricsSchema = z
  .strictObject({
    id: z.number().int().min(0),
    ...counterFields(PCPU_COUNTERS),
    guestFraction: share('elapsed time running guest code'),
    hvFraction: share('elapsed time in the hypervisor'),
    idleFraction: share('elapsed time idle'),
  })
  .describe("One pCPU's counters.");

const metricsSchema = z.strictObject({
  elapsedMs: z.number().min(0).describe('mean time the pCPUs ran, in ms: the denominator of every rate'),
  acquisitions: z.number().min(0).describe('critical sections completed, all VMs together'),
  acquisitionsPerSec: perSecond('critical sections', 'all VMs together'),
  workUnitsPerSec: perSecond('guest work units', 'all VMs together'),
  fairnessAcrossVms: fairness('acquisitions per vCPU per unit of weight across VMs'),
  fairnessAcrossVcpus: fairness('acquisitions across every vCPU'),
  hvFraction: share('hypervisor time over elapsed time, all pCPUs together'),
  spinFraction: share('spin time over run time, all vCPUs together'),
  stealFraction: share('steal time over vCPU time (vCPUs x elapsed), all vCPUs together'),
  vms: z.array(vmMetricsSchema),
  vcpus: z.array(vcpuMetricsSchema),
  pcpus: z.array(pcpuMetricsSchema),
});

export const resultsSchema = z.strictObject({
  format: z.literal(RESULTS_FORMAT).describe('this file format and its version'),
  ok: z.boolean().describe('every self-check passed'),
  engine: z.enum(ENGINES).describe('threads: times are real; virtual: times are virtual ns of the cost model'),
  system: z
    .enum(SYSTEM_NAMES)
    .optional()
    .describe('the named system (--system) the scenario ran as; every setting it implied is in config; absent when none was named'),
  interrupted: z
    .literal(true)
    .optional()
    .describe('present, and true, only when the run was stopped early (Ctrl-C, SIGTERM): every figure covers the time the run reached, metrics.elapsedMs'),
  config: scenarioSchema.describe('the scenario as it ran: validated, overrides applied, every default filled in'),
  environment: z
    .strictObject({ ...environmentSchema.shape, hostMs: z.number().min(0).describe('host time the run took, ms') })
    .describe(environmentSchema.description!),
  warnings: z.array(z.string()),
  selfChecks: z.array(selfCheckSchema).describe('the checks every run makes of itself; any failure fails the run'),
  metrics: metricsSchema,
});

export const compareResultsSchema = z.strictObject({
  format: z.literal(COMPARE_FORMAT).describe('this file format and its version'),
  ok: z.boolean().describe('every run passed every self-check'),
  labels: z.array(z.string()).min(1).describe('what each run varied (its policy, its lock, both, or its system), in order; the first is the baseline'),
  locks: z.array(z.enum(LOCK_KINDS)).min(1).describe("each run's lock algorithm (of its first VM), in the same order"),
  policies: z.array(z.string()).min(1).describe("each run's spin-wait policy or `+` combination (of its first VM), in the same order"),
  systems: z
    .array(z.enum(SYSTEM_NAMES))
    .min(1)
    .optional()
    .describe('the named system each run ran as (--systems, or --system for every run), in the same order; absent when none was named'),
  interrupted: z
    .literal(true)
    .optional()
    .describe('present, and true, only when the comparison was stopped early (Ctrl-C, SIGTERM): the runs made so far, the last one interrupted'),
  runs: z.array(resultsSchema).describe("one run's results per label, in the same order"),
});

/** What `spinvisor compare --json` writes. */
export type CompareResults = DeepReadonly<z.output<typeof compareResultsSchema>>;

/** A JSON Schema (draft 2020-12) of what the code writes: `io: 'output'`, every field present. */
function outputJsonSchema(schema: z.ZodType, title: string, description: string): Record<string, unknown> {
  return { ...z.toJSONSchema(schema, { io: 'output' }), title, description };
}

export const resultsJsonSchema = (): Record<string, unknown> =>
  outputJsonSchema(
    resultsSchema,
    'spinvisor run results',
    `What \`spinvisor run --json\` writes (format "${RESULTS_FORMAT}"): the scenario as it ran, where it ran, the self-checks and the metrics.`,
  );

export const compareJsonSchema = (): Record<string, unknown> =>
  outputJsonSchema(
    compareResultsSchema,
    'spinvisor compare results',
    `What \`spinvisor compare --json\` writes (format "${COMPARE_FORMAT}"): one run's results per policy, lock, pair of both, or named system.`,
  );

// The code's types and the schemas describe the same values: a field added to one and not the
// other fails to compile here (an index names the pair).
const _sameShapes: [
  SameShape<z.output<typeof resultsSchema>, Results>,
  SameShape<z.output<typeof environmentSchema>, Environment>,
  SameShape<z.output<typeof selfCheckSchema>, SelfCheck>,
  SameShape<z.output<typeof histogramSummarySchema>, HistogramSummary>,
  SameShape<z.output<typeof vcpuMetricsSchema>, VcpuMetrics>,
  SameShape<z.output<typeof vmMetricsSchema>, VmMetrics>,
  SameShape<z.output<typeof pcpuMetricsSchema>, PcpuMetrics>,
  SameShape<z.output<typeof metricsSchema>, Metrics>,
] = [true, true, true, true, true, true, true, true];
