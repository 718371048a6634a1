/**
 * `npm run profile` as a user meets it: the built driver (dist/bench/profile.js) profiling a
 * short 2-pCPU run (1.5 s). Profiles are taken of the build: the test setup (test/setup/build.ts) builds
 * dist/ before the run when it is missing or stale.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DRIVER = join(ROOT, 'dist/bench/profile.js');
const ROLES = ['main', 'pcpu-0', 'pcpu-1'];

interface SummaryJson {
  readonly threads: readonly { role: string; top: readonly { name: string; where: string; prof?: number; cpuProf?: number }[] }[];
}

let out: string;
let run: SpawnSyncReturns<string>;

beforeAll(() => {
  if (!existsSync(DRIVER)) throw new Error(`${DRIVER} is missing: the test setup (test/setup/build.ts) should have built it`);
  out = mkdtempSync(join(tmpdir(), 'spinvisor-profile-'));
  // 1500 ms, not less: the shares are of a thread's ticks, and on a busy host (two busy loops beside
  // the suite) a shorter run got fewer ticks than the thread's start, so the step fell under 10%.
  run = spawnSync(process.execPath, [DRIVER, 'uncontended', '--pcpus', '2', '--duration-ms', '1500', '--out', out], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 60_000,
  });
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

const files = (suffix: string) =>
  readdirSync(out)
    .filter((f) => f.endsWith(suffix))
    .sort();
/** The heading and table printed for `role`. */
const section = (role: string) => run.stdout.split(`\n${role} · `)[1]?.split('\n\n').slice(0, 2).join('\n') ?? '';

describe('npm run profile', () => {
  it('runs the scenario under both profilers and exits 0', () => {
    expect(run.stderr).not.toMatch(/^profile: /m);
    expect(run.status).toBe(0);
  });

  it('writes one .cpuprofile per thread, named after its role', () => {
    expect(files('.cpuprofile')).toEqual(ROLES.map((r) => `${r}.cpuprofile`));
    for (const role of ROLES)
      expect((JSON.parse(readFileSync(join(out, `${role}.cpuprofile`), 'utf8')) as { nodes: unknown[] }).nodes.length).toBeGreaterThan(0);
  });

  it('labels each --prof log with its thread, each pCPU by the marker compiled in its own isolate', () => {
    expect(files('.v8.log')).toEqual(ROLES.map((r) => `${r}.v8.log`));
    expect(files('.prof.txt')).toEqual(ROLES.map((r) => `${r}.prof.txt`));
    for (const p of [0, 1]) {
      const log = readFileSync(join(out, `pcpu-${p}.v8.log`), 'utf8');
      expect(log).toMatch(new RegExp(`^code-creation,.*spinvisor_role_pcpu_${p}\\b`, 'm'));
      expect(log).not.toMatch(new RegExp(`^code-creation,.*spinvisor_role_pcpu_${1 - p}\\b`, 'm'));
    }
  });

  it("leaves none of the profilers' raw files behind", () => {
    expect(readdirSync(out).filter((f) => f.startsWith('CPU.') || f.startsWith('isolate-') || f.startsWith('.'))).toEqual([]);
  });

  it('prints a table of top functions for the main thread and each pCPU thread', () => {
    for (const role of ROLES) expect(run.stdout).toMatch(new RegExp(`^${role} · --prof \\d+ ticks.* · --cpu-prof \\d+ samples`, 'm'));
    expect(Math.max(...run.stdout.split('\n').map((l) => l.length))).toBeLessThanOrEqual(100);
  });

  it("finds the simulator's step (the core or the guest) among each pCPU's top functions", () => {
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as SummaryJson;
    for (const role of ['pcpu-0', 'pcpu-1']) {
      const top = summary.threads.find((t) => t.role === role)!.top;
      expect(top.some((f) => /^src\/(core|guest)\//.test(f.where) && (f.prof ?? 0) > 0.1)).toBe(true);
      expect(section(role)).toMatch(/src\/(core|guest)\/\S+\.js:\d+/);
    }
  });
});
