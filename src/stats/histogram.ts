/** Summaries of the log2 histograms kept in the buffer (events.ts: bucket b holds [2^b - 1, 2^(b+1) - 1)). */
import { HISTOGRAM_BUCKETS } from '../events/table.js';

export interface HistogramSummary {
  /** Values recorded. */
  readonly count: number;
  /** Upper bound of the bucket holding the median / 99th percentile (0 when empty). */
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Counts per bucket, trailing empty buckets dropped. */
  readonly buckets: number[];
}

/** Upper bound (exclusive) of bucket b. */
const bucketUpperBound = (b: number): number => 2 ** (b + 1) - 1;

export function summarize(buckets: ArrayLike<number>): HistogramSummary {
  let count = 0;
  let last = -1;
  for (let b = 0; b < HISTOGRAM_BUCKETS; b++) {
    count += buckets[b]!;
    if (buckets[b]! > 0) last = b;
  }
  const quantile = (q: number): number => {
    if (count === 0) return 0;
    const rank = q * count;
    let seen = 0;
    for (let b = 0; b < HISTOGRAM_BUCKETS; b++) {
      seen += buckets[b]!;
      if (seen >= rank) return bucketUpperBound(b);
    }
    return bucketUpperBound(HISTOGRAM_BUCKETS - 1);
  };
  return {
    count,
    p50: quantile(0.5),
    p99: quantile(0.99),
    max: last < 0 ? 0 : bucketUpperBound(last),
    buckets: Array.from({ length: last + 1 }, (_, b) => buckets[b]!),
  };
}
