/**
 * The command line as a user runs it, from source: `node --import tsx src/cli/main.ts …` in the
 * repository, with SPINVISOR_DEBUG cleared so that errors are what a user sees, and the
 * assertion every bad-input test makes.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Outcome {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `node --import tsx ARGS…` in the repository root. */
export function node(...args: string[]): Outcome {
  return nodeWith({}, ...args);
}

/** `node` with more environment variables (TMPDIR: where the child's temporary files go). */
export function nodeWith(env: Record<string, string>, ...args: string[]): Outcome {
  const child = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, SPINVISOR_DEBUG: '', ...env },
    timeout: 60_000,
  });
  return { code: child.status, stdout: child.stdout, stderr: child.stderr };
}

/** `spinvisor ARGS…`, from source. */
export function spinvisor(...args: string[]): Outcome {
  return node('src/cli/main.ts', ...args);
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
