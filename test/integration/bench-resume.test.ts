/**
 * A sweep survives an interruption: `npm run bench` keeps every finished case in a state file
 * beside its results file, and `--resume` ends with the same results file as a run never
 * interrupted (virtual-engine cases byte for byte, environment and timing fields aside). A
 * small filtered virtual sweep, run as a child process (the bench's build, dist/bench/main.js).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, sleep, startCli } from '../helpers/spawn-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-resume-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const BENCH = ['dist/bench/main.js'];
/** Six virtual-engine cases of about a second each on this host. */
const SWEEP = ['--quick', '--engine', 'virtual', '--runs', '2', '--filter', 'sweep/virtual/contended/s'];

function bench(...args: string[]) {
  const child = spawnSync(process.execPath, [...BENCH, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** The results file without what differs between identical runs: when and where it ran, and how long each run took the host. */
function measured(path: string): string {
  const file = JSON.parse(readFileSync(path, 'utf8')) as { cases: { runs: Record<string, unknown>[] }[] } & Record<string, unknown>;
  delete file.createdAt;
  delete file.environments;
  delete file.elapsedS;
  for (const c of file.cases) for (const run of c.runs) delete run.hostMs;
  return JSON.stringify(file, null, 2);
}

const stateOf = (json: string) => json.replace(/\.json$/, '.state.json');
const casesIn = (state: string): string[] => {
  try {
    return (JSON.parse(readFileSync(state, 'utf8')) as { done: string[] }).done;
  } catch {
    return [];
  }
};

/** Starts the sweep, waits until the state file holds a finished case, and sends `signal`. */
async function interruptedSweep(json: string, signal: NodeJS.Signals) {
  const cli = startCli([...SWEEP, '--json', json], {}, BENCH);
  for (let waited = 0; casesIn(stateOf(json)).length === 0 && waited < 120_000; waited += 20) await sleep(20);
  cli.kill(signal);
  return cli.finished;
}

let uninterrupted = '';
beforeAll(() => {
  const json = join(tmp, 'uninterrupted.json');
  const outcome = bench(...SWEEP, '--json', json);
  expect(outcome.code, outcome.stderr).toBe(0);
  expect(existsSync(stateOf(json))).toBe(false);
  uninterrupted = measured(json);
}, 300_000);

describe('bench: a sweep survives an interruption', () => {
  it('Ctrl-C keeps the finished cases in the state file, writes no results file and exits 130', async () => {
    const json = join(tmp, 'ctrl-c.json');
    const outcome = await interruptedSweep(json, 'SIGINT');
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.stderr).toMatch(/bench: interrupted: \d+ job\(s\) finished are kept in .*ctrl-c\.state\.json/);
    expect(casesIn(stateOf(json)).length).toBeGreaterThan(0);
    expect(existsSync(json)).toBe(false);
  });

  it('--resume after Ctrl-C ends with the same results file as an uninterrupted run, and removes the state file', async () => {
    const json = join(tmp, 'resumed.json');
    expect((await interruptedSweep(json, 'SIGINT')).code).toBe(130);
    const kept = casesIn(stateOf(json)).length;
    const resumed = bench(...SWEEP, '--json', json, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`${kept} job(s) done`);
    expect(measured(json)).toBe(uninterrupted);
    expect(existsSync(stateOf(json))).toBe(false);
  });

  it('after kill -9 the state file still holds every case finished before it, and --resume completes the same file', async () => {
    const json = join(tmp, 'killed.json');
    const outcome = await interruptedSweep(json, 'SIGKILL');
    expect(outcome.signal).toBe('SIGKILL');
    expect(casesIn(stateOf(json)).length).toBeGreaterThan(0);
    const resumed = bench(...SWEEP, '--json', json, '--resume');
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(measured(json)).toBe(uninterrupted);
  });

  it('--resume with other options than the interrupted run is refused, naming the state file', async () => {
    const json = join(tmp, 'other-options.json');
    expect((await interruptedSweep(json, 'SIGINT')).code).toBe(130);
    // The same sweep with 3 runs a case instead of 2 (a flag is given once: a repeated one is refused).
    const otherRuns = SWEEP.map((arg, i) => (SWEEP[i - 1] === '--runs' ? '3' : arg));
    const outcome = bench(...otherRuns, '--json', json, '--resume');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--resume: ".*other-options\.state\.json" was made with other options/);
  });

  it('--resume with no state file is refused', () => {
    const outcome = bench(...SWEEP, '--json', join(tmp, 'never-ran.json'), '--resume');
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/--resume: no state file ".*never-ran\.state\.json": nothing to resume/);
  });
});
