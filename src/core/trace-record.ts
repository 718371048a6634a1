/**
 * Recording one trace event (a traced run only: `CoreState.tracing`): a fixed-size record in
 * this pCPU's ring of the buffer (shm/layout.ts `TRACE_RING`, `TRACE_RECORD`), no allocation,
 * no string, no message. The pCPU is the ring's only writer; the drainer (src/trace/) is its
 * only reader. A full ring drops the record and counts it (`dropped`): the drainer was late.
 *
 * Times are the core's own: the step's `now` (the engine's clock, read once per step on
 * threads; virtual time) or the time interpolated inside the step from the cost done so far,
 * the same values the counters and histograms use. A pCPU's records are kept in time order
 * (a later record never gets an earlier time than the one before it: a kick, stamped at its
 * step's start, follows the release interpolated later in that step).
 */
import type { CoreState } from './core-state.js';
import { TRACE_RECORD, TRACE_RING } from '../shm/layout.js';

export function traceEvent(core: CoreState, kind: number, t: number, vcpu: number, lock: number, arg: number): void {
  const { i32, memory } = core;
  const layout = core.machine.layout;
  const head = core.traceHead;
  if (((head - core.traceTail) | 0) >= layout.traceRecords) {
    // Full as last seen: look at the drainer's progress again (its line, so only when full).
    core.traceTail = memory.load(memory.i32, core.traceRing + TRACE_RING.tail);
    if (((head - core.traceTail) | 0) >= layout.traceRecords) {
      memory.store(memory.i32, core.traceRing + TRACE_RING.dropped, (i32[core.traceRing + TRACE_RING.dropped]! + 1) | 0);
      return;
    }
  }
  if (t < core.traceLastNs) t = core.traceLastNs;
  else core.traceLastNs = t;
  const base = layout.traceRecordBase(core.pcpu, head);
  // The record's i32 base is 8-byte aligned (two lines, then 32-byte records): half of it is its f64 base.
  core.f64[(base >> 1) + TRACE_RECORD.timeF64] = t;
  i32[base + TRACE_RECORD.kind] = kind;
  i32[base + TRACE_RECORD.pcpu] = core.pcpu;
  i32[base + TRACE_RECORD.vcpu] = vcpu;
  i32[base + TRACE_RECORD.lock] = lock;
  i32[base + TRACE_RECORD.arg] = arg;
  core.traceHead = (head + 1) | 0;
  // Publishes the record's words to the drainer. Partner: its load of `head`.
  memory.store(memory.i32, core.traceRing + TRACE_RING.head, core.traceHead);
}
