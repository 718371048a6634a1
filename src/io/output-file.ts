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
import { closeSync, fsyncSync, openSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
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

/**
 * An output file written piece by piece (a trace streamed as the run goes), all or nothing like
 * `writeTextAtomically`: the pieces go to the temporary file, `commit` flushes it to disk and
 * renames it over the target, `abandon` removes it. Until `commit` the target is untouched.
 */
export class AtomicFileStream {
  private readonly temp: string;
  private fd: number;

  constructor(
    private readonly path: string,
    private readonly flag: string | null,
  ) {
    this.temp = `${path}.tmp-${process.pid}`;
    try {
      this.fd = openSync(this.temp, 'w');
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Appends `bytes` to the temporary file. */
  write(bytes: Uint8Array): void {
    try {
      writeSync(this.fd, bytes);
    } catch (error) {
      this.abandon();
      throw this.failure(error);
    }
  }

  /** Flushes the temporary file to disk and renames it over the target. */
  commit(): void {
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = -1;
      renameSync(this.temp, this.path);
    } catch (error) {
      this.abandon();
      throw this.failure(error);
    }
  }

  /** Removes the temporary file; the target stays as it was. */
  abandon(): void {
    if (this.fd >= 0) closeQuietly(this.fd);
    this.fd = -1;
    rmSync(this.temp, { force: true });
  }

  private failure(error: unknown): OutputError {
    return new OutputError(`${this.flag === null ? '' : `--${this.flag}: `}cannot write "${this.path}": ${(error as Error).message}`);
  }
}

/**
 * A scratch file next to an output file, for what must not sit in memory until the output can be
 * written (a trace's binary records, spooled while the run goes on and read back to format it
 * after): appended to, read back from the start, and removed, never renamed into place. Its name
 * is the target's plus `.spool-<pid>`; `remove` deletes it whatever happened before.
 */
export class SpoolFile {
  private readonly temp: string;
  private fd: number;
  /** Bytes appended so far. */
  bytes = 0;

  constructor(
    private readonly path: string,
    private readonly flag: string | null,
  ) {
    this.temp = `${path}.spool-${process.pid}`;
    try {
      this.fd = openSync(this.temp, 'w+');
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Appends `bytes` at the end. */
  append(bytes: Uint8Array): void {
    try {
      writeSync(this.fd, bytes, 0, bytes.length, this.bytes);
      this.bytes += bytes.length;
    } catch (error) {
      this.remove();
      throw this.failure(error);
    }
  }

  /** Reads into `into` from byte `position`; returns the bytes read (0 at the end). */
  read(into: Uint8Array, position: number): number {
    try {
      return readSync(this.fd, into, 0, Math.min(into.length, this.bytes - position), position);
    } catch (error) {
      this.remove();
      throw this.failure(error);
    }
  }

  /** Closes and deletes the scratch file (again: nothing). */
  remove(): void {
    if (this.fd >= 0) closeQuietly(this.fd);
    this.fd = -1;
    rmSync(this.temp, { force: true });
  }

  private failure(error: unknown): OutputError {
    return new OutputError(`${this.flag === null ? '' : `--${this.flag}: `}cannot write "${this.path}": ${(error as Error).message}`);
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
