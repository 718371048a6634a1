/**
 * Reads a Chrome Trace Event JSON file (the format ui.perfetto.dev and chrome://tracing open) into
 * the timeline's model: lanes of slices, instants and counters, and flows between lanes, clipped to
 * a time range while it reads, so that nothing outside the range is kept.
 *
 * A spinvisor trace (`otherData.format` "spinvisor-trace/1") has a known layout: process 0 is the
 * hypervisor with one thread per pCPU, process 1 + i is VM i with one thread per vCPU and one per
 * contended lock (tid 1000 + k). Any other Chrome trace is read as well: each (pid, tid) is a
 * lane, named by its metadata when it has some, and its events are shown neutrally.
 *
 * Cost: the file is parsed once (JSON.parse) and its events walked once; per event, only what
 * falls inside the range is kept. Event kinds the view does not draw (async, object, sample
 * events…) are counted and skipped.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/schema.js';
import type { RangeUs } from '../io/time-range.js';
import { LOCK_TID as LOCK_TID_BASE, TRACE_FORMAT as SPINVISOR_TRACE_FORMAT } from './chrome-trace.js';

/** Any version of the `otherData.format` spinvisor writes; this reader knows only SPINVISOR_TRACE_FORMAT's. */
const SPINVISOR_TRACE_PREFIX = 'spinvisor-trace/';

type LaneKind = 'pcpu' | 'lock' | 'vcpu' | 'other';

/** A stretch of time on a lane: a vCPU running on a pCPU, a vCPU state, a lock hold. Times in µs, already clipped to the range. */
export interface Slice {
  readonly startUs: number;
  readonly endUs: number;
  readonly name: string;
  /** The VM the slice belongs to (`args.vm`, or the VM named before "/" in its name), when known. */
  readonly vm: number | undefined;
  /** Nesting depth on its lane: 0 for the outermost slice (`running`), 1 for one inside it (`spinning`). */
  readonly depth: number;
}

interface Instant {
  readonly tsUs: number;
  readonly name: string;
}

interface CounterPoint {
  readonly tsUs: number;
  readonly value: number;
}

export interface Lane {
  /** `pid:tid`. */
  readonly key: string;
  readonly pid: number;
  readonly tid: number;
  readonly kind: LaneKind;
  /** "pCPU 0", "lock 3", "vCPU 2", or the thread's own name. */
  readonly name: string;
  /** The process's name ("hypervisor", the VM's name), or "pid N". */
  readonly group: string;
  /** The VM whose process holds the lane (vCPU and lock lanes of a spinvisor trace). */
  readonly vm: number | undefined;
  readonly slices: Slice[];
  readonly instants: Instant[];
  /** One counter per lane at most (a lock's waiters): its value at the range's start, then each change inside it. */
  counter: { readonly name: string; readonly points: CounterPoint[]; max: number } | undefined;
}

interface FlowEnd {
  readonly laneKey: string;
  readonly tsUs: number;
}

interface Flow {
  readonly id: string;
  /** `kick`, `directed-yield`, or any other category. */
  readonly cat: string;
  readonly from: FlowEnd;
  readonly to: FlowEnd;
}

interface TraceMeta {
  /** `otherData.format`, or undefined for a trace that is not spinvisor's. */
  readonly format: string | undefined;
  readonly engine: string | undefined;
  readonly seed: number | undefined;
  readonly scenario: string | undefined;
  readonly label: string | undefined;
  readonly droppedRecords: number | undefined;
  readonly stoppedEarly: boolean | undefined;
}

export interface TimelineModel {
  readonly meta: TraceMeta;
  /** VM names by index (from the VMs' process names, or the slices' names). */
  readonly vms: readonly string[];
  /** Lanes with something in the range, in display order: pCPUs, then per VM its locks and vCPUs, then the rest. */
  readonly lanes: readonly Lane[];
  /** Flows with both ends found, at least one of them inside the range. */
  readonly flows: readonly Flow[];
  /** The range the model was clipped to, µs. */
  readonly fromUs: number;
  readonly toUs: number;
  /** First and last time stamp of the whole trace, µs (before clipping). */
  readonly traceStartUs: number;
  readonly traceEndUs: number;
  /** Events in the file, events of kinds the view does not draw, and flow ends without a partner. */
  readonly events: number;
  readonly skipped: number;
  readonly unpairedFlows: number;
}

interface RawEvent {
  readonly ph?: unknown;
  readonly name?: unknown;
  readonly cat?: unknown;
  readonly pid?: unknown;
  readonly tid?: unknown;
  readonly ts?: unknown;
  readonly dur?: unknown;
  readonly id?: unknown;
  readonly bp?: unknown;
  readonly args?: unknown;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
/** A pid or tid: a number, or a string (some tools write them so). */
const ident = (v: unknown): number | string => (typeof v === 'number' || typeof v === 'string' ? v : 0);

/** Reads and parses TRACE (one-line `ConfigError`s for a missing, unreadable or non-JSON file), then builds the model. */
export function readTraceFile(path: string, range: RangeUs = {}): TimelineModel {
  return buildTimeline(readTraceJson(path), range, path);
}

/** TRACE parsed, not yet read as a trace: one-line `ConfigError`s for a missing, unreadable or non-JSON file. */
export function readTraceJson(path: string): unknown {
  let content: string;
  try {
    content = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_STRING_TOO_LONG') throw new ConfigError(`${path}: too large to read at once (over 512 MiB); record a shorter --trace-window`);
    throw new ConfigError(`${path}: cannot read: ${code ?? (error as Error).message}`);
  }
  try {
    return JSON.parse(content);
  } catch (error) {
    throw new ConfigError(`${path}: not JSON (${(error as Error).message.split('\n')[0]})`);
  }
}

/** The events of a parsed trace: `{traceEvents: [...]}` or a bare array; a one-line `ConfigError` for anything else. */
function eventsOf(value: unknown, where: string): unknown[] {
  const events = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.traceEvents) ? value.traceEvents : undefined;
  if (!events) throw new ConfigError(`${where}: not a Chrome trace (expected {"traceEvents": [...]} or an array of events)`);
  return events as unknown[];
}

/** First and last time stamp of a parsed trace, µs, in one pass that keeps nothing. */
export function traceSpanUs(value: unknown, where = 'trace'): { readonly startUs: number; readonly endUs: number } {
  let startUs = Infinity;
  let endUs = -Infinity;
  for (const e of eventsOf(value, where)) {
    if (!isObject(e) || e.ph === 'M') continue;
    const ts = finite(e.ts);
    if (ts === undefined) continue;
    startUs = Math.min(startUs, ts);
    endUs = Math.max(endUs, ts + (e.ph === 'X' ? Math.max(0, finite(e.dur) ?? 0) : 0));
  }
  if (startUs > endUs) throw new ConfigError(`${where}: the trace has no timed events`);
  return { startUs, endUs };
}

/**
 * The model of a parsed trace: `{traceEvents: [...]}` or a bare array of events. Throws a
 * one-line `ConfigError` (prefixed with `where`) for a value that is not a Chrome trace, a
 * spinvisor format this version does not read, or a range that misses the trace.
 */
export function buildTimeline(value: unknown, range: RangeUs = {}, where = 'trace'): TimelineModel {
  const events = eventsOf(value, where);
  const other = isObject(value) && isObject(value.otherData) ? value.otherData : {};
  const format = text(other.format);
  if (format?.startsWith(SPINVISOR_TRACE_PREFIX) && format !== SPINVISOR_TRACE_FORMAT)
    throw new ConfigError(`${where}: trace format "${format}" is not one this version reads (${SPINVISOR_TRACE_FORMAT})`);
  const meta: TraceMeta = {
    format,
    engine: text(other.engine),
    seed: finite(other.seed),
    scenario: text(other.scenario),
    label: text(other.label),
    droppedRecords: finite(other.droppedRecords),
    stoppedEarly: typeof other.stoppedEarly === 'boolean' ? other.stoppedEarly : undefined,
  };

  // The trace's span, for the default range and for the range check.
  const { startUs: traceStartUs, endUs: traceEndUs } = traceSpanUs(value, where);
  const fromUs = range.fromUs ?? traceStartUs;
  const toUs = range.toUs ?? traceEndUs;
  const asked = `${range.fromUs === undefined ? '' : ms(range.fromUs)}..${range.toUs === undefined ? '' : ms(range.toUs)} ms`;
  if (fromUs > traceEndUs || toUs < traceStartUs)
    throw new ConfigError(`${where}: the range ${asked} is outside the trace, which spans ${ms(traceStartUs)}..${ms(traceEndUs)} ms`);
  if (!(fromUs < toUs)) throw new ConfigError(`${where}: the range ${asked} is empty`);
  const inRange = (ts: number) => ts >= fromUs && ts <= toUs;

  const spinvisor = format === SPINVISOR_TRACE_FORMAT;
  const processNames = new Map<string, string>();
  const threadNames = new Map<string, string>();
  const raw = new Map<string, { pid: number | string; tid: number | string; slices: Slice[]; instants: Instant[]; counter: Lane['counter'] }>();
  const lane = (pid: number | string, tid: number | string) => {
    const key = `${pid}:${tid}`;
    let l = raw.get(key);
    if (!l) raw.set(key, (l = { pid, tid, slices: [], instants: [], counter: undefined }));
    return l;
  };
  const vmIndexByName = new Map<string, number>();
  /** Open B events per lane, for B/E pairs. */
  const open = new Map<string, { pid: number | string; tid: number | string; ts: number; name: string; vm: number | undefined }[]>();
  const flowStarts = new Map<string, FlowEnd>();
  const flowEnds = new Map<string, FlowEnd>();
  /** Counter values just before the range, per lane, so the step line starts at the right height. */
  const before = new Map<string, CounterPoint & { name: string; pid: number | string; tid: number | string }>();
  let skipped = 0;

  const addSlice = (pid: number | string, tid: number | string, start: number, end: number, name: string, args: unknown) => {
    const s = Math.max(start, fromUs);
    const t = Math.min(end, toUs);
    if (t < s || (t === s && start !== end)) return;
    lane(pid, tid).slices.push({ startUs: s, endUs: t, name, vm: vmOf(name, args), depth: 0 });
  };
  const vmOf = (name: string, args: unknown): number | undefined => {
    const fromArgs = isObject(args) ? finite(args.vm) : undefined;
    if (fromArgs !== undefined) return fromArgs;
    const slash = name.indexOf('/');
    return slash > 0 ? vmIndexByName.get(name.slice(0, slash)) : undefined;
  };

  // Metadata first, wherever it sits in the file: names decide lane kinds and VM indices.
  for (const e of events) {
    if (!isObject(e) || e.ph !== 'M') continue;
    const args = isObject(e.args) ? e.args : {};
    const name = text(args.name);
    if (name === undefined) continue;
    const pid = ident(e.pid);
    if (e.name === 'process_name') {
      processNames.set(String(pid), name);
      if (spinvisor && typeof pid === 'number' && pid >= 1) vmIndexByName.set(name, pid - 1);
    } else if (e.name === 'thread_name') threadNames.set(`${pid}:${ident(e.tid)}`, name);
  }

  for (const item of events) {
    if (!isObject(item)) {
      skipped++;
      continue;
    }
    const e = item as RawEvent;
    const ph = e.ph;
    if (ph === 'M') continue;
    const ts = finite(e.ts);
    if (ts === undefined) {
      skipped++;
      continue;
    }
    const pid = ident(e.pid);
    const tid = ident(e.tid);
    const name = text(e.name) ?? '';
    switch (ph) {
      case 'X': {
        const dur = Math.max(0, finite(e.dur) ?? 0);
        addSlice(pid, tid, ts, ts + dur, name, e.args);
        break;
      }
      case 'B': {
        const key = `${pid}:${tid}`;
        let stack = open.get(key);
        if (!stack) open.set(key, (stack = []));
        stack.push({ pid, tid, ts, name, vm: vmOf(name, e.args) });
        break;
      }
      case 'E': {
        const begun = open.get(`${pid}:${tid}`)?.pop();
        if (begun) addSlice(pid, tid, begun.ts, ts, begun.name, begun.vm === undefined ? undefined : { vm: begun.vm });
        else skipped++;
        break;
      }
      case 'i':
      case 'I':
      case 'R':
      case 'n':
        if (inRange(ts)) lane(pid, tid).instants.push({ tsUs: ts, name });
        break;
      case 'C': {
        const args = isObject(e.args) ? e.args : {};
        const first = Object.values(args)
          .map(finite)
          .find((v) => v !== undefined);
        if (first === undefined) {
          skipped++;
          break;
        }
        // Chrome counters belong to their process; a spinvisor lock's ("lock k waiters") goes on the lock's lane.
        const lock = spinvisor ? /^lock (\d+) waiters$/.exec(name) : null;
        const counterTid = lock ? LOCK_TID_BASE + Number(lock[1]) : tid;
        const key = `${pid}:${counterTid}`;
        if (ts < fromUs) {
          const prior = before.get(key);
          if (!prior || prior.tsUs <= ts) before.set(key, { tsUs: ts, value: first, name, pid, tid: counterTid });
        } else if (ts <= toUs) {
          const l = lane(pid, counterTid);
          l.counter ??= { name, points: [], max: 0 };
          l.counter.points.push({ tsUs: ts, value: first });
          l.counter.max = Math.max(l.counter.max, first);
        }
        break;
      }
      case 's':
      case 'f':
      case 't': {
        const id = `${text(e.cat) ?? ''}\u0000${typeof e.id === 'number' || typeof e.id === 'string' ? String(e.id) : JSON.stringify(e.id ?? null)}`;
        const end = { laneKey: `${pid}:${tid}`, tsUs: ts };
        // A flow whose both ends lie before the range or after it is of no use; keep the
        // candidates only (the start at or before the range's end, the finish at or after its start).
        if (ph === 's') {
          if (ts <= toUs) flowStarts.set(id, end);
        } else if (ph === 'f' && ts >= fromUs) flowEnds.set(id, end);
        break;
      }
      default:
        skipped++;
    }
  }
  // A B without its E still runs at the end of the trace.
  for (const stack of open.values()) for (const b of stack) addSlice(b.pid, b.tid, b.ts, traceEndUs, b.name, b.vm === undefined ? undefined : { vm: b.vm });
  for (const prior of before.values()) {
    const l = lane(prior.pid, prior.tid);
    l.counter ??= { name: prior.name, points: [], max: 0 };
    l.counter.points.unshift({ tsUs: fromUs, value: prior.value });
    l.counter.max = Math.max(l.counter.max, prior.value);
  }

  const flows: Flow[] = [];
  let unpairedFlows = 0;
  for (const [id, from] of flowStarts) {
    const to = flowEnds.get(id);
    if (!to) {
      if (inRange(from.tsUs)) unpairedFlows++;
      continue;
    }
    flowEnds.delete(id);
    if (to.tsUs < fromUs || from.tsUs > toUs) continue;
    flows.push({ id: id.slice(id.indexOf('\u0000') + 1), cat: id.slice(0, id.indexOf('\u0000')), from, to });
  }
  for (const to of flowEnds.values()) if (inRange(to.tsUs)) unpairedFlows++;
  flows.sort((a, b) => a.from.tsUs - b.from.tsUs);

  const lanes: Lane[] = [];
  for (const [key, l] of raw) {
    const pidName = processNames.get(String(l.pid));
    const threadName = threadNames.get(key);
    const kind = laneKind(spinvisor, l.pid, l.tid, threadName, pidName);
    // A lock's waiters counter that never rose above 0 in the range: the lock was not contended here.
    if (kind === 'lock' && l.slices.length === 0 && (l.counter?.max ?? 0) === 0) continue;
    if (l.slices.length === 0 && l.instants.length === 0 && !l.counter) continue;
    nest(l.slices);
    l.instants.sort((a, b) => a.tsUs - b.tsUs);
    l.counter?.points.sort((a, b) => a.tsUs - b.tsUs);
    const vm = (kind === 'vcpu' || kind === 'lock') && typeof l.pid === 'number' ? l.pid - 1 : undefined;
    lanes.push({
      key,
      pid: typeof l.pid === 'number' ? l.pid : Number.NaN,
      tid: typeof l.tid === 'number' ? l.tid : Number.NaN,
      kind,
      name: threadName ?? defaultLaneName(kind, l.pid, l.tid),
      group: pidName ?? (kind === 'pcpu' ? 'hypervisor' : `pid ${String(l.pid)}`),
      vm,
      slices: l.slices,
      instants: l.instants,
      counter: l.counter,
    });
  }
  lanes.sort(laneOrder);
  const keys = new Set(lanes.map((l) => l.key));

  const vms: string[] = [];
  for (const [name, index] of vmIndexByName) vms[index] = name;
  for (const l of lanes) for (const s of l.slices) if (s.vm !== undefined && vms[s.vm] === undefined) vms[s.vm] = vmNameOf(s.name) ?? `VM ${s.vm}`;
  for (let i = 0; i < vms.length; i++) vms[i] ??= `VM ${i}`;

  return {
    meta,
    vms,
    lanes,
    flows: flows.filter((f) => keys.has(f.from.laneKey) && keys.has(f.to.laneKey)),
    fromUs,
    toUs,
    traceStartUs,
    traceEndUs,
    events: events.length,
    skipped,
    unpairedFlows,
  };
}

const vmNameOf = (name: string): string | undefined => (name.indexOf('/') > 0 ? name.slice(0, name.indexOf('/')) : undefined);

/** pCPU, lock, vCPU or other: by the thread's name when it has one, else by spinvisor's layout (only in a spinvisor trace). */
function laneKind(spinvisor: boolean, pid: number | string, tid: number | string, threadName: string | undefined, processName: string | undefined): LaneKind {
  if (threadName !== undefined) {
    if (/^pCPU \d+$/.test(threadName)) return 'pcpu';
    if (/^lock \d+$/.test(threadName)) return 'lock';
    if (/^vCPU \d+$/.test(threadName)) return 'vcpu';
    return 'other';
  }
  if (!spinvisor || typeof pid !== 'number' || typeof tid !== 'number') return 'other';
  if (pid === 0) return processName === undefined || processName === 'hypervisor' ? 'pcpu' : 'other';
  return tid >= LOCK_TID_BASE ? 'lock' : 'vcpu';
}

function defaultLaneName(kind: LaneKind, pid: number | string, tid: number | string): string {
  if (kind === 'pcpu') return `pCPU ${String(tid)}`;
  if (kind === 'lock') return `lock ${Number(tid) - LOCK_TID_BASE}`;
  if (kind === 'vcpu') return `vCPU ${String(tid)}`;
  return `pid ${String(pid)} / tid ${String(tid)}`;
}

const KIND_ORDER: Record<LaneKind, number> = { pcpu: 0, lock: 1, vcpu: 2, other: 3 };

/** pCPUs first; then per VM its locks and its vCPUs; then everything else; by tid within. */
function laneOrder(a: Lane, b: Lane): number {
  const rank = (l: Lane) => (l.kind === 'pcpu' ? 0 : l.kind === 'other' ? 2 : 1);
  return (
    rank(a) - rank(b) ||
    (a.vm ?? 0) - (b.vm ?? 0) ||
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    cmp(a.pid, b.pid) ||
    cmp(a.tid, b.tid) ||
    (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)
  );
}

const cmp = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : a - b);

/** Sorts a lane's slices by start (the longer first on a tie) and gives each its nesting depth. */
function nest(slices: Slice[]): void {
  slices.sort((a, b) => a.startUs - b.startUs || b.endUs - a.endUs);
  const ends: number[] = [];
  for (let i = 0; i < slices.length; i++) {
    const s = slices[i]!;
    while (ends.length > 0 && ends[ends.length - 1]! <= s.startUs) ends.pop();
    slices[i] = ends.length === 0 ? s : { ...s, depth: ends.length };
    ends.push(s.endUs);
  }
}

/** µs as ms for messages: at most three decimals. */
const ms = (us: number): string => String(Math.round(us) / 1000);
