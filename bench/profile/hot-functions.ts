/**
 * A thread's hot functions, as either profiler reports them: self time per function (ticks of
 * `--prof`, samples of `--cpu-prof`), with names and places written the same way by both, so
 * the two can be set side by side.
 */
import { fileURLToPath } from 'node:url';

export interface HotFunction {
  /** The function's name; `(anonymous)`, or a pseudo-function like `(garbage collector)`. */
  readonly name: string;
  /** Where it is: `src/core/pcpu-core.js:111` (lines of the build in dist/), `node:path:94`, or a kind (`C++`, `shared library`). */
  readonly where: string;
  /** Self ticks or samples. */
  readonly count: number;
  /** count as a share of the thread's ticks or samples, 0–1. */
  readonly share: number;
}

export interface ThreadProfile {
  /** Ticks or samples in the thread's profile. */
  readonly total: number;
  /** Every function with a self count, highest first. */
  readonly functions: readonly HotFunction[];
  /** Lines worth knowing about the profile as a whole (unaccounted ticks, GC). */
  readonly notes: readonly string[];
  /** `--prof` only: the JavaScript that called into code the log does not resolve, share of those ticks. */
  readonly unaccountedCallers?: readonly HotFunction[];
}

/** The key under which the two profilers' entries for one function meet. */
export function functionKey(f: Pick<HotFunction, 'name' | 'where'>): string {
  return `${f.name}\u0000${f.where}`;
}

/** `(anonymous)` for a function V8 has no name for. */
export function functionName(name: string): string {
  const trimmed = name.trim();
  return trimmed === '' || trimmed === '<anonymous>' ? '(anonymous)' : trimmed;
}

/**
 * A script URL or path and a 1-based line, shortened: the package's own files relative to the
 * package (and to dist/, whose lines they are), node_modules from the package's name on.
 */
export function shortWhere(url: string, line: number | undefined, root: string): string {
  let path = url;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      // not a local file URL: keep it as it is
    }
  }
  const base = root.endsWith('/') ? root : `${root}/`;
  if (path.startsWith(base)) {
    path = path.slice(base.length);
    if (path.startsWith('dist/')) path = path.slice('dist/'.length);
  }
  const modules = path.lastIndexOf('node_modules/');
  if (modules >= 0) path = path.slice(modules + 'node_modules/'.length);
  return line === undefined ? path : `${path}:${line}`;
}

/** Sums entries of the same function (V8 lists one per compilation tier) and sorts them, highest first. */
export function mergeFunctions(entries: readonly Omit<HotFunction, 'share'>[], total: number): HotFunction[] {
  const byKey = new Map<string, { name: string; where: string; count: number }>();
  for (const e of entries) {
    const key = functionKey(e);
    const seen = byKey.get(key);
    if (seen) seen.count += e.count;
    else byKey.set(key, { name: e.name, where: e.where, count: e.count });
  }
  return [...byKey.values()]
    .filter((f) => f.count > 0)
    .map((f) => ({ ...f, share: total > 0 ? f.count / total : 0 }))
    .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
