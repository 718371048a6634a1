/**
 * Whole files: every file the package writes goes through src/io/output-file.ts (a temporary
 * file, flushed, renamed over the target), and a write that fails leaves the old file as it was
 * and no temporary file behind.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { OutputError, writeJsonAtomically, writeTextAtomically } from '../../src/io/output-file.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-output-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh folder holding `file` with `text` in it. */
function folderWith(name: string, text: string): { dir: string; file: string } {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const file = join(dir, 'results.json');
  writeFileSync(file, text);
  return { dir, file };
}

describe('writeTextAtomically', () => {
  it('replaces an existing file with the new text and leaves nothing else in its folder', () => {
    const { dir, file } = folderWith('replace', 'old');
    writeJsonAtomically(file, { a: 1 });
    expect(readFileSync(file, 'utf8')).toBe('{\n  "a": 1\n}\n');
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('leaves the old file whole and no temporary file when the disk is full', () => {
    const { dir, file } = folderWith('full', 'the old results');
    // The temporary file's name, pointed at /dev/full: every write to it fails with ENOSPC.
    symlinkSync('/dev/full', `${file}.tmp-${process.pid}`);
    let thrown: unknown;
    try {
      writeTextAtomically(file, 'x'.repeat(100_000), 'json');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(OutputError);
    expect((thrown as Error).message).toMatch(/^--json: cannot write ".*results\.json": ENOSPC/);
    expect(readFileSync(file, 'utf8')).toBe('the old results');
    expect(readdirSync(dir)).toEqual(['results.json']);
  });

  it('leaves no temporary file when the rename fails (the target became a folder)', () => {
    const dir = join(tmp, 'rename');
    mkdirSync(join(dir, 'results.json', 'inside'), { recursive: true });
    expect(() => writeTextAtomically(join(dir, 'results.json'), 'new', 'html')).toThrow(/^--html: cannot write /);
    expect(readdirSync(dir)).toEqual(['results.json']);
    expect(statSync(join(dir, 'results.json')).isDirectory()).toBe(true);
  });

  it('names no flag for a file no flag names', () => {
    expect(() => writeTextAtomically(join(tmp, 'no-such-folder', 'x.json'), '', null)).toThrow(/^cannot write ".*x\.json": ENOENT/);
    expect(existsSync(join(tmp, 'no-such-folder'))).toBe(false);
  });
});

/** Calls that write, append to or replace a file, other than through the helper (opening for reading is fine). */
const FILE_WRITES =
  /\b(writeFileSync|writeFile|appendFileSync|appendFile|createWriteStream|renameSync|copyFileSync|cpSync)\s*\(|\bopenSync\s*\([^)]*,\s*'(?!r')/;

/** The modules that may call them, and why. */
const ALLOWED: Readonly<Record<string, string>> = {
  'src/io/output-file.ts': 'the helper itself',
  'src/engine/profile-role.ts': "appends a role marker line for `npm run profile`, read only after the run's process has exited",
  'bench/profile/collect.ts': "renames the profilers' finished files (complete once their process exited) into place: a rename is already all or nothing",
};

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('every file the package writes', () => {
  it('is written through src/io/output-file.ts (src/, bench/, workers/)', () => {
    const files = ['src', 'bench', 'workers'].flatMap(sources);
    expect(files.length).toBeGreaterThan(50);
    const writers = files.filter((file) => FILE_WRITES.test(readFileSync(join(ROOT, file), 'utf8'))).map((file) => relative('.', file));
    expect(writers.sort()).toEqual(Object.keys(ALLOWED).sort());
  });
});
