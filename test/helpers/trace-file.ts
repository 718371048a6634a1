/**
 * Reading a trace file (src/trace/chrome-trace.ts) in tests: its events, the problems of its
 * tracks' nesting and flows, and counts of its events by name.
 */
import { readFileSync } from 'node:fs';

export interface TraceEvent {
  readonly ph: string;
  readonly name: string;
  readonly pid: number;
  readonly tid?: number;
  readonly ts?: number;
  readonly dur?: number;
  readonly id?: number;
  readonly cat?: string;
  readonly bp?: string;
  readonly args?: Record<string, number | string>;
}

export interface TraceFile {
  readonly traceEvents: TraceEvent[];
  readonly displayTimeUnit: string;
  readonly otherData: Record<string, unknown>;
}

export function readTrace(path: string): TraceFile {
  return JSON.parse(readFileSync(path, 'utf8')) as TraceFile;
}

/** ns, as integers: the file's µs have three decimals. */
const ns = (us: number) => Math.round(us * 1000);

/**
 * Complete events that overlap on their track without nesting: on each (pid, tid), sorted by
 * start (longer first), every slice must end before the next starts or contain it.
 */
export function nestingProblems(events: readonly TraceEvent[]): string[] {
  const tracks = new Map<string, TraceEvent[]>();
  for (const e of events) {
    if (e.ph !== 'X') continue;
    const key = `${e.pid}/${e.tid}`;
    let list = tracks.get(key);
    if (!list) tracks.set(key, (list = []));
    list.push(e);
  }
  const problems: string[] = [];
  for (const [key, list] of tracks) {
    list.sort((a, b) => ns(a.ts!) - ns(b.ts!) || ns(b.dur!) - ns(a.dur!));
    const open: number[] = [];
    for (const e of list) {
      const start = ns(e.ts!);
      const end = start + ns(e.dur!);
      if (ns(e.dur!) < 0) problems.push(`${key}: ${e.name} at ${e.ts} has a negative duration`);
      while (open.length > 0 && open[open.length - 1]! <= start) open.pop();
      if (open.length > 0 && end > open[open.length - 1]!) problems.push(`${key}: ${e.name} at ${e.ts} overlaps the slice around it`);
      open.push(end);
    }
  }
  return problems;
}

/** Flow ids that lack their start or their end (or have more than one). */
export function flowProblems(events: readonly TraceEvent[]): string[] {
  const ends = new Map<string, { s: number; f: number }>();
  for (const e of events) {
    if (e.ph !== 's' && e.ph !== 'f') continue;
    const key = `${e.cat}:${e.id}`;
    const entry = ends.get(key) ?? { s: 0, f: 0 };
    entry[e.ph] += 1;
    ends.set(key, entry);
  }
  return [...ends].filter(([, v]) => v.s !== 1 || v.f !== 1).map(([k, v]) => `${k}: ${v.s} starts, ${v.f} ends`);
}

/** Events of phase `ph` named `name` (optionally on pid `pid`). */
export function countOf(events: readonly TraceEvent[], ph: string, name: string, pid?: number): number {
  return events.filter((e) => e.ph === ph && e.name === name && (pid === undefined || e.pid === pid)).length;
}
