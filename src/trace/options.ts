/**
 * A traced run's options (`--trace`, `--trace-window`, `--trace-max-mb`; the library's
 * `trace: { file, windowMs, maxMb }`), checked with one-line errors, and the trace rings'
 * size.
 */
import { ConfigError, type Config } from '../config/schema.js';
import type { TraceBounds, TraceRunInfo } from './chrome-trace.js';

/** The library's trace option (`simulate(scenario, engine, { trace })`). */
export interface TraceOptions {
  /** The trace file to write (Chrome Trace Event JSON). */
  readonly file: string;
  /** Only [from, to] ms of run time; the whole run when absent. */
  readonly windowMs?: readonly [number, number] | undefined;
  /** Stop writing events past this size, in MB (10^6 bytes); no limit when absent. */
  readonly maxMb?: number | undefined;
  /** The scenario's name and the run's label (its policy or system), written into the file; default: "scenario" and the first VM's policy. */
  readonly scenario?: string | undefined;
  readonly label?: string | undefined;
}

/** What an engine needs to trace a run: the file, what to say about the run, the bounds. */
export interface TraceSetup {
  readonly file: string;
  readonly info: TraceRunInfo;
  readonly bounds: TraceBounds;
}

/** Checks the options against the scenario; throws `ConfigError` naming the field. */
export function traceSetup(config: Config, options: TraceOptions): TraceSetup {
  if (typeof options.file !== 'string' || options.file.trim() === '') throw new ConfigError('trace.file: expects a file name');
  const window = options.windowMs ?? null;
  if (window !== null) {
    const [from, to] = window;
    if (!Number.isFinite(from) || !Number.isFinite(to) || from < 0 || !(to > from))
      throw new ConfigError(`trace.windowMs: expected 0 <= from < to, got [${from}, ${to}]`);
    if (from >= config.durationMs) throw new ConfigError(`trace.windowMs: starts at ${from} ms, after the run's ${config.durationMs} ms`);
  }
  const maxMb = options.maxMb ?? null;
  if (maxMb !== null && !(Number.isFinite(maxMb) && maxMb > 0)) throw new ConfigError(`trace.maxMb: expected a positive number of MB, got ${maxMb}`);
  return {
    file: options.file,
    info: { engine: config.engine, seed: config.seed, scenario: options.scenario ?? 'scenario', label: options.label ?? config.vms[0]!.policy },
    bounds: { windowMs: window, maxMb },
  };
}

/** `--trace-window FROM..TO` (ms of run time). */
export function traceWindowFlag(text: string | undefined): [number, number] | undefined {
  if (text === undefined) return undefined;
  const match = /^\s*(\d+(?:\.\d+)?)\s*\.\.\s*(\d+(?:\.\d+)?)\s*$/.exec(text);
  if (!match) throw new ConfigError(`--trace-window: expected FROM..TO in ms of run time (e.g. 100..200), got "${text}"`);
  const from = Number(match[1]);
  const to = Number(match[2]);
  if (!(to > from)) throw new ConfigError(`--trace-window: the end (${to} ms) must come after the start (${from} ms)`);
  return [from, to];
}

/** `--trace-max-mb N` (a positive number). */
export function traceMaxMbFlag(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || n <= 0) throw new ConfigError(`--trace-max-mb: expected a positive number of MB, got "${text}"`);
  return n;
}

/**
 * Records per pCPU trace ring: 2^16 (2 MiB) per pCPU, 2^14 beyond 64 pCPUs, so that the rings
 * of the largest scenario stay within 128 MiB. The drainer empties them when the busiest is
 * about half full, at most 100 ms apart (engine/trace-controller.ts).
 */
export function traceRecordsFor(config: Config): number {
  return config.pcpus > 64 ? 1 << 14 : 1 << 16;
}
