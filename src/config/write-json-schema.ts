/**
 * The package's JSON Schemas, derived from the zod schemas the code uses so they cannot drift:
 * the scenario (for editors: completion, hover help, validation while typing) and the results
 * files that `spinvisor run --json` and `spinvisor compare --json` write. `npm run build` runs
 * this file to write them to schema/*.schema.json; `spinvisor schema [NAME]` prints one. (The
 * bench's results file has its own, printed by `npm run bench -- schema`: src/ does not know
 * the bench.)
 *
 * The scenario's describes the input a file may contain (`io: 'input'`: fields with defaults
 * are optional). Two cross-field rules live only in the zod schema's refinements and are
 * checked when a scenario is loaded: unique VM names and the bare-metal shape (one VM, vcpus =
 * pcpus); so is a uniform distribution's `min <= max`. The results' describe what the code
 * writes (`io: 'output'`: every field present, no other).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { writeJsonAtomically } from '../io/output-file.js';
import { compareJsonSchema, resultsJsonSchema } from '../results/results-schema.js';
import { packageRoot } from './package-root.js';
import { scenarioSchema } from './schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(scenarioSchema, { io: 'input' });
  return {
    ...generated,
    title: 'spinvisor scenario',
    description: 'A spinvisor scenario: the machine (pCPUs), the VMs and their guest workloads, the hypervisor scheduler and the run.',
  };
}

/** Every schema by name: what `spinvisor schema NAME` prints and the file the build writes it to. */
export const JSON_SCHEMAS = {
  scenario: { file: 'scenario.schema.json', what: 'a scenario file (input)', generate: scenarioJsonSchema },
  results: { file: 'results.schema.json', what: 'what spinvisor run --json writes', generate: resultsJsonSchema },
  compare: { file: 'compare.schema.json', what: 'what spinvisor compare --json writes', generate: compareJsonSchema },
} as const satisfies Record<string, { file: string; what: string; generate: () => Record<string, unknown> }>;

export type JsonSchemaName = keyof typeof JSON_SCHEMAS;
export const JSON_SCHEMA_NAMES = Object.keys(JSON_SCHEMAS) as JsonSchemaName[];

/** Writes one schema file (atomically: a reader never sees half a file) and returns its path. */
export function writeJsonSchema(name: JsonSchemaName = 'scenario', path: string = join(packageRoot(), 'schema', JSON_SCHEMAS[name].file)): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeJsonAtomically(path, JSON_SCHEMAS[name].generate(), null);
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const name of JSON_SCHEMA_NAMES) console.log(`wrote ${writeJsonSchema(name)}`);
}
