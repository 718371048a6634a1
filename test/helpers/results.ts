/** Assertions on run results shared by the integration and property tests. */
import { expect } from 'vitest';
import type { Results } from '../../src/results/results.js';

/** Every self-check passed, each failure named with its detail. */
export function expectAllChecksOk(results: Results): void {
  for (const check of results.selfChecks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
  expect(results.ok).toBe(true);
}

export const sum = <T>(items: readonly T[], f: (item: T) => number) => items.reduce((s, x) => s + f(x), 0);

/** One per-vCPU metric summed over every vCPU of a run. */
export const vcpuTotal = (results: Results, pick: (v: Results['metrics']['vcpus'][number]) => number): number => sum(results.metrics.vcpus, pick);

/** Bare metal on either engine: each vCPU bound to its pCPU for the whole run, no hypervisor at work. */
export function expectBareMetalShape(results: Results): void {
  expect(results.config.mode).toBe('bare');
  for (const v of results.metrics.vcpus) {
    expect(v.slices).toBe(1);
    expect(v.preemptions).toBe(0);
  }
  for (const p of results.metrics.pcpus) {
    expect(p.hvNs).toBe(0);
    expect(p.idleNs).toBe(0);
  }
}
