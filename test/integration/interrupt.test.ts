/**
 * Ctrl-C (SIGINT) and SIGTERM during `spinvisor run` and `compare`: the run stops, the results
 * so far are printed and written marked interrupted, and the exit code is 130. Runs use at most
 * 2 pCPUs; every time bound is loose (a loaded 2-core host), and only says "not the run's
 * duration".
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareResultsSchema, resultsSchema } from '../../src/results/results-schema.js';
import { sleep, startCli } from '../helpers/spawn-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-interrupt-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Far longer than any test waits: a run that ended by itself would show. */
const LONG_MS = '60000';
/** A stop must end the process within this (the promise is one second; the host is loaded). */
const EXIT_BOUND_MS = 5000;

async function interrupted(args: string[], signal: NodeJS.Signals) {
  const cli = startCli(args);
  await cli.started;
  await sleep(300);
  cli.kill(signal);
  return cli.finished;
}

describe('stopping a run', () => {
  it('SIGINT during a threads-engine run prints and writes the results so far, marked interrupted, and exits 130', async () => {
    const json = join(tmp, 'threads.json');
    const outcome = await interrupted(['run', '--pcpus', '2', '--duration-ms', LONG_MS, '--json', json], 'SIGINT');
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.exitAfterMs).toBeLessThan(EXIT_BOUND_MS);
    expect(outcome.stdout).toMatch(/! INTERRUPTED after [\d.]+ of 60000 ms: the figures cover the run so far/);
    const results = resultsSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(results.interrupted).toBe(true);
    expect(results.metrics.elapsedMs).toBeGreaterThan(0);
    expect(results.metrics.elapsedMs).toBeLessThan(Number(LONG_MS));
  });

  it('SIGTERM during a virtual-engine run stops it at the virtual time reached and exits 130', async () => {
    const json = join(tmp, 'virtual.json');
    const outcome = await interrupted(['run', 'contended', '--engine', 'virtual', '--duration-ms', LONG_MS, '--json', json], 'SIGTERM');
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.exitAfterMs).toBeLessThan(EXIT_BOUND_MS);
    expect(outcome.stdout).toMatch(/! INTERRUPTED after [\d.]+ of 60000 ms of virtual time/);
    const results = resultsSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(results.interrupted).toBe(true);
    expect(results.metrics.elapsedMs).toBeLessThan(Number(LONG_MS));
  });

  it('an interrupted run says "not checked" for the checks judged against the duration, and fails none', async () => {
    const json = join(tmp, 'checks.json');
    const outcome = await interrupted(['run', 'contended', '--engine', 'virtual', '--duration-ms', LONG_MS, '--json', json], 'SIGINT');
    expect(outcome.code, outcome.stderr).toBe(130);
    const results = resultsSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    const unchecked = results.selfChecks.filter((c) => c.checked === false).map((c) => c.name);
    expect(unchecked.sort()).toEqual(['ended-in-time', 'every-vcpu-ran']);
    expect(results.selfChecks.every((c) => c.ok)).toBe(true);
    expect(outcome.stdout).toMatch(/self-checks: 6 passed, 2 not checked/);
    expect(outcome.stdout).not.toMatch(/FAILED/);
  });

  it('SIGINT during compare reports the runs made so far, the last one interrupted, and exits 130', async () => {
    const json = join(tmp, 'compare.json');
    const outcome = await interrupted(['compare', '--pcpus', '2', '--policies', 'naive,notify', '--duration-ms', LONG_MS, '--json', json], 'SIGINT');
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.exitAfterMs).toBeLessThan(EXIT_BOUND_MS);
    expect(outcome.stdout).toMatch(/! INTERRUPTED after .* \(naive; the runs after it were not made\)/);
    const file = compareResultsSchema.parse(JSON.parse(readFileSync(json, 'utf8')));
    expect(file.interrupted).toBe(true);
    expect(file.labels).toEqual(['naive']);
    expect(file.runs.map((run) => run.interrupted)).toEqual([true]);
  });

  it('a second SIGINT quits at once, while the first stop is still waiting, and writes nothing', async () => {
    const json = join(tmp, 'second.json');
    // pCPU 1 livelocks as the run starts: the first stop waits for it (the watchdog gives it 2 s).
    const cli = startCli(['run', '--pcpus', '2', '--duration-ms', LONG_MS, '--json', json], { SPINVISOR_TEST_FAULT: 'livelock@1' });
    await cli.started;
    cli.kill('SIGINT');
    await sleep(200);
    cli.kill('SIGINT');
    const outcome = await cli.finished;
    expect(outcome.code, outcome.stderr).toBe(130);
    expect(outcome.stderr).toMatch(/SIGINT again: quitting now/);
    expect(outcome.stdout).toBe('');
    expect(existsSync(json)).toBe(false);
  });
});
