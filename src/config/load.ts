/**
 * Where a scenario comes from: a preset name or a file path, plus overrides. Shared by the
 * command line and the benchmark program so both read scenarios the same way.
 */
import { applyOverrides, type Overrides } from './overrides.js';
import { DEFAULT_PRESET, readPreset } from './presets.js';
import { readScenarioFile } from './scenario-file.js';
import type { Config } from './schema.js';

/** A scenario argument names a preset when it has no path separator and no `.json` suffix; otherwise it is a file. */
export function isPresetName(spec: string): boolean {
  return !spec.includes('/') && !spec.includes('\\') && !spec.toLowerCase().endsWith('.json');
}

/** The raw scenario JSON (no defaults applied) of a preset or file. `$schema`, an editor hint, is dropped. */
export function readScenario(spec: string = DEFAULT_PRESET): unknown {
  const input = isPresetName(spec) ? readPreset(spec) : readScenarioFile(spec);
  if (typeof input === 'object' && input !== null && !Array.isArray(input) && '$schema' in input) {
    const { $schema: _editorHint, ...rest } = input as Record<string, unknown>;
    return rest;
  }
  return input;
}

/** Reads, overrides and validates a scenario; throws `ConfigError` (one line) for any bad input. */
export function loadScenario(spec: string = DEFAULT_PRESET, overrides: Overrides = {}): Config {
  return applyOverrides(readScenario(spec), overrides);
}
