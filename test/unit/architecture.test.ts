/**
 * ARCHITECTURE.md stays current: every TypeScript file under src/ and workers/ is named in it, and
 * every `.ts` file it names exists. The document names a file by its path inside the folder its
 * paragraph is about (`schedulers/round-robin.ts` under src/hv/, `layout.ts` under src/shm/), so
 * a file counts as named when a backticked `.ts` path in the document is its path relative to the
 * repository or any tail of it that starts at a `/` (`src/hv/ple.ts`, `hv/ple.ts`, `ple.ts`); a
 * named path counts as existing when it is such a tail of a file in src/, workers/, bench/, test/
 * or tools/.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const doc = readFileSync(join(ROOT, 'ARCHITECTURE.md'), 'utf8');

/** Every `.ts` file under a folder of the repository, as a path from the root with / separators. */
function tsFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .map((f) => `${folder}/${f.replaceAll('\\', '/')}`)
    .filter((f) => f.endsWith('.ts'));
}

/** A path and every tail of it that starts after a `/`: src/hv/ple.ts, hv/ple.ts, ple.ts. */
function tails(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_, i) => parts.slice(i).join('/'));
}

/** Every backticked `.ts` path in the document (`src/hv/ple.ts`, `ple.ts`; not `*.test.ts`). */
const named = new Set([...doc.matchAll(/`([\w./-]+\.ts)`/g)].map((m) => m[1]!).filter((p) => !p.includes('*')));

describe('ARCHITECTURE.md', () => {
  it('names every TypeScript file under src/ and workers/', () => {
    const sources = [...tsFiles('src'), ...tsFiles('workers')];
    expect(sources.length).toBeGreaterThan(50);
    expect(sources.filter((f) => !tails(f).some((t) => named.has(t)))).toEqual([]);
  });

  it('names no .ts file that does not exist', () => {
    const known = new Set(['src', 'workers', 'bench', 'test', 'tools'].flatMap(tsFiles).flatMap(tails));
    expect([...named].filter((p) => !known.has(p))).toEqual([]);
  });
});
