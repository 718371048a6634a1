/**
 * The scenario's JSON Schema, for editors (completion, hover help, validation while typing),
 * derived from the zod schema so it cannot drift. `npm run build` runs this file to write
 * `schema/scenario.schema.json`; `spinvisor schema` prints the same object.
 *
 * It describes the input a file may contain (`io: 'input'`: fields with defaults are
 * optional). Two cross-field rules live only in the zod schema's refinements and are checked
 * when a scenario is loaded: unique VM names and the bare-metal shape (one VM, vcpus = pcpus);
 * so is a uniform distribution's `min <= max`.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
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

/** Writes the schema file (atomically: a reader never sees half a file) and returns its path. */
export function writeJsonSchema(path: string = join(packageRoot(), 'schema', 'scenario.schema.json')): string {
  mkdirSync(join(path, '..'), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`);
  renameSync(temp, path);
  return path;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`wrote ${writeJsonSchema()}`);
}
