/**
 * `npm run bench` as a user meets it: the bench's build (dist/bench/main.js) in a child process, on small
 * filtered plans (--quick, at most 2 pCPUs), writing results, a baseline, an HTML report and
 * shards; and bad input refused with one line and exit 2 before anything runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SUITE_FORMAT, type SuiteResults } from '../../bench/suite/model.js';
import { SYSTEMS } from '../../src/config/systems.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-bench-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function bench(...args: string[]): Outcome {
  const child = spawnSync(process.execPath, ['dist/bench/main.js', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

const read = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as SuiteResults;

/** Exit 2, exactly one line on stderr, no stack trace. */
function expectUsageError(outcome: Outcome, pattern: RegExp): void {
  expect(outcome.code).toBe(2);
  const lines = outcome.stderr.trimEnd().split('\n');
  expect(lines, outcome.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^bench: /);
  expect(lines[0]).toMatch(pattern);
  expect(outcome.stderr).not.toMatch(/\n\s+at /);
}

describe('npm run bench', () => {
  describe('a filtered quick plan, saved as a baseline', () => {
    const json = join(tmp, 'results.json');
    const html = join(tmp, 'report.html');
    const baseline = join(tmp, 'baseline.json');
    const filters = [
      '--filter',
      'scaling/threads/uncontended',
      '--filter',
      'overcommit/threads/contended/ttas/notify/vms/2x',
      '--filter',
      'sweep/threads/contended/slice-us/100',
      '--filter',
      'micro/counter',
    ];

    // The run both tests need: the first checks what it wrote, the second compares a new run with its baseline.
    let outcome: Outcome;
    beforeAll(() => {
      outcome = bench('--quick', ...filters, '--json', json, '--html', html, '--save-baseline', baseline);
      expect(outcome.code, outcome.stderr).toBe(0);
    });

    it('writes the results, a baseline and the HTML report', () => {
      const results = read(json);
      expect(results.format).toBe(SUITE_FORMAT);
      expect(results.cases.map((c) => c.id)).toEqual([
        'scaling/threads/uncontended/bare/p1',
        'scaling/threads/uncontended/vm/p1',
        'scaling/threads/uncontended/bare/p2',
        'scaling/threads/uncontended/vm/p2',
        'overcommit/threads/contended/ttas/notify/vms/2x',
        'sweep/threads/contended/slice-us/100',
      ]);
      expect(results.cases.find((c) => c.group === 'overcommit')!.params).toMatchObject({ lock: 'ttas', policy: 'notify', vms: 2, vcpusPerVm: 2 });
      expect(results.cases.every((c) => c.runs.length === 1 && c.runs[0]!.ok)).toBe(true);
      expect(results.micro?.rows.map((r) => r.name).every((n) => n.startsWith('counter'))).toBe(true);
      expect(read(baseline)).toEqual(results);
      expect(readFileSync(html, 'utf8')).toContain('<svg');
      // Not a terminal: one plain progress line per job, on stderr.
      expect(outcome.stderr).toContain('[1/7] micro');
      expect(outcome.stderr).toContain('[7/7] sweep/threads/contended/slice-us/100');
      expect(outcome.stdout).toContain('Scaling, threads engine, uncontended workload');
      expect(outcome.stdout).toMatch(/^ttas · notify\n {2}VMs +2× +2×2 /m);
      expect(outcome.stdout).toContain('Self-checks: every run passed every self-check.');
    });

    it('compares a run with the baseline, metric by metric', () => {
      const again = bench('--quick', ...filters, '--json', join(tmp, 'again.json'), '--baseline', baseline);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain('Against the baseline');
      expect(again.stdout).toMatch(/scaling\/threads\/uncontended\/vm\/p2\s+[+−±]\d/);
      expect(again.stdout).toMatch(/change\(s\) beyond the spread/);
    });
  });

  it('compares rr and global-lock in a quick run: 2 and 16 virtual pCPUs at 100 µs slices, a table and a claim', () => {
    const json = join(tmp, 'schedulers.json');
    const outcome = bench('--quick', '--engine', 'virtual', '--filter', 'schedulers', '--json', json);
    expect(outcome.code, outcome.stderr).toBe(0);
    const results = read(json);
    expect(results.cases.map((c) => c.id)).toEqual([
      'schedulers/virtual/rr/p2/s100',
      'schedulers/virtual/global-lock/p2/s100',
      'schedulers/virtual/rr/p16/s100',
      'schedulers/virtual/global-lock/p16/s100',
    ]);
    // Only global-lock waits for a lock, and its hypervisor share is the larger.
    const byId = new Map(results.cases.map((c) => [c.id, c.metrics]));
    for (const p of [2, 16]) {
      const rr = byId.get(`schedulers/virtual/rr/p${p}/s100`)!;
      const gl = byId.get(`schedulers/virtual/global-lock/p${p}/s100`)!;
      expect(rr.globalLockFraction.median).toBe(0);
      expect(gl.globalLockSpins.median).toBeGreaterThan(0);
      expect(gl.hvFraction.median).toBeGreaterThan(rr.hvFraction.median);
    }
    expect(outcome.stdout).toContain('Schedulers, virtual engine: rr (lock-free per-pCPU run queues) against global-lock');
    expect(outcome.stdout.replace(/\n/g, ' ')).toMatch(
      /Schedulers \(virtual\): global-lock costs \d+\.\d{3} points of hv % more than rr at 2 pCPUs, 100 µs slices; \d+\.\d{3} points at 16/,
    );
  });

  it('runs every named system at 2x on the contended preset in a quick run, bare metal once, and tables them against it', () => {
    const json = join(tmp, 'systems.json');
    const outcome = bench('--quick', '--engine', 'virtual', '--filter', 'systems', '--json', json);
    expect(outcome.code, outcome.stderr).toBe(0);
    const results = read(json);
    expect(results.cases.map((c) => c.id)).toEqual(
      SYSTEMS.map((s) => (s.mode === 'bare' ? `systems/virtual/contended/${s.name}` : `systems/virtual/contended/${s.name}/2x`)),
    );
    expect(results.cases.every((c) => c.group === 'systems' && c.runs.every((r) => r.ok))).toBe(true);
    // Bare metal is one VM of one vCPU per pCPU; every other system two VMs of 16 vCPUs on 16 pCPUs.
    expect(results.cases.map((c) => c.vms.length)).toEqual(SYSTEMS.map((s) => (s.mode === 'bare' ? 1 : 2)));
    const text = outcome.stdout.replace(/\n/g, ' ');
    expect(text).toContain('Systems, virtual engine, contended workload, 16 pCPUs, against bare metal (');
    expect(text).toMatch(/At 2× overcommit the best is [a-z0-9-]+ \(\d+\.\d{2}× bare metal's throughput\) and the worst [a-z0-9-]+ \(\d+\.\d{2}×\)/);
  });

  it('splits a plan into shards that merge back into the whole', () => {
    const filter = ['--quick', '--engine', 'virtual', '--filter', 'scaling/virtual/uncontended'];
    const whole = bench(...filter, '--list');
    const ids = whole.stdout
      .split('\n')
      .filter((l) => l.startsWith('scaling/'))
      .map((l) => l.split(/\s+/)[0]);
    for (const index of [1, 2]) expect(bench(...filter, '--shard', `${index}/2`, '--json', join(tmp, `s${index}.json`)).code).toBe(0);
    const [s1, s2] = [read(join(tmp, 's1.json')), read(join(tmp, 's2.json'))];
    expect(s1.cases.length).toBeGreaterThan(0);
    expect(s2.cases.length).toBeGreaterThan(0);
    const merged = bench('merge', join(tmp, 's1.json'), join(tmp, 's2.json'), '--json', join(tmp, 'merged.json'));
    expect(merged.code, merged.stderr).toBe(0);
    expect(read(join(tmp, 'merged.json')).cases.map((c) => c.id)).toEqual(ids);
    expectUsageError(bench('merge', join(tmp, 's1.json'), '--json', join(tmp, 'partial.json')), /merge: shard 2\/2 missing/);
    expect(existsSync(join(tmp, 'partial.json'))).toBe(false);
  });

  const never = join(tmp, 'never.json');
  it.each([
    ['--shard 3/2', ['--shard', '3/2', '--json', never], /--shard: expected i\/n/],
    ['--runs 0', ['--runs', '0', '--json', never], /--runs: expected an integer from 1 to 100, got 0/],
    ['--engine quantum', ['--engine', 'quantum', '--json', never], /--engine: expected one of threads, virtual/],
    ['--filter no-such-case', ['--filter', 'no-such-case', '--json', never], /--filter: "no-such-case" matches no job/],
    ['--baseline of a missing file', ['--baseline', join(tmp, 'missing.json'), '--json', never], /--baseline: cannot read ".*missing.json": ENOENT/],
    ['--html in a missing folder', ['--html', join(tmp, 'no-dir', 'r.html'), '--json', never], /--html: folder ".*no-dir" does not exist/],
    ['--bogus', ['--bogus'], /--bogus: unknown flag/],
  ] as const)('refuses %s with one line and exit 2, before running anything', (_input, args, pattern) => {
    expectUsageError(bench(...args), pattern);
    expect(existsSync(never)).toBe(false);
  });
});
