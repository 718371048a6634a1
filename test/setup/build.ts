/**
 * Vitest global setup: builds dist/ (the steps of `npm run build`) before the run when it is
 * missing or older than the sources, so that `npm test` on a fresh clone needs nothing but
 * `npm ci`. Tests that run the build (test/integration/profile.test.ts: dist/bench/profile.js)
 * find it there.
 *
 * "Older" is measured against dist/.build-stamp, written after each build this setup makes with
 * the time the build started: a source saved during the build is seen by the next run. A build
 * made by hand (`npm run build`) leaves the stamp as it was, so the next run may build once more.
 * Global setup runs once per `vitest run`, in the main process, before any test file.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const STAMP = join(ROOT, 'dist', '.build-stamp');
/** What the build reads: a change to any of these makes dist/ stale. */
const INPUTS = ['src', 'workers', 'bench', 'tsconfig.json'];
/** What the tests take from the build: one missing (a `npm pack` builds only the package's part) means rebuild. */
const OUTPUTS = ['dist/src/cli/main.js', 'dist/workers/pcpu.js', 'dist/bench/profile.js', 'schema/scenario.schema.json'];

/** The newest modification time (ms) under `path`, and the file that has it. */
function newest(path: string): { mtimeMs: number; file: string } {
  const stat = statSync(path);
  if (!stat.isDirectory()) return { mtimeMs: stat.mtimeMs, file: path };
  let best = { mtimeMs: 0, file: path };
  for (const entry of readdirSync(path)) {
    const found = newest(join(path, entry));
    if (found.mtimeMs > best.mtimeMs) best = found;
  }
  return best;
}

/** Why dist/ must be built, or null when it is up to date. */
function staleness(): string | null {
  const missing = OUTPUTS.find((file) => !existsSync(join(ROOT, file)));
  if (missing) return `${missing} is missing`;
  if (!existsSync(STAMP)) return 'dist/ was not built by the test setup';
  const built = statSync(STAMP).mtimeMs;
  for (const input of INPUTS) {
    const found = newest(join(ROOT, input));
    if (found.mtimeMs > built) return `${relative(ROOT, found.file)} changed since`;
  }
  return null;
}

const firstLines = (text: string, n: number): string => {
  const lines = text.split('\n');
  return lines.length > n ? [...lines.slice(0, n), `… ${lines.length - n} more lines`].join('\n') : text;
};

/** Runs `node args…` in the root; returns its exit code and output. */
function node(...args: string[]): { status: number | null; output: string } {
  const child = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  return { status: child.status, output: `${child.error?.message ?? ''}${child.stdout ?? ''}${child.stderr ?? ''}`.trim() };
}

export default function setup(): void {
  const why = staleness();
  if (!why) return;
  const started = Date.now();
  // The steps of `npm run build`, run here so that type errors can be told from a failed build.
  console.log(`test setup: building dist/ as \`npm run build\` does (${why})`);
  const tsc = node(join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json');
  // tsc's exit 2: type errors, JavaScript emitted all the same. Vitest does not type-check the
  // sources either (\`npm run typecheck\` does), so the run goes on, and the next one builds again.
  if (tsc.status === 2)
    console.warn(`test setup: tsc reported type errors (see \`npm run typecheck\`); testing the JavaScript it emitted:\n${firstLines(tsc.output, 10)}`);
  else if (tsc.status !== 0) throw new Error(`test setup: \`tsc -p tsconfig.json\` failed (exit ${tsc.status}); the tests need dist/:\n${tsc.output}`);
  const schema = node('dist/src/config/write-json-schema.js');
  if (schema.status !== 0) throw new Error(`test setup: writing the JSON Schema failed (exit ${schema.status}):\n${schema.output}`);
  chmodSync(join(ROOT, 'dist/src/cli/main.js'), 0o755);
  if (tsc.status !== 0) return;
  writeFileSync(STAMP, `${new Date(started).toISOString()}\n`);
  utimesSync(STAMP, started / 1000, started / 1000);
}
