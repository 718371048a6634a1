/**
 * What a suite group declares: its jobs, its terminal table, its claims and its section of the
 * HTML report, each in its own folder (bench/groups/NAME/). A case job is one scenario run `runs`
 * times with seeds 1..runs; the micro job is the tinybench group. Groups build their jobs from
 * what the project declares (presets in presets/, the lock × policy pairs of
 * src/config/mechanisms.ts), so a new preset or mechanism joins the suite without an edit here.
 */
import type { Config, EngineKind } from '../../src/config/schema.js';
import type { ReportSection } from '../report/section.js';
import type { CaseParams, CaseResult, GroupName, SuiteResults } from './model.js';

export interface PlanContext {
  readonly quick: boolean;
  readonly runs: number;
  /** Engines to run; groups with one natural engine use the first that is allowed. */
  readonly engines: readonly EngineKind[];
  /** The threads engine's largest pCPU count; the machine of every sweep case and of the host engine's overcommit cases. */
  readonly pcpus: number;
  /** The virtual engine's largest pCPU count for scaling. */
  readonly virtualMaxPcpus: number;
}

export interface CaseJob {
  readonly kind: 'case';
  readonly id: string;
  readonly group: CaseResult['group'];
  readonly engine: EngineKind;
  readonly label: string;
  readonly params: CaseParams;
  readonly durationMs: number;
  /** Runs (seeds 1..runs) of this case when it sets its own (a deterministic case that needs one); otherwise the suite's --runs. */
  readonly runs?: number;
  /** The validated scenario of the run with this seed. */
  readonly config: (seed: number) => Config;
  /** Rough host ms for all its runs: weights the progress bar's time left and balances shards. */
  readonly estimateMs: number;
}

export interface MicroJob {
  readonly kind: 'micro';
  readonly id: 'micro';
  readonly group: 'micro';
  readonly label: string;
  readonly timeMs: number;
  /** The micro-benchmarks' own filters: the parts of `--filter`s after "micro/" (empty: all of them). */
  readonly filters: readonly string[];
  readonly estimateMs: number;
}

export type Job = CaseJob | MicroJob;

export interface SuiteGroup {
  readonly name: GroupName;
  /** One line for `--help`. */
  readonly summary: string;
  jobs(context: PlanContext): Job[];
  /** Its part of the terminal report, as lines; none when the results have none of its cases. */
  table(results: SuiteResults): string[];
  /** Its sentences under the terminal report's "Claims" (unwrapped), each computed from its figures. */
  claims?(results: SuiteResults): string[];
  /** Its section of the HTML report. */
  readonly section: ReportSection;
}

/** A run's duration in a group that runs at the suite's own lengths: a second on threads, 200 virtual ms (quick: 200 ms, 50 virtual ms). */
export function durationOf(engine: EngineKind, quick: boolean): number {
  if (engine === 'threads') return quick ? 200 : 1000;
  return quick ? 50 : 200;
}

/** The engine of the groups that run at the host's size: threads when allowed. */
export const hostEngine = (context: PlanContext): EngineKind => (context.engines.includes('threads') ? 'threads' : context.engines[0]!);

/** Host ms one threads-engine run costs besides its duration: the pCPUs' start and JIT warm-up. */
const THREADS_RUN_OVERHEAD_MS = 150;

/** A rough host cost of `runs` runs: threads runs take their duration; virtual ones grow with pCPUs and vCPUs. */
export function estimateRunsMs(engine: EngineKind, runs: number, durationMs: number, pcpus: number, vcpus: number): number {
  if (engine === 'threads') return runs * (durationMs + THREADS_RUN_OVERHEAD_MS);
  // Measured on the 2-core host: about 0.4 host s per virtual second per pCPU-and-vCPU pair (the contended preset at 64).
  return runs * (20 + durationMs * 0.2 * Math.max(pcpus, vcpus));
}
