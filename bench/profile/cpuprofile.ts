/**
 * A `.cpuprofile` (what `node --cpu-prof` writes, Chrome DevTools' format) summarised: each
 * node's `hitCount` is its self samples; nodes of one function (one per call path) are summed.
 * Inlined functions keep frames of their own here, unlike in a `--prof` log.
 */
import { readFileSync } from 'node:fs';
import { functionName, mergeFunctions, shortWhere, type HotFunction, type ThreadProfile } from './hot-functions.js';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  /** 0-based; -1 when unknown. */
  readonly lineNumber: number;
}

interface ProfileNode {
  readonly callFrame: CallFrame;
  readonly hitCount?: number;
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples?: readonly number[];
}

export function readCpuProfile(file: string, root: string): ThreadProfile {
  return summariseCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as unknown, root);
}

/** Self samples per function, with shares of all samples (idle and GC included). */
export function summariseCpuProfile(profile: unknown, root: string): ThreadProfile {
  if (!isCpuProfile(profile)) throw new Error('not a .cpuprofile: no "nodes" list');
  const entries: Omit<HotFunction, 'share'>[] = [];
  for (const node of profile.nodes) {
    const count = node.hitCount ?? 0;
    if (count === 0) continue;
    const { functionName: name, url, lineNumber } = node.callFrame;
    // Pseudo-functions, "(program)", "(idle)", "(garbage collector)", have no script.
    const where = url === '' ? '' : shortWhere(url, lineNumber >= 0 ? lineNumber + 1 : undefined, root);
    entries.push({ name: functionName(name), where, count });
  }
  const total = entries.reduce((sum, e) => sum + e.count, 0);
  const idle = entries.filter((e) => e.name === '(idle)').reduce((sum, e) => sum + e.count, 0);
  return { total, functions: mergeFunctions(entries, total), notes: [`${total} samples`, `${idle} idle`] };
}

function isCpuProfile(value: unknown): value is CpuProfile {
  return typeof value === 'object' && value !== null && Array.isArray((value as CpuProfile).nodes);
}
