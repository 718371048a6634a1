/**
 * `npm run bench`: the project's evidence, as a benchmark suite. Groups (bench/groups/):
 * micro-benchmarks, scaling, overcommit, sweeps, schedulers, systems; each case runs several
 * times with different seeds and is reported as a median with its spread. See bench/README.md.
 *
 *   npm run bench -- [--quick] [--filter S]… [--engine E] [--runs N] [--pcpus N]
 *                    [--json FILE] [--html FILE] [--baseline FILE] [--save-baseline FILE]
 *                    [--shard i/n] [--resume] [--list] [--timeline NAIVE.json,ENLIGHTENED.json [--timeline-window FROM..TO]]
 *   npm run bench -- merge SHARD.json… [--json FILE] [--html FILE] [--baseline FILE] [--timeline …]
 *   npm run bench -- schema
 */
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { ConfigError, ENGINES, MAX_PCPUS, type EngineKind } from '../src/config/schema.js';
import { INTERRUPTED_EXIT_CODE, stopOnSignals } from '../src/cli/interrupt.js';
import { RunInterrupted } from '../src/engine/run-control.js';
import { oversubscriptionWarning, ThreadsEngine } from '../src/engine/threads.js';
import { choiceFlag, HELP_OPTION, integerFlag, parseFlags } from '../src/io/flags.js';
import { checkOutputPath, writeJsonAtomically, writeTextAtomically } from '../src/io/output-file.js';
import { environment, hostIsBusy } from '../src/stats/environment.js';
import { runMicro } from './micro/run.js';
import { SUITE_GROUPS } from './groups/index.js';
import { renderHtmlReport } from './report/html.js';
import { timelinePairFromFiles, type TimelinePair } from './groups/timeline/section.js';
import { timeRangeFlags } from '../src/io/time-range.js';
import { checkSuiteFile, compareWithBaseline } from './suite/baseline.js';
import type { Job, PlanContext } from './suite/job.js';
import { mergeShards } from './suite/merge.js';
import { SUITE_FORMAT, suiteJsonSchema, type CaseResult, type MicroReport, type SuiteResults } from './suite/model.js';
import { parseShard, planJobs, shardJobs, type Shard } from './suite/plan.js';
import { createProgress, formatDuration } from './suite/progress.js';
import { runCase } from './suite/run-case.js';
import { readStateFor, removeState, STATE_FORMAT, stateExists, statePathOf, writeState, type SuiteState } from './suite/state.js';
import { recordTimelinePair, timelineCases } from './groups/timeline/cases.js';
import { renderBaselineTable, renderSuiteTables } from './suite/tables.js';

const VIRTUAL_MAX_PCPUS = { full: 64, quick: 16 } as const;

const HELP = `npm run bench -- [options]
npm run bench -- merge SHARD.json... [--json FILE] [--html FILE] [--baseline FILE] [--timeline A,B]
npm run bench -- schema

The benchmark suite: the evidence that a VM scales like bare metal, that naive spinlocks
collapse under overcommit and enlightened ones do not (every lock x wait policy a real system
ships), that the hypervisor's scheduler costs almost nothing, and how the named systems
(real guests on real hosts) fare under overcommit against bare metal. Groups:
${SUITE_GROUPS.map((g) => `  ${g.name.padEnd(11)}${g.summary}`).join('\n')}
Each case runs --runs times (seeds 1..N); tables show the median and the min–max spread.

Options:
  --quick              a smoke run in under a minute: 1 run per case, short runs, fewer points
  --filter S           only the jobs whose id contains S (case-insensitive; repeatable, any
                       may match); "micro/NAME" runs the micro-benchmarks matching NAME.
                       --list shows the ids
  --engine E           threads or virtual only (default: scaling, schedulers and, in a full run,
                       overcommit and systems on both; the sweeps on threads)
  --runs N             runs per case, seeds 1..N (default 3; --quick: 1)
  --pcpus N            the threads engine's largest machine, and the machine of the sweep cases
                       and of the host engine's overcommit and systems cases (default: the
                       host's cores, ${availableParallelism()} here; the virtual engine's overcommit and
                       systems: 16, or N if larger)
  --json FILE          results with the environment (default bench-results.json, or
                       bench-results-shard-I-of-N.json with --shard)
  --html FILE          a self-contained HTML report with the charts, and a timeline: 6 ms of
                       a naive and of an enlightened run of one overcommit case (qspinlock ·
                       naive, unfair-queued · pv-halt), traced on the virtual engine when the
                       report is written (about a second; the traces are not kept)
  --timeline A,B       with --html: draw these two trace files (Chrome Trace Event JSON) of one
                       case instead, a naive run and an enlightened one, one above the other on
                       the same time range (the span both cover, or --timeline-window FROM..TO,
                       in ms)
  --baseline FILE      compare with an earlier --json/--save-baseline file: Δ per metric, "!"
                       where the min–max ranges of the runs do not overlap
  --save-baseline FILE also save these results as a baseline for later runs
  --shard i/n          run only part i of n of the plan (split by estimated time); run every
                       part with the same options, then merge the files with "merge"
  --resume             continue an interrupted run (Ctrl-C, a crash) from the state file it
                       left next to --json (bench-results.state.json): give the same options;
                       only the jobs it lacks run, and the results file is the same
  --list               print the planned jobs (after --filter and --shard) and exit
  --trace-case ID      with --trace FILE: trace that case's first run (seed 1) into FILE, a
                       Chrome Trace Event JSON timeline (open it in ui.perfetto.dev); the case
                       must be among the planned jobs (--list shows the ids)
  --trace FILE         the trace file of --trace-case
  -h, --help           this text

The results file names its format ("format": "${SUITE_FORMAT}"); "schema" prints its JSON
Schema. --baseline and merge accept only files of this format that the schema validates.

Ctrl-C stops the job running and keeps every finished one in the state file (a second
Ctrl-C quits at once); --resume continues.

Exit status: 0; 1 if a run failed a self-check or a job failed; 2 for bad input; 130 when
interrupted.
See bench/README.md for how to read every table and chart.`;

const TIMELINE_OPTIONS = { timeline: { type: 'string' }, 'timeline-window': { type: 'string' } } as const;

const RUN_OPTIONS = {
  quick: { type: 'boolean' },
  filter: { type: 'string', multiple: true },
  engine: { type: 'string' },
  runs: { type: 'string' },
  pcpus: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  baseline: { type: 'string' },
  'save-baseline': { type: 'string' },
  shard: { type: 'string' },
  resume: { type: 'boolean' },
  list: { type: 'boolean' },
  'trace-case': { type: 'string' },
  trace: { type: 'string' },
  ...TIMELINE_OPTIONS,
  ...HELP_OPTION,
} as const;

const MERGE_OPTIONS = { json: { type: 'string' }, html: { type: 'string' }, baseline: { type: 'string' }, ...TIMELINE_OPTIONS, ...HELP_OPTION } as const;

/** `--timeline NAIVE.json,ENLIGHTENED.json [--timeline-window FROM..TO]`: read now, so that a bad trace fails before the run. */
function timelineFlags(values: { readonly timeline?: string; readonly 'timeline-window'?: string; readonly html?: string }): TimelinePair | undefined {
  if (values.timeline === undefined) {
    if (values['timeline-window'] !== undefined) throw new ConfigError('--timeline-window: only with --timeline');
    return undefined;
  }
  if (values.html === undefined) throw new ConfigError('--timeline: only with --html (the timeline is drawn in the HTML report)');
  const paths = values.timeline.split(',').map((p) => p.trim());
  if (paths.length !== 2 || paths.some((p) => p === ''))
    throw new ConfigError(`--timeline: expected two trace files, NAIVE.json,ENLIGHTENED.json, got "${values.timeline}"`);
  const range = values['timeline-window'] === undefined ? {} : timeRangeFlags({ window: values['timeline-window'] }, 'timeline-window');
  return timelinePairFromFiles([paths[0]!, paths[1]!], range);
}

/** An integer flag within [min, max], or its default. */
function boundedFlag(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  const n = integerFlag(flag, text) ?? fallback;
  if (n < min || n > max) throw new ConfigError(`--${flag}: expected an integer from ${min} to ${max}, got ${n}`);
  return n;
}

/** A suite results file named on the command line, read and checked (one-line errors). */
function readSuiteFile(path: string, flag: string): SuiteResults {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${flag}: cannot read "${path}": ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`${flag}: "${path}" is not JSON`);
  }
  return checkSuiteFile(value, `${flag}: ${path}`);
}

interface Outputs {
  readonly json: string;
  readonly html: string | undefined;
  readonly saveBaseline: string | undefined;
  readonly timeline: TimelinePair | undefined;
}

/**
 * The report's timeline: the traces of `--timeline A,B`, else a naive and an enlightened run the
 * bench traces now (bench/groups/timeline/cases.ts). A recording that fails leaves the report without
 * one, says why, and fails the bench.
 */
async function reportTimeline(given: TimelinePair | undefined): Promise<{ readonly pair: TimelinePair | undefined; readonly ok: boolean }> {
  if (given) return { pair: given, ok: true };
  const cases = timelineCases();
  const started = performance.now();
  try {
    const pair = await recordTimelinePair(cases);
    const [from, to] = cases.windowMs;
    console.log(
      `timeline: ${cases.naive.label} and ${cases.enlightened.label}, ${from}..${to} ms of ${cases.naive.scenario}, traced in ${formatDuration(performance.now() - started)}`,
    );
    return { pair, ok: true };
  } catch (error) {
    console.error(`✗ timeline: ${error instanceof Error ? error.message : String(error)} (the report has no timeline)`);
    return { pair: undefined, ok: false };
  }
}

/** Writes the files, prints the tables (and the baseline comparison); says whether every run passed its self-checks and whether the report's timeline could be recorded. */
async function report(
  results: SuiteResults,
  outputs: Outputs,
  baseline: SuiteResults | undefined,
): Promise<{ readonly runsOk: boolean; readonly timelineOk: boolean }> {
  console.log(`\n${renderSuiteTables(results)}`);
  if (baseline) console.log(`\n${renderBaselineTable(compareWithBaseline(results, baseline))}`);
  writeJsonAtomically(outputs.json, results);
  const written = [`results: ${outputs.json}`];
  if (outputs.saveBaseline) {
    writeJsonAtomically(outputs.saveBaseline, results, 'save-baseline');
    written.push(`baseline: ${outputs.saveBaseline}`);
  }
  let timelineOk = true;
  if (outputs.html) {
    const timeline = await reportTimeline(outputs.timeline);
    timelineOk = timeline.ok;
    writeTextAtomically(outputs.html, renderHtmlReport(results, { timeline: timeline.pair }), 'html');
    written.push(`report: ${outputs.html}`);
  }
  console.log(`\n${written.join('\n')}`);
  return { runsOk: results.cases.every((c) => c.runs.every((r) => r.ok)), timelineOk };
}

async function merge(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags('bench merge', args, MERGE_OPTIONS, 'npm run bench -- --help');
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  const outputs: Outputs = {
    json: checkOutputPath(values.json ?? 'bench-results.json'),
    html: values.html && checkOutputPath(values.html, 'html'),
    saveBaseline: undefined,
    timeline: timelineFlags(values),
  };
  const baseline = values.baseline === undefined ? undefined : readSuiteFile(values.baseline, '--baseline');
  const merged = mergeShards(positionals.map((path) => ({ path, results: readSuiteFile(path, 'merge') })));
  console.log(`spinvisor bench: merged ${positionals.length} shard file(s), ${merged.cases.length} cases`);
  const { runsOk, timelineOk } = await report(merged, outputs, baseline);
  return runsOk && timelineOk ? 0 : 1;
}

async function run(args: readonly string[]): Promise<number> {
  const { values, positionals } = parseFlags('bench', args, RUN_OPTIONS, 'npm run bench -- --help');
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`${positionals[0]}: unexpected argument (see npm run bench -- --help)`);
  const quick = values.quick === true;
  const runs = boundedFlag('runs', values.runs, quick ? 1 : 3, 1, 100);
  const pcpus = boundedFlag('pcpus', values.pcpus, availableParallelism(), 1, MAX_PCPUS);
  const engine = choiceFlag('engine', values.engine, ENGINES);
  const engines: EngineKind[] = engine ? [engine] : ['threads', 'virtual'];
  const shard: Shard | undefined = values.shard === undefined ? undefined : parseShard(values.shard);
  const filters = values.filter ?? [];
  const outputs: Outputs = {
    json: checkOutputPath(values.json ?? (shard ? `bench-results-shard-${shard.index}-of-${shard.count}.json` : 'bench-results.json')),
    html: values.html && checkOutputPath(values.html, 'html'),
    saveBaseline: values['save-baseline'] && checkOutputPath(values['save-baseline'], 'save-baseline'),
    timeline: timelineFlags(values),
  };
  // Read the baseline before the run: a bad file must fail now, not after ten minutes.
  const baseline = values.baseline === undefined ? undefined : readSuiteFile(values.baseline, '--baseline');

  const context: PlanContext = { quick, runs, engines, pcpus, virtualMaxPcpus: quick ? VIRTUAL_MAX_PCPUS.quick : VIRTUAL_MAX_PCPUS.full };
  const planned = planJobs(context, filters);
  const options = { quick, runs, engines, pcpus, filters };
  const plan = { jobs: planned.map((j: Job) => j.id), shardCount: shard?.count ?? 1, shards: [shard?.index ?? 1] };
  // What an interrupted run left: read (and checked against these options) before anything runs.
  const statePath = statePathOf(outputs.json);
  const previous: SuiteState | null = values.resume ? readStateFor(statePath, { options, plan }, shard ?? null) : null;
  const done = new Set(previous?.done ?? []);
  const mine = shard ? shardJobs(planned, shard) : planned;
  const plannedHere = mine.length;
  const jobs = mine.filter((job) => !done.has(job.id));
  const traceCase = values['trace-case'];
  if ((traceCase === undefined) !== (values.trace === undefined))
    throw new ConfigError(traceCase === undefined ? '--trace: needs --trace-case ID (the case to trace)' : '--trace-case: needs --trace FILE');
  const traceFile = values.trace === undefined ? undefined : checkOutputPath(values.trace, 'trace');
  if (traceCase !== undefined && !mine.some((j) => j.kind !== 'micro' && j.id === traceCase))
    throw new ConfigError(`--trace-case: "${traceCase}" is not a planned case (npm run bench -- --list shows the ids)`);
  const estimateMs = jobs.reduce((s, j) => s + j.estimateMs, 0);
  if (values.list) {
    const width = Math.max(0, ...jobs.map((j) => j.id.length));
    for (const job of jobs) console.log(`${job.id.padEnd(width)}  ~${formatDuration(job.estimateMs)}`);
    console.log(`${jobs.length} job(s)${shard ? ` in shard ${shard.index}/${shard.count} of ${planned.length}` : ''}, about ${formatDuration(estimateMs)}`);
    return 0;
  }

  if (previous) console.log(`spinvisor bench: resuming from ${statePath}: ${done.size} job(s) done`);
  else if (stateExists(statePath)) console.error(`note: ${statePath} holds an interrupted run; starting afresh replaces it (--resume continues it)`);
  const runsText = `${runs} run${runs > 1 ? 's' : ''} per case`;
  console.log(
    `spinvisor bench: ${jobs.length} job(s)${shard ? ` (shard ${shard.index}/${shard.count} of ${planned.length})` : ''}, ${runsText}, ` +
      `${pcpus} pCPUs, engines ${engines.join(' + ')}${quick ? ', quick' : ''}; about ${formatDuration(estimateMs)}`,
  );
  const warning = engines.includes('threads') ? oversubscriptionWarning(pcpus) : null;
  if (warning) console.error(`warning: ${warning}`);
  const load = loadavg()[0]!;
  if (engines.includes('threads') && hostIsBusy(load))
    console.error(`warning: the host is busy (load average ${load.toFixed(2)} on ${availableParallelism()} cores): threads-engine figures will be noisy`);

  const started = performance.now();
  const progress = createProgress(jobs, process.stderr);
  const threads = new ThreadsEngine();
  const cases: CaseResult[] = [...(previous?.results.cases ?? [])];
  let micro: MicroReport | null = previous?.results.micro ?? null;
  let failedJobs = 0;
  // The results as they stand, with the jobs finished so far (the state file, then the results file).
  const resultsSoFar = (): SuiteResults => {
    const order = new Map(plan.jobs.map((id, i) => [id, i]));
    return {
      format: SUITE_FORMAT,
      createdAt: new Date().toISOString(),
      environments: [environment()],
      options,
      plan,
      micro,
      // In plan order, as an uninterrupted run makes them, whichever session ran each.
      cases: [...cases].sort((a, b) => order.get(a.id)! - order.get(b.id)!),
      elapsedS: (previous?.results.elapsedS ?? 0) + (performance.now() - started) / 1000,
    };
  };
  const interrupt = stopOnSignals('bench');
  try {
    for (const job of jobs) {
      if (interrupt.signal.aborted) break;
      progress.jobStarted(job);
      const jobStart = performance.now();
      try {
        if (job.kind === 'micro') micro = await runMicro({ timeMs: job.timeMs, ...(job.filters.length > 0 ? { filter: job.filters } : {}) });
        else {
          const jobRuns = job.runs ?? runs;
          const trace = job.id === traceCase && traceFile ? { file: traceFile, scenario: job.id, label: job.label } : undefined;
          const result = await runCase(job, jobRuns, threads, (seed) => progress.runDone(seed, jobRuns), { trace, signal: interrupt.signal });
          if (trace) progress.note(`trace: ${trace.file}`);
          for (const r of result.runs) for (const check of r.failedChecks) progress.note(`✗ ${job.id} (seed ${r.seed}): ${check}`);
          cases.push(result);
        }
        done.add(job.id);
        writeState(statePath, { format: STATE_FORMAT, shard: shard ?? null, done: [...done], results: resultsSoFar() });
      } catch (error) {
        // Ctrl-C: the job running is dropped, the finished ones are in the state file.
        if (error instanceof RunInterrupted) break;
        // One broken job must not throw away the others' results.
        failedJobs++;
        progress.note(`✗ ${job.id}: ${error instanceof Error ? error.message : String(error)}`);
      }
      progress.jobDone(job, performance.now() - jobStart);
    }
  } finally {
    progress.finish();
    interrupt.dispose();
    await threads.close();
  }
  if (interrupt.signal.aborted) {
    console.error(
      `bench: interrupted: ${done.size} job(s) finished are kept in ${statePath}; the same command with --resume runs the other ${plannedHere - done.size}`,
    );
    return INTERRUPTED_EXIT_CODE;
  }

  const results = resultsSoFar();
  console.log(`\n${jobs.length} job(s) in ${formatDuration(results.elapsedS * 1000)}`);
  const { runsOk: ok, timelineOk } = await report(results, outputs, baseline);
  // Finished: the results file has everything; a failed job runs again with --resume.
  if (failedJobs === 0) removeState(statePath);
  if (failedJobs > 0) console.error(`${failedJobs} job(s) failed (the same command with --resume runs them again)`);
  if (!ok) console.error('some runs failed their self-checks');
  return ok && timelineOk && failedJobs === 0 ? 0 : 1;
}

/** `schema`: the results file's JSON Schema on stdout. */
function schema(args: readonly string[]): number {
  const { values, positionals } = parseFlags('bench schema', args, HELP_OPTION, 'npm run bench -- --help');
  if (values.help) console.log(HELP);
  else if (positionals.length > 0) throw new ConfigError(`${positionals[0]}: unexpected argument (npm run bench -- schema takes none)`);
  else console.log(JSON.stringify(suiteJsonSchema(), null, 2));
  return 0;
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  if (args[0] === 'merge') return merge(args.slice(1));
  if (args[0] === 'schema') return schema(args.slice(1));
  return run(args);
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`bench: ${message}`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
