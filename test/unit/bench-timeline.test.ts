/**
 * The case pair the bench traces for its report's timeline (bench/groups/timeline/cases.ts): what is
 * chosen, not what it draws (test/e2e/timeline.test.ts draws it in a browser).
 */
import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config/schema.js';
import { MECHANISMS } from '../../src/config/mechanisms.js';
import { timelineCases } from '../../bench/groups/timeline/cases.js';

/** A config without what a mechanism sets (the lock of each VM's workload, its wait policy). */
function withoutMechanism(config: Config): unknown {
  return { ...config, vms: config.vms.map(({ policy: _policy, workload: { lock: _lock, ...workload }, ...vm }) => ({ ...vm, workload })) };
}

describe('the bench report timeline case pair', () => {
  const cases = timelineCases();

  it('pairs a naive mechanism of the matrix with a halting (pv) one', () => {
    expect(MECHANISMS).toContain(cases.naive.mechanism);
    expect(MECHANISMS).toContain(cases.enlightened.mechanism);
    expect(cases.naive.mechanism.policy).toBe('naive');
    expect(cases.enlightened.mechanism.policy).toMatch(/^pv-halt/);
    expect(cases.naive.config.vms[0]!.policy).toBe('naive');
    expect(cases.enlightened.config.vms[0]!.workload.lock).toBe(cases.enlightened.mechanism.lock);
    expect([cases.naive.label, cases.enlightened.label]).toEqual(['qspinlock · naive', 'unfair-queued · pv-halt']);
  });

  it('runs both on one scenario, seed and machine that differ only in the lock and its wait policy', () => {
    expect(withoutMechanism(cases.enlightened.config)).toEqual(withoutMechanism(cases.naive.config));
    expect(cases.enlightened.scenario).toBe(cases.naive.scenario);
  });

  it('runs one VM at 2× overcommit on the deterministic virtual engine', () => {
    const { config } = cases.naive;
    expect(config.engine).toBe('virtual');
    expect(config.mode).toBe('virtualized');
    expect(config.vms).toHaveLength(1);
    expect(config.vms[0]!.vcpus).toBe(2 * config.pcpus);
  });

  it('traces a few ms in the middle of a short run, after the first slice end', () => {
    const [fromMs, toMs] = cases.windowMs;
    const { durationMs, scheduler } = cases.naive.config;
    expect(fromMs).toBeGreaterThan(scheduler.sliceUs / 1000);
    expect(toMs).toBeLessThan(durationMs);
    expect(toMs - fromMs).toBeLessThanOrEqual(10);
    expect(durationMs).toBeLessThanOrEqual(50);
  });
});
