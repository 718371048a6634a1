/**
 * `--trace FILE`, `--trace-window FROM..TO`, `--trace-max-mb N` of `spinvisor run` and
 * `compare`, and the one-line progress display on a terminal.
 */
import { ConfigError, type Config } from '../config/schema.js';
import type { RunProgress } from '../engine/run-output.js';
import type { Options } from '../io/flags.js';
import { checkOutputPath } from '../io/output-file.js';
import type { TraceSummary } from '../trace/chrome-trace.js';
import type { CliIo } from './io.js';
import { traceMaxMbFlag, traceWindowFlag, type TraceOptions } from '../trace/options.js';

export const TRACE_OPTIONS = {
  trace: { type: 'string' },
  'trace-window': { type: 'string' },
  'trace-max-mb': { type: 'string' },
} as const satisfies Options;

export const TRACE_HELP = `Trace (open the file in ui.perfetto.dev or chrome://tracing):
  --trace FILE      also write a timeline of the run as Chrome Trace Event JSON: pCPU tracks
                    (who ran where, scheduling decisions, exits), vCPU tracks (running,
                    runnable, spinning, halted, critical section), lock tracks (holds, waiters),
                    kicks and directed yields as arrows; written as the run goes, complete
                    (valid JSON) when it ends or is stopped with Ctrl-C`;
export const TRACE_BOUNDS_HELP = `  --trace-window FROM..TO  only that part of the run, in ms of run time (e.g. 100..150)
  --trace-max-mb N  stop writing events once the file holds N MB`;

interface TraceValues {
  readonly trace?: string | undefined;
  readonly 'trace-window'?: string | undefined;
  readonly 'trace-max-mb'?: string | undefined;
}

/** The trace options given (checked, the file's folder too), or undefined without `--trace`. */
export function traceFlags(values: TraceValues, scenario: string): Omit<TraceOptions, 'label'> | undefined {
  const windowMs = traceWindowFlag(values['trace-window']);
  const maxMb = traceMaxMbFlag(values['trace-max-mb']);
  if (values.trace === undefined) {
    if (windowMs !== undefined || maxMb !== undefined)
      throw new ConfigError(`--${windowMs !== undefined ? 'trace-window' : 'trace-max-mb'}: needs --trace FILE`);
    return undefined;
  }
  return { file: checkOutputPath(values.trace, 'trace'), windowMs, maxMb, scenario };
}

/** `--trace-window` must start inside the run. */
export function checkTraceWindow(options: Omit<TraceOptions, 'label'> | undefined, config: Config): void {
  const from = options?.windowMs?.[0];
  if (from !== undefined && from >= config.durationMs) throw new ConfigError(`--trace-window: starts at ${from} ms, after the run's ${config.durationMs} ms`);
}

/** compare's trace file of one run: FILE (less a .json suffix), a dash, the run's label, .json. */
export function compareTraceFile(file: string, label: string): string {
  const base = file.endsWith('.json') ? file.slice(0, -'.json'.length) : file;
  return `${base}-${label.replace(/[^A-Za-z0-9._+-]+/g, '_')}.json`;
}

export function traceLine(summary: TraceSummary): string {
  const parts = [`${summary.events} events`, `${(summary.bytes / 1e6).toFixed(1)} MB`];
  if (summary.droppedRecords > 0) parts.push(`${summary.droppedRecords} records dropped (ring overrun)`);
  if (summary.truncated) parts.push('cut short by --trace-max-mb');
  if (summary.stoppedEarly) parts.push('run stopped early');
  parts.push(`written in ${Math.round(summary.conversionMs)} ms after the run`);
  return `trace: ${summary.file} (${parts.join(', ')})`;
}

/** A run shows its progress once it has taken this long (ms of host time). */
const PROGRESS_AFTER_MS = 2000;

/**
 * The progress display: on a terminal only (stderr a TTY), once a run has taken about 2 s; a
 * line rewritten in place a few times a second, fed by the trace controller's snapshots
 * (threads) or the engine's reports between steps (virtual). Undefined: none.
 */
export function progressDisplay(
  config: Config,
  vmNames: readonly string[],
  terminal: CliIo['terminal'],
): { onProgress: (p: RunProgress) => void; done: () => void } | undefined {
  // A threads run shorter than that ends before the display would start: no controller thread for it.
  if (terminal === null || (config.engine === 'threads' && config.durationMs < PROGRESS_AFTER_MS)) return undefined;
  const started = performance.now();
  let shown = false;
  return {
    onProgress(p) {
      if (performance.now() - started < PROGRESS_AFTER_MS) return;
      const vms = p.acquisitions.map((a, i) => `${vmNames[i]} ${Math.round(a).toLocaleString('en-US')}`).join(', ');
      terminal.write(`\r\x1b[Kspinvisor: ${(p.elapsedMs / 1000).toFixed(1)} s of ${(p.durationMs / 1000).toFixed(1)} s · acquisitions ${vms}`);
      shown = true;
    },
    done() {
      if (shown) terminal.write('\r\x1b[K');
    },
  };
}
