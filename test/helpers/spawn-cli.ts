/**
 * The command line as a child process that a test can signal while it runs, from the build
 * (dist/, which test/setup/build.ts keeps current): started with
 * SPINVISOR_TEST_ANNOUNCE=1, so that it says on stderr when its run has started (a loaded host
 * takes seconds to start the threads, and a signal before the start tests nothing).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface Finished {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** ms from the first signal the test sent (or from the start, if none) to the exit. */
  readonly exitAfterMs: number;
}

export interface CliChild {
  readonly child: ChildProcess;
  /** Resolves once the run has started (its announcement on stderr). */
  readonly started: Promise<void>;
  /** Sends `signal`; the first one starts the exit clock. */
  kill(signal: NodeJS.Signals): void;
  readonly finished: Promise<Finished>;
}

/** Starts `node <program> args` (program: the CLI's build by default) with `env` added. */
export function startCli(args: readonly string[], env: Record<string, string> = {}, program: readonly string[] = ['dist/src/cli/main.js']): CliChild {
  const child = spawn(process.execPath, [...program, ...args], {
    cwd: ROOT,
    env: { ...process.env, SPINVISOR_DEBUG: '', SPINVISOR_TEST_ANNOUNCE: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let signalledAt = performance.now();
  let signalled = false;
  let onStart: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (onStart = resolve));
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    stderr += text;
    if (stderr.includes(': run started\n')) onStart();
  });
  const finished = new Promise<Finished>((resolve) =>
    child.on('close', (code, signal) => {
      onStart();
      resolve({ code, signal, stdout, stderr: stderr.replace(/^.*: run started\n/gm, ''), exitAfterMs: performance.now() - signalledAt });
    }),
  );
  return {
    child,
    started,
    kill(signal) {
      if (!signalled) signalledAt = performance.now();
      signalled = true;
      child.kill(signal);
    },
    finished,
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
