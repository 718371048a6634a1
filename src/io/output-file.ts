/**
 * Output files of every program of the package (`--json FILE`, `--html FILE`, the bench's
 * results and baselines, the profiler's tables and summary, the JSON Schemas): checked before a
 * run (so bad input fails fast and creates nothing), written after it, atomically, so a reader
 * never sees a half file and an interrupted run leaves no file at all. This is the one place in
 * the package that writes a file (test/unit/output-file.test.ts holds every other module to it).
 *
 * All or nothing: the text goes to a temporary file in the same folder (so the rename never
 * crosses file systems), is flushed to disk (fsync), and is renamed over the target, which
 * POSIX rename(2) replaces in one step. A failed write (a full disk, a vanished folder) leaves
 * the old file as it was and removes the temporary file.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

/** `value` as indented JSON, written all or nothing; `flag` as in `writeTextAtomically`. */
export function writeJsonAtomically(path: string, value: unknown, flag: string | null = 'json'): void {
  writeTextAtomically(path, `${JSON.stringify(value, null, 2)}\n`, flag);
}

/**
 * Any output file, written all or nothing. `flag` is the flag that named the file (its error
 * says `--html: cannot write …`), or null for a file no flag names (a schema the build writes).
 */
export function writeTextAtomically(path: string, text: string, flag: string | null): void {
  const temp = `${path}.tmp-${process.pid}`;
  let fd: number | undefined;
  try {
    fd = openSync(temp, 'w');
    writeFileSync(fd, text);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(temp, path);
  } catch (error) {
    if (fd !== undefined) closeQuietly(fd);
    rmSync(temp, { force: true });
    throw new OutputError(`${flag === null ? '' : `--${flag}: `}cannot write "${path}": ${(error as Error).message}`);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // The write already failed; that is the error to report.
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}
