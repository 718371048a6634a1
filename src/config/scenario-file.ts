/**
 * Reads a scenario file as raw JSON, turning the ways a file can be wrong (missing, not a
 * file, not JSON) into one-line `ConfigError`s that name the file.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from './schema.js';

export function readScenarioFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`${path}: ${describeReadError(error)}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(`${path}: malformed JSON: ${(error as Error).message}`);
  }
}

function describeReadError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a folder, not a scenario file';
    case 'EACCES':
      return 'permission denied';
    default:
      return `cannot read: ${(error as Error).message}`;
  }
}
