/** Reproductions of published results: the shipped files, the file schema's one-line errors, the verdict and a row's ratio. */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/schema.js';
import { listReproductions, loadReproduction, parseReproduction, reproductionNames } from '../../src/reproduce/file.js';
import { reproduceRow, runConfig, type ReproducedRun } from '../../src/reproduce/run.js';
import { judge } from '../../src/reproduce/verdict.js';

/** A minimal valid file: one run, one share row. */
function minimalFile(): Record<string, unknown> {
  return {
    title: 'steal',
    source: { citation: 'someone, somewhere', url: 'https://example.org/post' },
    setup: 'a setup',
    scaling: 'a scaling',
    claim: 'a claim',
    scenario: 'uncontended',
    runs: [{ id: 'a', label: 'run a', overrides: { pcpus: 1, vms: 2, vcpus: 1 } }],
    rows: [{ label: 'steal', kind: 'share', published: { value: 0.5, unit: 'share' }, run: 'a', metric: 'stealFraction' }],
    notes: 'notes',
  };
}

/** The one-line message of the ConfigError `f` throws. */
function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('shipped reproductions', () => {
  it('validate, each with a link to its source and every row naming a run it has', () => {
    const repros = listReproductions();
    expect(repros.map((r) => r.name)).toEqual(['hyperv-ws2008-scaling', 'steal-time-2x', 'waiman-long-qspinlock-2015', 'wanpeng-li-boost-2019']);
    for (const repro of repros) {
      expect(repro.source.url).toMatch(/^https?:\/\//);
      const ids = repro.runs.map((r) => r.id);
      for (const row of repro.rows) expect(ids).toContain(row.run);
    }
  });

  it('build a valid scenario for every run on the virtual engine by default', () => {
    for (const repro of listReproductions())
      for (const run of repro.runs) expect(runConfig(repro, run.overrides, {}).engine, `${repro.name}/${run.id}`).toBe('virtual');
  });

  it("record Waiman Long's Westmere-EX times in seconds as the posting prints them", () => {
    const repro = loadReproduction('waiman-long-qspinlock-2015');
    const row = repro.rows.find((r) => r.run === 'pvticket-v48')!;
    expect(row.published).toMatchObject({ value: 807.6, baseline: 302, unit: 's', quote: '13m27.6s vs 5m02.0s' });
  });
});

describe('a bad reproduction file', () => {
  it('names a row whose run does not exist, in one line', () => {
    const file = minimalFile();
    (file.rows as Record<string, unknown>[])[0]!.run = 'nope';
    const message = errorOf(() => parseReproduction(file, 'bad', 'reproductions/bad.json'));
    expect(message).toBe('reproductions/bad.json: rows[0].run: no run "nope" (runs: a)');
  });

  it('names a missing source link', () => {
    const file = minimalFile();
    file.source = { citation: 'someone' };
    expect(errorOf(() => parseReproduction(file, 'bad'))).toBe('bad: source.url: missing (expected string)');
  });

  it('refuses a slowdown that compares shares, naming the metric', () => {
    const file = minimalFile();
    file.runs = [...(file.runs as unknown[]), { id: 'b', label: 'run b' }];
    file.rows = [{ label: 'x', kind: 'slowdown', published: { value: 2, baseline: 1, unit: 's' }, run: 'a', baselineRun: 'b', metric: 'stealFraction' }];
    expect(errorOf(() => parseReproduction(file, 'bad'))).toMatch(/^bad: rows\[0\]\.metric: a slowdown compares throughputs/);
  });

  it('names a bad field of an inline scenario by its path', () => {
    const file = minimalFile();
    file.scenario = { pcpus: 0, vms: [{ name: 'g', vcpus: 1 }] };
    expect(errorOf(() => parseReproduction(file, 'bad'))).toMatch(/^bad: scenario\.pcpus: /);
  });

  it('is refused by name when it does not ship, listing those that do', () => {
    expect(errorOf(() => loadReproduction('nope'))).toBe(`unknown reproduction "nope" (available: ${reproductionNames().join(', ')})`);
  });
});

describe('the verdict', () => {
  it('agrees when both ratios go up by effects within 10× of each other', () => {
    expect(judge('slowdown', 2.67, 6.33, 0.05)).toEqual({ publishedDirection: 'up', simulatedDirection: 'up', direction: true, magnitude: true });
  });

  it('disagrees in direction when one goes up and the other stays within the tolerance', () => {
    const v = judge('slowdown', 1.39, 1.04, 0.05);
    expect(v).toMatchObject({ publishedDirection: 'up', simulatedDirection: 'flat', direction: false, magnitude: false });
  });

  it('disagrees in direction when one goes down and the other up', () => {
    expect(judge('slowdown', 0.78, 1.38, 0.05)).toMatchObject({ publishedDirection: 'down', simulatedDirection: 'up', direction: false });
  });

  it('disagrees in order of magnitude when one effect is more than 10× the other', () => {
    // +100% against +1000%: the same direction, a factor of 10 apart is still agreement, 11 is not.
    expect(judge('speedup', 2, 11, 0.05)).toMatchObject({ direction: true, magnitude: true });
    expect(judge('speedup', 2, 12.5, 0.05)).toMatchObject({ direction: true, magnitude: false });
  });

  it('treats a speed-up of 0.5× as the mirror of a slowdown of 2×', () => {
    expect(judge('speedup', 0.5, 0.25, 0.05)).toMatchObject({ publishedDirection: 'down', simulatedDirection: 'down', magnitude: true });
    expect(judge('speedup', 0.5, 1 / 30, 0.05)).toMatchObject({ direction: true, magnitude: false });
  });

  it('agrees when both are flat (a VM that scales like the machine)', () => {
    expect(judge('speedup', 1, 1.01, 0.05)).toMatchObject({ publishedDirection: 'flat', simulatedDirection: 'flat', direction: true, magnitude: true });
  });

  it('compares a share with its published value, 0 being no effect', () => {
    expect(judge('share', 0.5, 0.48, 0.05)).toMatchObject({ direction: true, magnitude: true });
    expect(judge('share', 0.5, 0.01, 0.05)).toMatchObject({ simulatedDirection: 'flat', direction: false });
  });

  it('agrees with nothing when the simulated ratio is not a number', () => {
    expect(judge('slowdown', 2, Number.NaN, 0.05)).toMatchObject({ direction: false, magnitude: false });
  });
});

describe('a reproduced row', () => {
  const run = (acq: number): Pick<ReproducedRun, 'metrics'> => {
    const m = { all: acq, vmMean: acq / 2 };
    return { metrics: { acquisitionsPerSec: m, workUnitsPerSec: m, stealFraction: { all: 0.5, vmMean: 0.5 }, spinFraction: { all: 0, vmMean: 0 } } };
  };
  const runs = new Map([
    ['fast', run(300)],
    ['slow', run(100)],
  ]);

  it("takes a slowdown as the baseline run's throughput over the run's (the time to do the same work)", () => {
    const row = reproduceRow(
      {
        label: 'x',
        kind: 'slowdown',
        published: { value: 6, baseline: 2, unit: 's' },
        run: 'slow',
        baselineRun: 'fast',
        metric: 'acquisitionsPerSec',
        scope: 'vm-mean',
      },
      runs,
      0.05,
    );
    expect(row.published.ratio).toBe(3);
    expect(row.simulated).toEqual({ value: 50, baseline: 150, ratio: 3 });
    expect(row.verdict.magnitude).toBe(true);
  });

  it("takes a speed-up as the run's throughput over the baseline run's", () => {
    const row = reproduceRow(
      {
        label: 'x',
        kind: 'speedup',
        published: { value: 2, baseline: 1, unit: 'records/s' },
        run: 'slow',
        baselineRun: 'fast',
        metric: 'acquisitionsPerSec',
        scope: 'all',
      },
      runs,
      0.05,
    );
    expect(row.simulated.ratio).toBeCloseTo(1 / 3);
    expect(row.verdict.direction).toBe(false);
  });
});
