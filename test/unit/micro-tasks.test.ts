/**
 * The micro-benchmarks (bench/micro) as a library: every task's untimed check passes (each
 * batch does what its name says), and runMicro returns well-formed rows. No timing is asserted.
 */
import { describe, expect, it } from 'vitest';
import { microTaskNames, microTasks, runMicro } from '../../bench/micro/run.js';
import type { MicroRow } from '../../bench/suite/model.js';

/** Every field of MicroRow; the Record type makes the compiler flag a field added or dropped. */
const ROW_FIELDS: Record<keyof MicroRow, true> = {
  name: true,
  unit: true,
  batch: true,
  nsP50: true,
  nsP99: true,
  nsMean: true,
  nsMin: true,
  nsMax: true,
  opsP50: true,
  samples: true,
  batchUsP50: true,
  rme: true,
};
const FIGURES = ['batch', 'nsP50', 'nsP99', 'nsMean', 'nsMin', 'nsMax', 'opsP50', 'samples', 'batchUsP50'] as const;

describe('micro-benchmark tasks', () => {
  it('have unique names and include the steal, hypercall and counter benchmarks', () => {
    const names = microTaskNames();
    expect(new Set(names).size).toBe(names.length);
    expect(names.filter((n) => n.startsWith('run queue: steal'))).toHaveLength(1);
    expect(names.filter((n) => n.startsWith('hypercall notify:'))).toHaveLength(2);
    expect(names.filter((n) => n.startsWith('counter:'))).toHaveLength(2);
  });

  it('every check passes', () => {
    for (const task of microTasks()) {
      expect(() => task.check(), task.name).not.toThrow();
      expect(task.batch, task.name).toBeGreaterThan(0);
    }
  });

  it('runMicro returns one row per selected task with positive finite figures', async () => {
    const report = await runMicro({ filter: 'HYPERCALL', timeMs: 5 });
    expect(report.rows.map((r) => r.name)).toEqual(microTaskNames('hypercall'));
    for (const row of report.rows) {
      expect(Object.keys(row).sort()).toEqual(Object.keys(ROW_FIELDS).sort());
      for (const field of FIGURES) {
        expect(Number.isFinite(row[field]), `${row.name} ${field}`).toBe(true);
        expect(row[field], `${row.name} ${field}`).toBeGreaterThan(0);
      }
      expect(row.nsMin).toBeLessThanOrEqual(row.nsP50);
      expect(row.nsP50).toBeLessThanOrEqual(row.nsMax);
      expect(Number.isFinite(row.rme)).toBe(true);
    }
    expect(report.timeMs).toBe(5);
    expect(report.nativeSpeed).toBeNull();
    expect(report.switchCost).toBeNull();
    expect(report.timer.grainNs).toBeGreaterThan(0);
  });

  it('runMicro fills the native-speed and switch figures when their tasks run', async () => {
    const report = await runMicro({ filter: 'native speed', timeMs: 5 });
    expect(report.rows).toHaveLength(2);
    expect(report.nativeSpeed?.ratio).toBeGreaterThan(0);
    const sw = await runMicro({ filter: 'vCPU switch', timeMs: 5 });
    expect(sw.switchCost?.nsP50).toBeGreaterThan(0);
    expect(sw.switchCost?.target).toBe(150);
  });

  it('runMicro rejects a filter that matches nothing, in one line', async () => {
    await expect(runMicro({ filter: 'no such benchmark', timeMs: 5 })).rejects.toThrow(/^micro: filter "no such benchmark" matches no benchmark$/);
  });
});
