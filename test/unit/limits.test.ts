/**
 * The schema's limits and the memory they imply: the largest scenario they allow is valid, one
 * past any of them is refused, and the shared buffer of the largest scenario (the layout's own
 * arithmetic, src/shm/layout.ts) is the figure docs/cli.md's "Limits and hostile input" gives.
 */
import { describe, expect, it } from 'vitest';
import { MAX_PCPUS, MAX_TOTAL_VCPUS, MAX_VCPUS_PER_VM, MAX_VMS, parseScenario, SCHEDULER_POLICIES, type SchedulerPolicy } from '../../src/config/schema.js';
import { Layout } from '../../src/shm/layout.js';

/** The schema's locks-per-VM limit (not exported: nothing else needs it). */
const MAX_LOCKS = 4096;

/** The largest machine: every pCPU, every VM, every vCPU the total allows, every lock. */
function largest(policy: SchedulerPolicy, change: Record<string, unknown> = {}) {
  const vcpus = MAX_TOTAL_VCPUS / MAX_VMS;
  const vms = Array.from({ length: MAX_VMS }, (_, i) => ({ name: `vm${i}`, vcpus, workload: { locks: MAX_LOCKS } }));
  return { pcpus: MAX_PCPUS, scheduler: { policy }, vms, ...change };
}

describe('limits', () => {
  it('the largest scenario the limits allow is valid; its shared buffer is 136.9 MiB, under credit (3 run queues per pCPU)', () => {
    const bytes = Object.fromEntries(SCHEDULER_POLICIES.map((policy) => [policy, new Layout(parseScenario(largest(policy))).totalBytes]));
    console.log(`shared buffer of the largest scenario, bytes: ${JSON.stringify(bytes)}`);
    const most = Math.max(...Object.values(bytes));
    expect(bytes.credit).toBe(most);
    expect((most / 2 ** 20).toFixed(1)).toBe('136.9');
    // rr, balance and cosched: one run queue per pCPU; global-lock: one for the machine.
    expect((bytes.rr! / 2 ** 20).toFixed(1)).toBe('72.8');
    expect((bytes['global-lock']! / 2 ** 20).toFixed(1)).toBe('40.9');
  });

  it('one past any limit is refused, naming the field', () => {
    const refused = (input: unknown) => () => parseScenario(input);
    expect(refused(largest('rr', { pcpus: MAX_PCPUS + 1 }))).toThrow(/^pcpus: Too big: expected number to be <=256$/);
    const vm = (name: string, vcpus: number, locks = 1) => ({ name, vcpus, workload: { locks } });
    expect(refused({ vms: Array.from({ length: MAX_VMS + 1 }, (_, i) => vm(`v${i}`, 1)) })).toThrow(/^vms: Too big: expected array to have <=64 items$/);
    expect(refused({ vms: [vm('a', MAX_VCPUS_PER_VM + 1)] })).toThrow(/^vms\[0\]\.vcpus: Too big: expected number to be <=1024$/);
    expect(refused({ vms: [...Array.from({ length: 4 }, (_, i) => vm(`v${i}`, MAX_VCPUS_PER_VM)), vm('one-more', 1)] })).toThrow(
      /^vms: 4097 vCPUs in all; at most 4096$/,
    );
    expect(refused({ vms: [vm('a', 1, MAX_LOCKS + 1)] })).toThrow(/^vms\[0\]\.workload\.locks: Too big: expected number to be <=4096$/);
  });
});
