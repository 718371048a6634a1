/**
 * The package's root folder: the nearest folder above this module that holds package.json.
 * Walking up (rather than a fixed `../..`) finds the same root from `src/config/` under tsx
 * or vitest and from `dist/src/config/` after a build, and from an installed copy too.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from: string = import.meta.url): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(from)}`);
    dir = parent;
  }
}
