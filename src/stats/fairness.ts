/** Jain's fairness index: (Σx)² / (n·Σx²); 1 when all equal, 1/n when one gets everything. */
export function jainIndex(values: readonly number[]): number {
  let sum = 0;
  let squares = 0;
  for (const x of values) {
    sum += x;
    squares += x * x;
  }
  if (values.length === 0 || squares === 0) return 1;
  return (sum * sum) / (values.length * squares);
}
