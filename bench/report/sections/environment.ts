/** Where and how the suite ran: every field of each environment (one per shard), the options, the plan and the elapsed time. */
import type { SuiteResults } from '../../suite/model.js';
import { esc } from '../../../src/report/html/escape.js';
import type { ReportSection } from '../section.js';
import { sig } from '../charts/format.js';
import { section } from './common.js';

/** A value as the table shows it: arrays joined, null as "–", objects as JSON. */
function show(value: unknown): string {
  if (value === null || value === undefined) return '–';
  if (Array.isArray(value)) return value.length ? value.map(show).join(', ') : '(none)';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

const keyValueTable = (caption: string, entries: readonly (readonly [string, unknown])[]): string =>
  `<table class="data kv"><caption>${esc(caption)}</caption><tbody>${entries.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(show(v))}</td></tr>`).join('')}</tbody></table>`;

function renderEnvironmentSection(results: SuiteResults): string {
  const envs = results.environments.map((env, i) =>
    keyValueTable(results.environments.length > 1 ? `Environment of shard ${results.plan.shards[i] ?? i + 1}` : 'Environment', Object.entries(env)),
  );
  const options = keyValueTable('Options', Object.entries(results.options));
  const run = keyValueTable('Run', [
    ['format', results.format],
    ['created', results.createdAt],
    ['elapsed', `${sig(results.elapsedS)} s (host wall time, summed over shards)`],
    ['shards', `${show(results.plan.shards)} of ${results.plan.shardCount}`],
    ['planned jobs', results.plan.jobs.length],
  ]);
  const jobs = `<details><summary>The ${results.plan.jobs.length} planned job${results.plan.jobs.length === 1 ? '' : 's'}</summary><ol class="jobs">${results.plan.jobs.map((j) => `<li>${esc(j)}</li>`).join('')}</ol></details>`;
  return section('environment', 'Environment', '', `<div class="tables">${envs.join('')}${options}${run}</div>${jobs}`);
}

export const environmentSection: ReportSection = { id: 'environment', title: 'Environment', render: (results) => renderEnvironmentSection(results) };
