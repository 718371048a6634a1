/**
 * The documents hold together: README.md stays short (at most 300 lines: what it is, a quick
 * start, the headline figures, links), and every relative link in the repository's documents
 * reaches a file that exists and, with a `#fragment`, a heading of that file (GitHub's anchors:
 * the heading in lower case, punctuation dropped, spaces as hyphens).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOCUMENTS = [
  'README.md',
  'CONTRIBUTING.md',
  'ARCHITECTURE.md',
  'bench/README.md',
  'bench/micro/README.md',
  'examples/README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

/** The lines of a Markdown file outside its code blocks. */
function prose(file: string): string[] {
  let fenced = false;
  return readFileSync(join(ROOT, file), 'utf8')
    .split('\n')
    .filter((line) => {
      if (line.startsWith('```')) fenced = !fenced;
      return !fenced;
    });
}

/** GitHub's anchor of a heading: lower case, every character but letters, digits, `-`, `_` and spaces dropped, spaces as `-`. */
function anchor(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  return new Set(
    prose(file)
      .flatMap((line) => /^#{1,6} (.+)$/.exec(line)?.[1] ?? [])
      .map(anchor),
  );
}

describe('the documents', () => {
  it('keep README.md to at most 300 lines', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
  });

  it('link only to files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of DOCUMENTS) {
      for (const line of prose(file)) {
        for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/.test(target!)) continue; // a URL, not a file of the repository
          const [path, fragment] = target!.split('#') as [string, string | undefined];
          const resolved = path === '' ? file : relative(ROOT, join(ROOT, dirname(file), path));
          if (!existsSync(join(ROOT, resolved))) broken.push(`${file}: ${target} (no file ${resolved})`);
          else if (fragment !== undefined && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment))
            broken.push(`${file}: ${target} (no heading #${fragment} in ${resolved})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
