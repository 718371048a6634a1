/**
 * `npm run bench -- merge FILE…`: the shards of one sharded suite, combined into one results
 * file as if one machine had run them all. The shards must come from the same plan (same
 * options, same job list) and together cover every shard exactly once.
 */
import { ConfigError } from '../../src/config/schema.js';
import type { SuiteResults } from './model.js';

export function mergeShards(files: readonly { readonly path: string; readonly results: SuiteResults }[]): SuiteResults {
  if (files.length === 0) throw new ConfigError('merge: name the shard files to merge');
  const [first, ...rest] = files;
  const plan = first!.results.plan;
  const planKey = JSON.stringify(plan.jobs);
  const optionsKey = JSON.stringify(first!.results.options);
  for (const { path, results } of rest) {
    if (results.plan.shardCount !== plan.shardCount)
      throw new ConfigError(`${path}: a shard of ${results.plan.shardCount}, but ${first!.path} is a shard of ${plan.shardCount}`);
    if (JSON.stringify(results.plan.jobs) !== planKey || JSON.stringify(results.options) !== optionsKey)
      throw new ConfigError(`${path}: planned with other options than ${first!.path} (shards must share every option but --shard)`);
  }
  const owner = new Map<number, string>();
  for (const { path, results } of files)
    for (const shard of results.plan.shards) {
      const other = owner.get(shard);
      if (other !== undefined) throw new ConfigError(`${path}: shard ${shard}/${plan.shardCount} is also in ${other}`);
      owner.set(shard, path);
    }
  const missing = Array.from({ length: plan.shardCount }, (_, i) => i + 1).filter((s) => !owner.has(s));
  if (missing.length > 0)
    throw new ConfigError(`merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((s) => `${s}/${plan.shardCount}`).join(', ')} missing`);

  const order = new Map(plan.jobs.map((id, i) => [id, i]));
  const cases = files.flatMap((f) => f.results.cases).sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  return {
    format: first!.results.format,
    createdAt: new Date().toISOString(),
    environments: files.flatMap((f) => f.results.environments),
    options: first!.results.options,
    plan: { jobs: plan.jobs, shardCount: plan.shardCount, shards: [...owner.keys()].sort((a, b) => a - b) },
    micro: files.find((f) => f.results.micro !== null)?.results.micro ?? null,
    cases,
    elapsedS: files.reduce((s, f) => s + f.results.elapsedS, 0),
  };
}
