/**
 * Where the command line writes and what it reads of its process: the bin (main.ts) passes the
 * process's own (`processIo`), a test passes buffers and calls `main` (program.ts) in process.
 * Every line a command prints goes through `out` or `err`; nothing under src/cli writes to
 * `console` or `process.stdout`/`process.stderr` directly.
 */
export interface CliIo {
  /** Prints `text` and a newline to standard output, as console.log does: tables, help, the files written. */
  readonly out: (text: string) => void;
  /** Prints `text` and a newline to standard error, as console.error does: errors and warnings. */
  readonly err: (text: string) => void;
  /**
   * Standard error when it is a terminal, null when it is not: for what only a person watching
   * needs (the "running …" line, the progress line rewritten in place).
   */
  readonly terminal: { write(text: string): unknown } | null;
  /** The environment, for SPINVISOR_DEBUG and SPINVISOR_TEST_ANNOUNCE. */
  readonly env: NodeJS.ProcessEnv;
}

/** The process's streams and environment: what `spinvisor` itself runs with. */
export function processIo(): CliIo {
  return {
    out: (text) => console.log(text),
    err: (text) => console.error(text),
    terminal: process.stderr.isTTY ? process.stderr : null,
    env: process.env,
  };
}
