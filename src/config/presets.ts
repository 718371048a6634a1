/**
 * Presets: scenario files shipped in the package's `presets/` folder, named by their file
 * name without `.json`. They are plain scenario JSON, validated by the same schema as any
 * user file; nothing here supplies a default value.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';
import { quoted } from './config-error.js';
import { ConfigError, parseScenario, type Config } from './schema.js';
import { readScenarioFile } from './scenario-file.js';

/** The preset `spinvisor run` uses when no scenario is named. */
export const DEFAULT_PRESET = 'default';

export interface Preset {
  readonly name: string;
  /** The validated, defaulted scenario. */
  readonly config: Config;
}

function presetsDir(): string {
  return join(packageRoot(), 'presets');
}

/** Names of the shipped presets, sorted. */
export function presetNames(): string[] {
  return readdirSync(presetsDir())
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** The raw JSON of a preset (defaults not applied); `ConfigError` naming the choices if there is none. */
export function readPreset(name: string): unknown {
  const names = presetNames();
  if (!names.includes(name)) {
    // A name with a dot was probably meant as a file: say how to name one.
    const hint = name.includes('.') ? `; a file path needs a "/" or a .json suffix, e.g. ${quoted(`./${name}`)}` : '';
    throw new ConfigError(`unknown preset ${quoted(name)} (available: ${names.join(', ')}${hint})`);
  }
  return readScenarioFile(join(presetsDir(), `${name}.json`));
}

/** Every preset, validated; a broken preset file is reported as a `ConfigError` naming it. */
export function listPresets(): Preset[] {
  return presetNames().map((name) => {
    try {
      return { name, config: parseScenario(readPreset(name)) };
    } catch (error) {
      if (error instanceof ConfigError) throw new ConfigError(`preset "${name}": ${error.message}`);
      throw error;
    }
  });
}
