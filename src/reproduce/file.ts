/**
 * Reproduction files: one published experiment each, shipped in the package's `reproductions/`
 * folder (named by the file name without `.json`). A file records the published figures with the
 * link to their source, the source's setup, how it is scaled to what the engines run, and the
 * scenario and runs that reproduce it; each row pairs one published ratio with the simulated one.
 * The zod schema below is the one place a field's default lives; a bad file is one line naming
 * the field (`reproductions/x.json: rows[2].run: no run "ticket-64" (runs: ticket-32, ...)`).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { packageRoot } from '../config/package-root.js';
import { isPolicySpec } from '../config/policy-spec.js';
import { ConfigError, LOCK_KINDS, MAX_PCPUS, MODES, POLICY_KINDS, REACTIONS, SCHEDULER_POLICIES, scenarioSchema } from '../config/schema.js';
import { readScenarioFile } from '../config/scenario-file.js';
import { SYSTEM_NAMES } from '../config/systems.js';
import { checkWithSchema } from '../io/schema-check.js';
import { RATIO_KINDS } from './verdict.js';

/** The figures a row can compare: throughputs (for slowdowns and speed-ups) and shares of time (for shares). */
const THROUGHPUT_METRICS = ['acquisitionsPerSec', 'workUnitsPerSec'] as const;
const SHARE_METRICS = ['stealFraction', 'spinFraction'] as const;
const METRICS = [...THROUGHPUT_METRICS, ...SHARE_METRICS] as const;
export type ReproductionMetric = (typeof METRICS)[number];

const text = (what: string) => z.string().min(1).max(4000).describe(what);
const positive = z.number().positive();

/** The scenario overrides a run may set (the same as the command line's, without the engine and seed, which the caller chooses). */
const runOverridesSchema = z
  .strictObject({
    system: z.enum(SYSTEM_NAMES).optional().describe('a named system, applied before the other fields (--system)'),
    pcpus: z.number().int().min(1).max(MAX_PCPUS).optional(),
    vms: z.number().int().min(1).optional().describe("copies of the scenario's first VM"),
    vcpus: z.number().int().min(1).optional().describe('vCPUs of every VM'),
    lock: z.enum(LOCK_KINDS).optional(),
    policy: z
      .union([z.enum(POLICY_KINDS), z.string().refine(isPolicySpec, { message: 'not a spin-wait policy or a "+" combination a VM may have' })])
      .optional(),
    spinThreshold: z.number().int().min(1).optional(),
    haltThreshold: z.number().int().min(1).optional(),
    mode: z.enum(MODES).optional(),
    scheduler: z.enum(SCHEDULER_POLICIES).optional(),
    sliceUs: z.number().int().min(1).optional(),
    ple: z.boolean().optional(),
    reaction: z.enum(REACTIONS).optional(),
    boost: z.boolean().optional(),
    durationMs: z.number().int().min(1).optional(),
  })
  .describe('overrides of the scenario, as the command-line flags of the same names');

const runSchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]*$/, 'lower-case letters, digits, "." and "-"')
    .max(40)
    .describe('how rows name the run'),
  label: z.string().min(1).max(80).describe('what the run is, in the source\u2019s words'),
  overrides: runOverridesSchema.default({}),
});

const publishedSchema = z
  .strictObject({
    value: positive.describe('the published figure (a time for a slowdown, a throughput for a speed-up) or, without baseline, the ratio or share itself'),
    baseline: positive.optional().describe('the published figure the value is compared with; absent when value is the ratio or share'),
    unit: z.string().min(1).max(40).describe('the unit of value and baseline ("s", "records/s", "share")'),
    quote: z.string().min(1).max(300).optional().describe("the figures as the source prints them (e.g. '13m27.6s vs 5m02.0s')"),
  })
  .describe('the published figures of the row');

const rowSchema = z.strictObject({
  label: z.string().min(1).max(80),
  kind: z.enum(RATIO_KINDS).describe('slowdown: time over the baseline\u2019s; speedup: throughput over the baseline\u2019s; share: a share of time'),
  published: publishedSchema,
  run: z.string().describe('the run whose figure is compared'),
  baselineRun: z.string().optional().describe('the run it is compared with (slowdowns and speed-ups)'),
  metric: z.enum(METRICS).default('acquisitionsPerSec').describe('the simulated figure: a throughput for slowdowns and speed-ups, a share for shares'),
  scope: z
    .enum(['vm-mean', 'all'])
    .default('vm-mean')
    .describe('vm-mean: the mean over the VMs of their figure (one VM\u2019s score, as a benchmark in one guest reports it); all: the whole machine'),
});

export const reproductionSchema = z
  .strictObject({
    $schema: z.string().optional().describe('a JSON Schema path, for editors; ignored'),
    title: z.string().min(1).max(200),
    source: z.strictObject({
      citation: text('author, title, where and when'),
      url: z.url().describe('the link to the source'),
      moreUrls: z.array(z.url()).default([]).describe('further sources the figures come from'),
    }),
    setup: text("the source's setup: machine, guests, workload"),
    scaling: text('how the setup is scaled here, and what stands for what'),
    claim: text('the claim the rows test'),
    scenario: z
      .union([z.string().regex(/^[a-z0-9-]+$/, 'a preset name'), z.record(z.string(), z.unknown())])
      .describe('a preset name, or a scenario object; every run applies its overrides to it'),
    overrides: runOverridesSchema.default({}).describe('overrides every run applies before its own'),
    tolerance: z.number().min(0).max(1).default(0.05).describe('the smallest effect (|ratio − 1|, or a share) that counts as a direction'),
    runs: z.array(runSchema).min(1).max(32),
    rows: z.array(rowSchema).min(1).max(32),
    notes: text('what agrees, what does not, and why'),
  })
  .superRefine((file, ctx) => {
    const ids = file.runs.map((r) => r.id);
    file.runs.forEach((run, i) => {
      if (ids.indexOf(run.id) !== i) ctx.addIssue({ code: 'custom', path: ['runs', i, 'id'], message: `"${run.id}" is used twice` });
    });
    const known = (id: string) => ids.includes(id);
    file.rows.forEach((row, i) => {
      const at = (field: string, message: string) => ctx.addIssue({ code: 'custom', path: ['rows', i, field], message });
      if (!known(row.run)) at('run', `no run "${row.run}" (runs: ${ids.join(', ')})`);
      const ratio = row.kind !== 'share';
      if (ratio && row.baselineRun === undefined) at('baselineRun', `a ${row.kind} needs the run it is compared with`);
      if (row.baselineRun !== undefined && !known(row.baselineRun)) at('baselineRun', `no run "${row.baselineRun}" (runs: ${ids.join(', ')})`);
      if (!ratio && row.baselineRun !== undefined) at('baselineRun', 'a share is one run\u2019s figure; drop baselineRun');
      if (ratio && !(THROUGHPUT_METRICS as readonly string[]).includes(row.metric))
        at('metric', `a ${row.kind} compares throughputs (${THROUGHPUT_METRICS.join(', ')}), not "${row.metric}"`);
      if (!ratio && !(SHARE_METRICS as readonly string[]).includes(row.metric))
        at('metric', `a share compares a share of time (${SHARE_METRICS.join(', ')}), not "${row.metric}"`);
      if (!ratio && row.published.baseline !== undefined) at('published', 'a share has no baseline; value is the share');
      if (!ratio && row.published.value > 1) at('published', `a share is at most 1, got ${row.published.value}`);
    });
    // An inline scenario must be a valid scenario before any run is built from it.
    if (typeof file.scenario === 'object') {
      const result = scenarioSchema.safeParse(file.scenario);
      if (!result.success) {
        const issue = result.error.issues[0]!;
        ctx.addIssue({ code: 'custom', path: ['scenario', ...issue.path], message: issue.message });
      }
    }
  });

export type Reproduction = z.output<typeof reproductionSchema> & { readonly name: string };
export type ReproductionRun = Reproduction['runs'][number];
export type ReproductionRow = Reproduction['rows'][number];
export type RunOverrides = z.output<typeof runOverridesSchema>;

function reproductionsDir(): string {
  return join(packageRoot(), 'reproductions');
}

/** Names of the shipped reproductions, sorted. */
export function reproductionNames(): string[] {
  return readdirSync(reproductionsDir())
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** A reproduction file's JSON checked with the schema; `where` starts the one-line error. */
export function parseReproduction(value: unknown, name: string, where: string = name): Reproduction {
  return { ...checkWithSchema(reproductionSchema, value, where), name };
}

/** A shipped reproduction by name; `ConfigError` naming the choices when there is none. */
export function loadReproduction(name: string): Reproduction {
  const names = reproductionNames();
  if (!names.includes(name)) throw new ConfigError(`unknown reproduction "${name}" (available: ${names.join(', ')})`);
  const path = join(reproductionsDir(), `${name}.json`);
  return parseReproduction(readScenarioFile(path), name, `reproductions/${name}.json`);
}

/** Every shipped reproduction, validated. */
export function listReproductions(): Reproduction[] {
  return reproductionNames().map(loadReproduction);
}
