/**
 * The terminal report: per thread, its hottest functions as both profilers saw them, in a
 * table that fits 100 columns; then where the files are and how to open them.
 */
import { basename, relative } from 'node:path';
import { fmt, renderTable, type Column } from '../../src/report/text-table.js';
import { functionKey, type HotFunction, type ThreadProfile } from './hot-functions.js';

/** What is known of one thread: its profile under each profiler, when it has one. */
export interface ThreadReport {
  readonly role: string;
  readonly prof?: ThreadProfile;
  readonly cpuProf?: ThreadProfile;
}

export interface HotRow {
  readonly name: string;
  readonly where: string;
  /** Share of the thread's `--prof` ticks, or undefined when not among them. */
  readonly prof?: number;
  /** Share of the thread's `--cpu-prof` samples. */
  readonly cpuProf?: number;
}

const NAME_WIDTH = 32;
const WHERE_WIDTH = 44;

/** The `top` functions of either profile, by the larger of their two shares. */
export function hotRows(thread: ThreadReport, top: number): HotRow[] {
  const prof = new Map((thread.prof?.functions ?? []).map((f) => [functionKey(f), f]));
  const cpu = new Map((thread.cpuProf?.functions ?? []).map((f) => [functionKey(f), f]));
  const candidates = new Map<string, HotFunction>();
  for (const f of [...(thread.prof?.functions ?? []).slice(0, top), ...(thread.cpuProf?.functions ?? []).slice(0, top)]) candidates.set(functionKey(f), f);
  return [...candidates.entries()]
    .map(([key, f]) => ({ name: f.name, where: f.where, prof: prof.get(key)?.share, cpuProf: cpu.get(key)?.share }))
    .sort((a, b) => Math.max(b.prof ?? 0, b.cpuProf ?? 0) - Math.max(a.prof ?? 0, a.cpuProf ?? 0) || a.name.localeCompare(b.name))
    .slice(0, top);
}

/** Keeps the end of a long text (the file and line of a place matter more than its folders). */
function clipStart(text: string, width: number): string {
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}

function clipEnd(text: string, width: number): string {
  return text.length <= width ? text : `${text.slice(0, width - 1)}…`;
}

const share = (value: number | undefined) => (value === undefined ? '—' : fmt.percent(value));

const COLUMNS: readonly Column<HotRow>[] = [
  { header: '--prof', cell: (r) => share(r.prof) },
  { header: '--cpu-prof', cell: (r) => share(r.cpuProf) },
  { header: 'function', cell: (r) => clipEnd(r.name, NAME_WIDTH), align: 'left' },
  { header: 'where', cell: (r) => clipStart(r.where, WHERE_WIDTH), align: 'left' },
];

/** One thread's heading and table. */
export function renderThread(thread: ThreadReport, top: number): string {
  const parts = [
    thread.prof ? `--prof ${thread.prof.notes.join(', ')}` : '--prof: no log',
    thread.cpuProf ? `--cpu-prof ${thread.cpuProf.notes.join(', ')}` : '--cpu-prof: no profile',
  ];
  const lines = [`${thread.role} · ${parts.join(' · ')}`, '', renderTable(COLUMNS, hotRows(thread, top))];
  const callers = thread.prof?.unaccountedCallers ?? [];
  if (callers.length > 0) {
    const list = callers
      .slice(0, 4)
      .map((f) => `${clipEnd(f.name, NAME_WIDTH)} ${fmt.percent(f.share)}`)
      .join(', ');
    lines.push(...wrap(`(unaccounted) --prof ticks by caller: ${list}`, 100, ''));
  }
  return lines.join('\n');
}

export const LEGEND = `--prof: share of the thread's ticks by code object, so functions V8 inlined count toward their
caller; "(unaccounted)": ticks in the node binary's own code (C++, and builtins such as Atomics.*)
that Node 20's --prof-process does not resolve (nodejs/node#48263), with the JavaScript that
called into them below the table. --cpu-prof: share of the thread's samples, inlined functions
as frames of their own, builtins inside their caller, idle time as "(idle)". The two columns come
from two runs of the same scenario; "where" is a line of the build in dist/.`;

/** A group of files in the output folder and what they are. */
export interface FileGroup {
  readonly files: readonly string[];
  readonly what: string;
}

/** Where the files are and how to open them. */
export function renderFiles(out: string, groups: readonly FileGroup[]): string {
  const shown = relative(process.cwd(), out);
  const dir = shown === '' ? '.' : shown.startsWith('..') ? out : shown;
  const lines = [`files in ${dir}/:`];
  for (const group of groups.filter((g) => g.files.length > 0))
    lines.push(...wrap(`${group.what}: ${group.files.map((f) => basename(f)).join(' ')}`, 96, '  '));
  lines.push(
    'open a .cpuprofile in Chrome DevTools (Performance panel → "Load profile…"), in VS Code (open the',
    'file), or in speedscope (drop it on https://www.speedscope.app, or: npx speedscope FILE)',
  );
  return lines.join('\n');
}

/** Words into lines of at most `width` columns, each starting with `indent`. */
function wrap(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of text.split(' ')) {
    if (line.length > indent.length && line.length + 1 + word.length > width) {
      lines.push(line);
      line = indent + '  ';
    }
    line += line.trim() === '' ? word : ` ${word}`;
  }
  lines.push(line);
  return lines;
}
