/** Assertions on run results shared by the integration and property tests. */
import { expect } from 'vitest';
import type { Results } from '../../src/stats/results.js';

/** Every self-check passed, each failure named with its detail. */
export function expectAllChecksOk(results: Results): void {
  for (const check of results.selfChecks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
  expect(results.ok).toBe(true);
}

export const sum = <T>(items: readonly T[], f: (item: T) => number) => items.reduce((s, x) => s + f(x), 0);
