/**
 * The command line as a user meets it, two ways: in process (`spinvisor`: src/cli/program.ts's
 * `main(argv, io)` with buffers for the streams, the exit code it returns; no process, no tsx) and
 * as a child process running the build (`node`: `node dist/…` with SPINVISOR_DEBUG cleared, for
 * what only a process shows: signals, a thread's exit, the bench's own command line). Both give
 * an `Outcome`, and `expectUsageError` is the assertion every bad-input test makes on it.
 * dist/ is current: test/setup/build.ts builds it before the run when the sources are newer.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/program.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** An io that keeps what a command prints (not a terminal; SPINVISOR_DEBUG cleared, `env` added). */
export function bufferedIo(env: Record<string, string> = {}): CliIo & { readonly stdout: () => string; readonly stderr: () => string } {
  let stdout = '';
  let stderr = '';
  return {
    out: (text) => (stdout += `${text}\n`),
    err: (text) => (stderr += `${text}\n`),
    terminal: null,
    env: { ...process.env, SPINVISOR_DEBUG: '', ...env },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

/** `spinvisor ARGS…` in process: what it printed and the exit code `main` returned. */
export async function spinvisor(...args: string[]): Promise<Outcome> {
  const io = bufferedIo();
  const code = await main(args, io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

/** The build of a source file: `src/cli/main.ts` → `dist/src/cli/main.js`. */
export function built(source: string): string {
  return `dist/${source.replace(/\.ts$/, '.js')}`;
}

/** `node SCRIPT ARGS…` in the repository root, SCRIPT a source file run from its build (`bench/main.ts`: dist/bench/main.js). */
export function node(script: string, ...args: string[]): Outcome {
  return nodeWith({}, script, ...args);
}

/** `node` with more environment variables (TMPDIR: where the child's temporary files go). */
export function nodeWith(env: Record<string, string>, script: string, ...args: string[]): Outcome {
  const child = spawnSync(process.execPath, [built(script), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SPINVISOR_DEBUG: '', ...env },
    timeout: 60_000,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** Bad input: exit 2, nothing on stdout, exactly one line on stderr matching `pattern`, no stack trace. */
export function expectUsageError(outcome: Outcome, pattern: RegExp): void {
  expect(outcome.code, outcome.stderr).toBe(2);
  expect(outcome.stdout).toBe('');
  const lines = outcome.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^spinvisor: /);
  expect(lines[0]).toMatch(pattern);
  expect(outcome.stderr).not.toMatch(/^\s+at /m);
}
