/**
 * The trace rings (shm/layout.ts `TRACE_RING`, core/trace-record.ts, trace/drain.ts): only a
 * traced layout has them, they sit on lines of their own, a full ring drops and counts, and
 * the drainer's count reaches the file. No threads.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/config/schema.js';
import { initMachine, openRun } from '../../src/core/init.js';
import { PcpuCore } from '../../src/core/pcpu-core.js';
import { traceEvent } from '../../src/core/trace-record.js';
import { TR, TRACE_EVENTS, PCPU_COUNTERS, VCPU_COUNTERS } from '../../src/events/table.js';
import { LINE_BYTES, Layout, Machine, TRACE_RING } from '../../src/shm/layout.js';
import { TraceWriter } from '../../src/trace/chrome-trace.js';
import { TraceDrain } from '../../src/trace/drain.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-ring-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const scenario = parseScenario({ pcpus: 2, vms: [{ name: 'guest', vcpus: 4, workload: { locks: 2 } }] });

function tracedCore(records: number): { machine: Machine; core: PcpuCore } {
  const machine = Machine.allocate(scenario, 'plain', { traceRecords: records });
  initMachine(machine);
  openRun(machine, 0);
  return { machine, core: new PcpuCore(machine, 0, { wakeIdlePcpu() {} }, { calibrate: false }) };
}

describe('trace rings', () => {
  it('exist only in a traced layout: an untraced one is as large as ever', () => {
    const untraced = new Layout(scenario);
    const traced = new Layout(scenario, { traceRecords: 1024 });
    expect(untraced.totalBytes).toBe(untraced.traceByte);
    expect(traced.totalBytes - untraced.totalBytes).toBe(2 * (2 * LINE_BYTES + 1024 * 32));
  });

  it("keep the pCPU's words and the drainer's tail on lines of their own", () => {
    const layout = new Layout(scenario, { traceRecords: 64 });
    for (let p = 0; p < 2; p++) {
      const head = (layout.traceRingBase(p) + TRACE_RING.head) * 4;
      const tail = (layout.traceRingBase(p) + TRACE_RING.tail) * 4;
      expect(head % LINE_BYTES).toBe(0);
      expect(Math.floor(tail / LINE_BYTES)).toBe(Math.floor(head / LINE_BYTES) + 1);
      expect(layout.traceRecordBase(p, 0) * 4).toBe(head + 2 * LINE_BYTES);
    }
  });

  it('reject a ring size that is not a power of two', () => {
    expect(() => new Layout(scenario, { traceRecords: 1000 })).toThrow(/power of two/);
  });

  it('drop and count the records that find the ring full', () => {
    const { machine, core } = tracedCore(4);
    for (let i = 0; i < 10; i++) traceEvent(core, TR.kick, i, 0, 0, 1);
    expect(machine.i32[machine.layout.traceRingBase(0) + TRACE_RING.dropped]).toBe(6);
  });

  it('write again once the drainer has read them, and the file says how many were dropped', () => {
    const { machine, core } = tracedCore(4);
    const file = join(tmp, 'dropped.json');
    const writer = new TraceWriter(file, machine.layout, { engine: 'virtual', seed: 1, scenario: 's', label: 'l' }, { windowMs: null, maxMb: null }, 0);
    const drain = new TraceDrain(machine.i32, machine.layout, writer);
    for (let i = 0; i < 6; i++) traceEvent(core, TR.notify, i, 0, -1, 0);
    drain.drain(Infinity);
    for (let i = 6; i < 10; i++) traceEvent(core, TR.notify, i, 0, -1, 0);
    drain.finish(100, false);
    expect(drain.records).toBe(8);
    const trace = JSON.parse(readFileSync(file, 'utf8')) as { otherData: { droppedRecords: number }; traceEvents: { name: string }[] };
    expect(trace.otherData.droppedRecords).toBe(2);
    expect(trace.traceEvents.filter((e) => e.name === 'notify')).toHaveLength(8);
  });

  it('spool beside the trace during the run, and a failed run leaves neither the spool nor the trace', () => {
    const { machine, core } = tracedCore(4);
    const file = join(tmp, 'failed.json');
    const writer = new TraceWriter(file, machine.layout, { engine: 'virtual', seed: 1, scenario: 's', label: 'l' }, { windowMs: null, maxMb: null }, 0);
    const drain = new TraceDrain(machine.i32, machine.layout, writer);
    for (let i = 0; i < 3; i++) traceEvent(core, TR.notify, i, 0, -1, 0);
    drain.drain(Infinity);
    expect(readdirSync(tmp).filter((name) => name.startsWith('failed.json.spool-'))).toHaveLength(1);
    drain.abandon();
    expect(readdirSync(tmp).filter((name) => name.startsWith('failed.json'))).toEqual([]);
    expect(existsSync(file)).toBe(false);
  });

  it('have kinds that name only counters of the event table', () => {
    const counters = new Set<string>([...VCPU_COUNTERS, ...PCPU_COUNTERS].map((c) => c.name));
    for (const row of TRACE_EVENTS) if ('counter' in row) expect(counters.has(row.counter), row.name).toBe(true);
  });
});
