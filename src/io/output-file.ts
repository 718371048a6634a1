/**
 * Output files of every program of the package (`--json FILE`, `--html FILE`, …): checked
 * before a run (so bad input fails fast and creates nothing), written after it, atomically (a
 * temporary file renamed into place), so a reader never sees a half file and an interrupted run
 * leaves no file at all.
 */
import { renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../config/schema.js';

/** A results file could not be written after the run: exit 1, not a usage error. */
export class OutputError extends Error {
  override readonly name = 'OutputError';
}

/** Throws `ConfigError` if FILE cannot be an output file of `--flag`: its folder missing, or FILE a folder. */
export function checkOutputPath(file: string, flag = 'json'): string {
  if (file.trim() === '') throw new ConfigError(`--${flag}: expects a file name`);
  const path = resolve(file);
  const folder = statOrNull(dirname(path));
  if (!folder?.isDirectory()) throw new ConfigError(`--${flag}: folder "${dirname(file) || '.'}" does not exist`);
  if (statOrNull(path)?.isDirectory()) throw new ConfigError(`--${flag}: "${file}" is a folder`);
  return path;
}

export function writeJsonAtomically(path: string, value: unknown, flag = 'json'): void {
  writeTextAtomically(path, `${JSON.stringify(value, null, 2)}\n`, flag);
}

/** Any output file (`--html`, …), written the same all-or-nothing way. */
export function writeTextAtomically(path: string, text: string, flag: string): void {
  const temp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(temp, text);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw new OutputError(`--${flag}: cannot write "${path}": ${(error as Error).message}`);
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
