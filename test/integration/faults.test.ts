/**
 * A pCPU that fails ends the run: its thread throws, exits, is terminated, or stops making steps
 * (the watchdog). Faults come from the test-only hook SPINVISOR_TEST_FAULT (src/engine/test-fault.ts),
 * into 2-pCPU runs of a minute that only the fault can end early; every time bound is loose.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/config/schema.js';
import { RunFault } from '../../src/engine/run-fault.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { startCli } from '../helpers/spawn-cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-faults-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Far below the run's 60 s: the fault, not the duration, ended it (the host may be loaded). */
const END_BOUND_MS = 30_000;

async function runWithFault(fault: string) {
  const json = join(tmp, `${fault.replace(/\W/g, '-')}.json`);
  const cli = startCli(['run', '--pcpus', '2', '--duration-ms', '60000', '--json', json], { SPINVISOR_TEST_FAULT: fault });
  await cli.started;
  const startedAt = performance.now();
  const outcome = await cli.finished;
  return { ...outcome, ranMs: performance.now() - startedAt, wroteResults: existsSync(json) };
}

/** One line on stderr naming the pCPU, exit 1, no stack trace, no table, no results file. */
function expectFault(outcome: Awaited<ReturnType<typeof runWithFault>>, pattern: RegExp): void {
  expect(outcome.code, outcome.stderr).toBe(1);
  const lines = outcome.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
  expect(outcome.stdout).toBe('');
  expect(outcome.wroteResults).toBe(false);
  expect(outcome.ranMs).toBeLessThan(END_BOUND_MS);
}

describe('a failing pCPU ends the run', () => {
  it('a pCPU whose task throws: exit 1, the pCPU and the error named', async () => {
    expectFault(await runWithFault('throw@1+100'), /^spinvisor: pCPU 1 failed: injected fault .*; the run was stopped$/);
  });

  it('a pCPU whose thread calls process.exit: exit 1, the pCPU and the exit code named', async () => {
    expectFault(await runWithFault('exit@0+100'), /^spinvisor: pCPU 0 failed: worker exited with code: 3; the run was stopped$/);
  });

  it('a pCPU whose thread is terminated: exit 1, the pCPU named', async () => {
    expectFault(await runWithFault('terminate@1+100'), /^spinvisor: pCPU 1 failed: worker exited with code: 1; the run was stopped$/);
  });

  it('a pCPU that stops making steps is caught by the watchdog: exit 1, the pCPU named', async () => {
    expectFault(await runWithFault('livelock@1'), /^spinvisor: pCPU 1 made no step for \d+ ms \(a livelock or a hang\): the watchdog stopped the run$/);
  });
});

describe('the threads engine after a fault', () => {
  it('rejects with a RunFault and runs the next scenario on fresh threads', async () => {
    const engine = new ThreadsEngine();
    const config = parseScenario({ pcpus: 2, durationMs: 60_000, vms: [{ name: 'vm', vcpus: 2 }] });
    process.env.SPINVISOR_TEST_FAULT = 'throw@0+50';
    try {
      await expect(engine.run(config)).rejects.toThrow(RunFault);
    } finally {
      delete process.env.SPINVISOR_TEST_FAULT;
    }
    try {
      const output = await engine.run({ ...config, durationMs: 100 });
      expect(output.interrupted).toBe(false);
      expect(output.wallMs).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });
});
