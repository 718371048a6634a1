/**
 * Recording an event in the statistics, the way the core does it (src/core/pcpu-core.ts): the
 * counters and histograms are f64 slots in the shared buffer, written only by the pCPU that
 * owns the vCPU, so recording is a plain load, add and store, with no atomic operation.
 *
 * Both write shared memory, which consumes the work.
 *
 * - `vCPU counter +1`: `f64[counters + slot] += 1`, with `counters` the vCPU's counter base
 *   from `layout.vcpuCounterBase` (the core caches it at switch-in, as here) and `slot` one of
 *   the vCPU's first 8 counters (`VC.*`), a different one each operation. In a run two
 *   increments of one counter are far apart; here, incrementing one slot back to back would
 *   chain each load on the previous store (store-to-load forwarding plus the add's latency,
 *   3.5 ns a time on the development host) and measure that chain instead. One operation = one
 *   increment: about a nanosecond, so the loop's own cost is a visible part of the figure.
 * - `histogram record`: `f64[layout.vcpuHistogramBase(vcpu, HIST.holdNs) + histogramBucket(v)]
 *   += 1`, the release's hold-time record: the layout call, the log2 bucket of a fractional
 *   nanosecond value (clz32 path), the increment. Values cycle through 4096 hold times spread
 *   log-uniformly over 1 ns-1 ms, so the buckets vary as in a run; reading the value from an
 *   array is part of the operation.
 */
import { HIST, HISTOGRAM_BUCKETS, VCPU_COUNTERS, histogramBucket } from '../../src/events/table.js';
import { type MicroTask, oneVm, startedMachine } from './harness.js';

const COUNTER_BATCH = 131_072;
const HISTOGRAM_BATCH = 16_384;
const VALUES = 4096;
/** Counters the increments rotate over (a power of two, at most the vCPU counters' count). */
const SLOTS = 8;

export function counterTasks(): MicroTask[] {
  const machine = startedMachine(oneVm({ pcpus: 1, vcpus: 1 }));
  const { f64, layout } = machine;
  const vcpu = 0;
  const counters = layout.vcpuCounterBase(vcpu);

  const increments = (ops: number): void => {
    for (let i = 0; i < ops; i++) f64[counters + (i & (SLOTS - 1))]! += 1;
  };

  // Hold times, ns: log-uniform over [1, 1e6], fractional as interpolated times are.
  const values = new Float64Array(VALUES);
  let rng = 0x9e3779b9 | 0;
  for (let i = 0; i < VALUES; i++) {
    rng ^= rng << 13;
    rng ^= rng >>> 17;
    rng ^= rng << 5;
    values[i] = 10 ** (((rng >>> 0) / 2 ** 32) * 6) + 0.25;
  }
  const records = (ops: number): void => {
    for (let i = 0; i < ops; i++) f64[layout.vcpuHistogramBase(vcpu, HIST.holdNs) + histogramBucket(values[i & (VALUES - 1)]!)]! += 1;
  };
  const histogram = (): number[] =>
    Array.from(f64.subarray(layout.vcpuHistogramBase(vcpu, HIST.holdNs), layout.vcpuHistogramBase(vcpu, HIST.holdNs) + HISTOGRAM_BUCKETS));

  return [
    {
      name: 'counter: vCPU counter +1',
      batch: COUNTER_BATCH,
      unit: 'increment',
      run: () => {
        increments(COUNTER_BATCH);
        return COUNTER_BATCH;
      },
      check: () => {
        if (SLOTS > VCPU_COUNTERS.length) throw new Error('counter: more slots than vCPU counters');
        const counts = (): number[] => Array.from(f64.subarray(counters, counters + VCPU_COUNTERS.length));
        const before = counts();
        increments(1000);
        const after = counts();
        // Each of the first SLOTS counters moved by 1000 / SLOTS, the others not at all.
        for (let c = 0; c < VCPU_COUNTERS.length; c++) {
          const expected = c < SLOTS ? 1000 / SLOTS : 0;
          if (after[c]! - before[c]! !== expected)
            throw new Error(`counter: ${VCPU_COUNTERS[c]!.name} moved by ${after[c]! - before[c]!}, expected ${expected}`);
        }
      },
    },
    {
      name: 'counter: histogram record',
      batch: HISTOGRAM_BATCH,
      unit: 'record',
      run: () => {
        records(HISTOGRAM_BATCH);
        return HISTOGRAM_BATCH;
      },
      check: () => {
        // Expected bucket of each value: floor(log2(v + 1)), computed independently of histogramBucket.
        const expected = new Array<number>(HISTOGRAM_BUCKETS).fill(0);
        for (const v of values) expected[Math.min(HISTOGRAM_BUCKETS - 1, Math.floor(Math.log2(v + 1)))]! += 1;
        const before = histogram();
        records(VALUES);
        const after = histogram();
        for (let b = 0; b < HISTOGRAM_BUCKETS; b++)
          if (after[b]! - before[b]! !== expected[b])
            throw new Error(`counter: histogram bucket ${b} moved by ${after[b]! - before[b]!}, expected ${expected[b]}`);
        const used = expected.filter((n) => n > 0).length;
        if (used < 15) throw new Error(`counter: the values fall in only ${used} buckets`);
      },
    },
  ];
}
