/**
 * The suite's plan: every group's jobs (SUITE_GROUPS, bench/groups/index.ts, in order), narrowed
 * by `--filter`, and split by `--shard i/n` into n disjoint parts of about equal estimated time. The split depends only on the plan, so
 * n machines given the same options and shards 1..n run every job exactly once; `merge` checks
 * that by the plan's job list each shard records.
 */
import { ConfigError } from '../../src/config/schema.js';
import { SUITE_GROUPS } from '../groups/index.js';
import type { Job, PlanContext } from './job.js';

export interface Shard {
  /** 1-based. */
  readonly index: number;
  readonly count: number;
}

/** Parses `i/n` (1 ≤ i ≤ n ≤ 1000). */
export function parseShard(text: string): Shard {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || count > 1000 || index < 1 || index > count)
    throw new ConfigError(`--shard: expected i/n with 1 <= i <= n <= 1000 (e.g. 2/4), got "${text}"`);
  return { index, count };
}

const MICRO_PREFIX = 'micro/';

/** A job is kept when any filter is a case-insensitive substring of its id; `micro/NAME` keeps the micro job, narrowed to benchmarks matching NAME. */
export function applyFilters(jobs: readonly Job[], filters: readonly string[]): Job[] {
  if (filters.length === 0) return [...jobs];
  const lowered = filters.map((f) => f.toLowerCase());
  const microFilters = lowered.filter((f) => f.startsWith(MICRO_PREFIX)).map((f) => f.slice(MICRO_PREFIX.length));
  const kept: Job[] = [];
  for (const job of jobs) {
    if (job.kind === 'micro') {
      if (lowered.some((f) => job.id.includes(f) && !f.startsWith(MICRO_PREFIX))) kept.push(job);
      else if (microFilters.length > 0) kept.push({ ...job, filters: microFilters });
      continue;
    }
    if (lowered.some((f) => job.id.toLowerCase().includes(f))) kept.push(job);
  }
  if (kept.length === 0) throw new ConfigError(`--filter: ${filters.map((f) => `"${f}"`).join(', ')} matches no job (npm run bench -- --list shows the ids)`);
  return kept;
}

/** Every job of the suite for this context, filtered. */
export function planJobs(context: PlanContext, filters: readonly string[]): Job[] {
  return applyFilters(
    SUITE_GROUPS.flatMap((group) => group.jobs(context)),
    filters,
  );
}

/**
 * The jobs of shard `index` of `count`: greedy balance by estimated time (longest job first, to
 * the least loaded shard, ties to the lower shard), then in plan order.
 */
export function shardJobs(jobs: readonly Job[], shard: Shard): Job[] {
  const loads = new Array<number>(shard.count).fill(0);
  const owner = new Map<Job, number>();
  const byCost = jobs.map((job, i) => ({ job, i })).sort((a, b) => b.job.estimateMs - a.job.estimateMs || a.i - b.i);
  for (const { job } of byCost) {
    let least = 0;
    for (let s = 1; s < shard.count; s++) if (loads[s]! < loads[least]!) least = s;
    loads[least]! += job.estimateMs;
    owner.set(job, least + 1);
  }
  return jobs.filter((job) => owner.get(job) === shard.index);
}
