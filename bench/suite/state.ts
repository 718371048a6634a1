/**
 * A sweep that survives an interruption: after every finished job the suite writes a state
 * file next to its results file (`bench-results.json` → `bench-results.state.json`), whole
 * (a temporary file renamed, like every output file), holding every case finished so far.
 * Ctrl-C keeps it; a crash or `kill -9` loses at most the job that was running. `--resume`
 * reads it back, checks that it was made with the same options (the same plan), runs only the
 * jobs it lacks, and writes the same results file an uninterrupted run writes (the cases in
 * plan order; the virtual engine's byte for byte, environment and timing fields aside). The
 * finished suite deletes its state file.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { ConfigError } from '../../src/config/schema.js';
import { writeJsonAtomically } from '../../src/io/output-file.js';
import { checkWithSchema } from '../../src/io/schema-check.js';
import { suiteResultsSchema, type SuiteResults } from './model.js';
import type { Shard } from './plan.js';

export const STATE_FORMAT = 'spinvisor-bench-state/1';

const stateSchema = z.strictObject({
  format: z.literal(STATE_FORMAT),
  shard: z.strictObject({ index: z.number().int().min(1), count: z.number().int().min(1) }).nullable(),
  /** The ids of the jobs finished (the micro job and every case in `results`). */
  done: z.array(z.string()),
  /** The suite's results so far: what the results file would hold with only these jobs. */
  results: suiteResultsSchema,
});

export interface SuiteState {
  readonly format: typeof STATE_FORMAT;
  readonly shard: Shard | null;
  readonly done: readonly string[];
  readonly results: SuiteResults;
}

/** The state file of results file `json`: beside it, `.state.json` for `.json`. */
export function statePathOf(json: string): string {
  return `${json.endsWith('.json') ? json.slice(0, -'.json'.length) : json}.state.json`;
}

export function writeState(path: string, state: SuiteState): void {
  writeJsonAtomically(path, state, 'json');
}

export function removeState(path: string): void {
  rmSync(path, { force: true });
}

export function stateExists(path: string): boolean {
  return existsSync(path);
}

/** `--resume`: the state at `path`, made with these options, plan and shard; a one-line ConfigError otherwise. */
export function readStateFor(path: string, expected: Pick<SuiteResults, 'options' | 'plan'>, shard: Shard | null): SuiteState {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT' ? `--resume: no state file "${path}": nothing to resume (run without --resume)` : `--resume: cannot read "${path}": ${code}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ConfigError(`--resume: "${path}" is not JSON`);
  }
  const state = checkWithSchema(stateSchema, value, `--resume: ${path}`) as SuiteState;
  const differs = (what: string) =>
    new ConfigError(`--resume: "${path}" was made with other ${what}; give the interrupted run's options, or run without --resume to start afresh`);
  if (!isDeepStrictEqual(state.results.options, expected.options)) throw differs('options');
  if (!isDeepStrictEqual(state.results.plan, expected.plan) || !isDeepStrictEqual(state.shard, shard)) throw differs('jobs (--filter, --shard)');
  return state;
}
