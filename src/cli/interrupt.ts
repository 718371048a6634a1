/**
 * Ctrl-C and SIGTERM during a run: the first stops the run (every pCPU) and lets the command
 * print and write what it has so far, marked interrupted; a second quits at once. Either way
 * the exit code is 130, the shell's code for a command ended by SIGINT.
 */
import { processIo, type CliIo } from './io.js';

export const INTERRUPTED_EXIT_CODE = 130;

export interface Interrupt {
  readonly signal: AbortSignal;
  /**
   * TEST-ONLY: with SPINVISOR_TEST_ANNOUNCE=1 in the environment, writes "spinvisor: run started"
   * to stderr when a run starts, so that a test sends its signal into a running run, not into the
   * seconds a loaded host takes to start the threads. Otherwise nothing.
   */
  readonly onStarted: (() => void) | undefined;
  /** Removes the handlers: a signal after this ends the process as Node does by default. */
  dispose(): void;
}

export function stopOnSignals(program = 'spinvisor', io: Pick<CliIo, 'err' | 'env'> = processIo()): Interrupt {
  const controller = new AbortController();
  const handler = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      io.err(`${program}: ${name} again: quitting now`);
      process.exit(INTERRUPTED_EXIT_CODE);
    }
    io.err(`\n${program}: ${name}: stopping the run, keeping what it has so far (again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    signal: controller.signal,
    onStarted: io.env.SPINVISOR_TEST_ANNOUNCE === '1' ? () => io.err(`${program}: run started`) : undefined,
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
