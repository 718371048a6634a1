/**
 * Layout arithmetic: regions, strides and the placement of hot words on cache lines. Pure
 * arithmetic over `Layout`; no threads.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PCPUS, MAX_TOTAL_VCPUS, MAX_VCPUS_PER_VM, parseScenario, type Config } from '../../src/config/schema.js';
import { runningOn, pcpuOf, stateCode, VCPU_STATE } from '../../src/hv/vcpu-state.js';
import { CTRL, LINE_BYTES, LOCK_WORD, Layout, Machine, PCPU_SHARED, QUEUE, VCPU_CTX, VCPU_MCS, VCPU_SHARED, VCPU_TIME } from '../../src/shm/layout.js';
import { HISTOGRAMS, HISTOGRAM_BUCKETS, PCPU_COUNTERS, VCPU_COUNTERS } from '../../src/events/table.js';

/** Cache line of an i32 index / an f64 index. */
const lineOfI32 = (index: number) => Math.floor((index * 4) / LINE_BYTES);
const lineOfF64 = (index: number) => Math.floor((index * 8) / LINE_BYTES);

function config(pcpus: number, vms: { vcpus: number; locks: number }[]): Config {
  return parseScenario({
    pcpus,
    vms: vms.map((vm, i) => ({ name: `vm${i}`, vcpus: vm.vcpus, workload: { locks: vm.locks } })),
  });
}

/** A few shapes: tiny, uneven VMs, more vCPUs than pCPUs, more pCPUs than vCPUs. */
const SHAPES: { name: string; config: Config }[] = [
  { name: '1 pCPU, 1 vCPU, 1 lock', config: config(1, [{ vcpus: 1, locks: 1 }]) },
  {
    name: '2 pCPUs, 2 VMs x 2 vCPUs',
    config: config(2, [
      { vcpus: 2, locks: 2 },
      { vcpus: 2, locks: 16 },
    ]),
  },
  {
    name: '3 pCPUs, uneven VMs',
    config: config(3, [
      { vcpus: 5, locks: 3 },
      { vcpus: 1, locks: 1 },
      { vcpus: 7, locks: 9 },
    ]),
  },
  { name: '8 pCPUs, 1 vCPU', config: config(8, [{ vcpus: 1, locks: 4 }]) },
];

/** Regions in buffer order, with their sizes in bytes. */
function regions(layout: Layout): { name: string; start: number; bytes: number }[] {
  return [
    { name: 'control', start: 0, bytes: layout.controlF64Byte },
    { name: 'control f64', start: layout.controlF64Byte, bytes: LINE_BYTES },
    { name: 'pcpus', start: layout.pcpuByte, bytes: layout.pcpuStride * layout.pcpus },
    { name: 'queues', start: layout.queueByte, bytes: layout.queueStride * layout.pcpus },
    { name: 'vms', start: layout.vmByte, bytes: LINE_BYTES * layout.vms.length },
    { name: 'vcpus', start: layout.vcpuByte, bytes: layout.vcpuStride * layout.vcpus },
    { name: 'locks', start: layout.lockByte, bytes: LINE_BYTES * layout.locks },
    { name: 'memory', start: layout.memoryByte, bytes: LINE_BYTES * layout.locks },
  ];
}

describe.each(SHAPES)('layout of $name', ({ config }) => {
  const layout = new Layout(config);

  it('starts every region on a 64-byte line', () => {
    for (const r of regions(layout)) expect(r.start % LINE_BYTES, r.name).toBe(0);
  });

  it('places the regions in order, without overlap, ending at totalBytes', () => {
    const rs = regions(layout);
    for (let i = 1; i < rs.length; i++) expect(rs[i]!.start, `${rs[i]!.name} after ${rs[i - 1]!.name}`).toBe(rs[i - 1]!.start + rs[i - 1]!.bytes);
    const last = rs[rs.length - 1]!;
    expect(last.start + last.bytes).toBe(layout.totalBytes);
  });

  it('uses strides that are whole lines', () => {
    for (const stride of [layout.pcpuStride, layout.queueStride, layout.vcpuStride]) expect(stride % LINE_BYTES).toBe(0);
  });

  it('fits each block inside its stride', () => {
    // pCPU block: sleep line, then counters.
    expect(Layout.PCPU_COUNTERS_BYTE + PCPU_COUNTERS.length * 8).toBeLessThanOrEqual(layout.pcpuStride);
    // Queue: enqueue line, dequeue line, then (seq, value) cells.
    expect(QUEUE.cells * 4 + layout.queueCapacity * 8).toBeLessThanOrEqual(layout.queueStride);
    // vCPU block: shared line, context line, MCS line, time scratch, counters, histograms, in order.
    expect(Object.keys(VCPU_SHARED).length * 4).toBeLessThanOrEqual(LINE_BYTES);
    expect(Object.keys(VCPU_CTX).length * 4).toBeLessThanOrEqual(LINE_BYTES);
    expect(Object.keys(VCPU_MCS).length * 4).toBeLessThanOrEqual(LINE_BYTES);
    expect(Layout.VCPU_TIME_BYTE + Object.keys(VCPU_TIME).length * 8).toBeLessThanOrEqual(Layout.VCPU_COUNTERS_BYTE);
    expect(Layout.VCPU_COUNTERS_BYTE + VCPU_COUNTERS.length * 8).toBeLessThanOrEqual(Layout.VCPU_HIST_BYTE);
    expect(Layout.VCPU_HIST_BYTE + HISTOGRAMS.length * HISTOGRAM_BUCKETS * 8).toBeLessThanOrEqual(layout.vcpuStride);
    // Lock words on the lock's line.
    expect((Math.max(...Object.values(LOCK_WORD)) + 1) * 4).toBeLessThanOrEqual(LINE_BYTES);
  });

  it('gives every pCPU, vCPU, lock and VM a distinct base inside the buffer', () => {
    const bases: number[] = [];
    const inBuffer = (byte: number, bytes: number) => {
      expect(byte).toBeGreaterThanOrEqual(0);
      expect(byte + bytes).toBeLessThanOrEqual(layout.totalBytes);
      bases.push(byte);
    };
    for (let p = 0; p < layout.pcpus; p++) {
      inBuffer(layout.pcpuSleepWord(p) * 4, 4);
      inBuffer(layout.pcpuCounterBase(p) * 8, PCPU_COUNTERS.length * 8);
      inBuffer(layout.queueBase(p) * 4, QUEUE.cells * 4 + layout.queueCapacity * 8);
    }
    for (const vm of layout.vms) inBuffer(layout.vmSharedBase(vm.index) * 4, 4);
    for (let v = 0; v < layout.vcpus; v++) {
      inBuffer(layout.vcpuSharedBase(v) * 4, LINE_BYTES);
      inBuffer(layout.vcpuCtxBase(v) * 4, LINE_BYTES);
      inBuffer(layout.vcpuMcsBase(v) * 4, LINE_BYTES);
      inBuffer(layout.vcpuTimeBase(v) * 8, Object.keys(VCPU_TIME).length * 8);
      inBuffer(layout.vcpuCounterBase(v) * 8, VCPU_COUNTERS.length * 8);
      for (let h = 0; h < HISTOGRAMS.length; h++) inBuffer(layout.vcpuHistogramBase(v, h) * 8, HISTOGRAM_BUCKETS * 8);
    }
    for (let l = 0; l < layout.locks; l++) {
      inBuffer(layout.lockBase(l) * 4, LINE_BYTES);
      inBuffer(layout.guestMemory(l) * 8, 8);
    }
    expect(new Set(bases).size).toBe(bases.length);
  });

  it('puts hot words written by different threads on different lines', () => {
    const owners = new Map<number, string>();
    const claim = (line: number, what: string) => {
      expect(owners.get(line), `${what} shares line ${line} with ${owners.get(line)}`).toBeUndefined();
      owners.set(line, what);
    };
    for (const word of Object.values(CTRL)) claim(lineOfI32(layout.controlWord(word)), `control ${word}`);
    claim(lineOfF64(layout.controlF64(0)), 'control f64');
    for (let p = 0; p < layout.pcpus; p++) {
      // The sleep word is written by wakers; the counters only by the pCPU itself.
      claim(lineOfI32(layout.pcpuSleepWord(p) + PCPU_SHARED.sleep), `pcpu ${p} sleep`);
      claim(lineOfF64(layout.pcpuCounterBase(p)), `pcpu ${p} counters`);
      claim(lineOfI32(layout.queueBase(p) + QUEUE.enqueuePos), `queue ${p} enqueue`);
      claim(lineOfI32(layout.queueBase(p) + QUEUE.dequeuePos), `queue ${p} dequeue`);
      claim(lineOfI32(layout.queueBase(p) + QUEUE.cells), `queue ${p} first cell`);
    }
    for (const vm of layout.vms) claim(lineOfI32(layout.vmSharedBase(vm.index)), `vm ${vm.index}`);
    for (let v = 0; v < layout.vcpus; v++) {
      claim(lineOfI32(layout.vcpuSharedBase(v) + VCPU_SHARED.state), `vcpu ${v} state`);
      expect(lineOfI32(layout.vcpuSharedBase(v) + VCPU_SHARED.onCpu)).toBe(lineOfI32(layout.vcpuSharedBase(v)));
      claim(lineOfI32(layout.vcpuCtxBase(v)), `vcpu ${v} context`);
      expect(lineOfI32(layout.vcpuCtxBase(v) + Object.keys(VCPU_CTX).length - 1)).toBe(lineOfI32(layout.vcpuCtxBase(v)));
      claim(lineOfI32(layout.vcpuMcsBase(v) + VCPU_MCS.next), `vcpu ${v} mcs node`);
      expect(lineOfI32(layout.vcpuMcsBase(v) + VCPU_MCS.locked)).toBe(lineOfI32(layout.vcpuMcsBase(v)));
      claim(lineOfF64(layout.vcpuTimeBase(v)), `vcpu ${v} time`);
    }
    for (let l = 0; l < layout.locks; l++) {
      claim(lineOfI32(layout.lockBase(l) + LOCK_WORD.a), `lock ${l}`);
      expect(lineOfI32(layout.lockBase(l) + LOCK_WORD.b)).toBe(lineOfI32(layout.lockBase(l)));
      claim(lineOfF64(layout.guestMemory(l)), `memory ${l}`);
    }
  });

  it('sizes each run queue to a power of two of at least twice the vCPUs', () => {
    const cap = layout.queueCapacity;
    expect(Number.isInteger(Math.log2(cap))).toBe(true);
    expect(cap).toBeGreaterThanOrEqual(2 * layout.vcpus);
  });

  it('numbers vCPUs and locks contiguously per VM', () => {
    let vcpu = 0;
    let lock = 0;
    layout.vms.forEach((vm, i) => {
      expect(vm.firstVcpu).toBe(vcpu);
      expect(vm.firstLock).toBe(lock);
      expect(vm.vcpus).toBe(config.vms[i]!.vcpus);
      for (let v = vm.firstVcpu; v < vm.firstVcpu + vm.vcpus; v++) expect(layout.vmOfVcpu[v]).toBe(i);
      vcpu += vm.vcpus;
      lock += vm.locks;
    });
    expect(layout.vcpus).toBe(vcpu);
    expect(layout.locks).toBe(lock);
  });
});

describe('Machine', () => {
  const small = config(2, [{ vcpus: 3, locks: 2 }]);

  it('allocates a buffer of exactly totalBytes', () => {
    const machine = Machine.allocate(small);
    expect(machine.buffer.byteLength).toBe(machine.layout.totalBytes);
    expect(machine.i32.length).toBe(machine.layout.totalBytes / 4);
    expect(machine.f64.length).toBe(machine.layout.totalBytes / 8);
  });

  it('attaches to a buffer of the right size and sees the same memory', () => {
    const machine = Machine.allocate(small);
    const other = Machine.attach(small, machine.buffer);
    machine.i32[machine.layout.lockBase(1)] = 42;
    expect(other.i32[other.layout.lockBase(1)]).toBe(42);
  });

  it('rejects a buffer that is too small or too large', () => {
    const bytes = new Layout(small).totalBytes;
    expect(() => Machine.attach(small, new SharedArrayBuffer(bytes - LINE_BYTES))).toThrow(/layout needs/);
    expect(() => Machine.attach(small, new SharedArrayBuffer(bytes + LINE_BYTES))).toThrow(/layout needs/);
  });

  it('rejects the buffer of a different scenario', () => {
    const bigger = Machine.allocate(config(2, [{ vcpus: 4, locks: 2 }]));
    expect(() => Machine.attach(small, bigger.buffer)).toThrow(/layout needs/);
  });
});

describe('the largest scenario', () => {
  // 256 pCPUs and 4096 vCPUs (4 VMs of the per-VM maximum), each VM with the most locks.
  const vms = MAX_TOTAL_VCPUS / MAX_VCPUS_PER_VM;
  const largest = config(
    MAX_PCPUS,
    Array.from({ length: vms }, () => ({ vcpus: MAX_VCPUS_PER_VM, locks: 4096 })),
  );

  it('is a valid scenario of 256 pCPUs and 4096 vCPUs', () => {
    expect(largest.pcpus).toBe(256);
    expect(largest.vms.reduce((s, vm) => s + vm.vcpus, 0)).toBe(4096);
  });

  it('fits a typed array and can be allocated', () => {
    const layout = new Layout(largest);
    expect(layout.totalBytes).toBeLessThanOrEqual(2 ** 31);
    expect(layout.queueCapacity).toBeGreaterThanOrEqual(2 * 4096);
    const machine = Machine.allocate(largest);
    expect(machine.buffer.byteLength).toBe(layout.totalBytes);
    // The last vCPU's last histogram bucket and the last lock's memory word are inside the buffer.
    expect(layout.vcpuHistogramBase(4095, HISTOGRAMS.length - 1) + HISTOGRAM_BUCKETS).toBeLessThanOrEqual(machine.f64.length);
    expect(layout.guestMemory(layout.locks - 1)).toBeLessThan(machine.f64.length);
  });

  it('keeps the highest pCPU id in the vCPU state word', () => {
    const word = runningOn(MAX_PCPUS - 1);
    expect(stateCode(word)).toBe(VCPU_STATE.RUNNING);
    expect(pcpuOf(word)).toBe(MAX_PCPUS - 1);
  });
});
