/**
 * The package as a user gets it from the registry: `npm pack` (its prepack builds the package:
 * dist/src, dist/workers and schema/, without source maps), installed from the tarball into an
 * empty folder, where `npx spinvisor run | compare | presets | schema` work and the library
 * imports; publint and @arethetypeswrong/cli find nothing to report.
 *
 * Not part of `npm test`: the install reaches the registry for the dependencies and the whole
 * check takes half a minute. CI runs it as its own step: `npm run test:package`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string; license: string };
const PRESETS = readdirSync(join(ROOT, 'presets'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));
/** The only places a shipped file may point to outside the package: the project's home, and the JSON Schema dialect ($schema). */
// The package's own pages, the JSON Schema dialect, and the SVG namespace (an identifier every
// drawing of the timeline view declares, not a document it refers to).
const ALLOWED_URLS = [
  /^https:\/\/github\.com\/spinvisor\/spinvisor(\.git|\/issues|#readme)?$/,
  /^https:\/\/json-schema\.org\/draft\/2020-12\/schema$/,
  /^http:\/\/www\.w3\.org\/2000\/svg$/,
];

interface Outcome {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function sh(command: string, args: readonly string[], cwd: string): Outcome {
  const child = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    timeout: 120_000,
    shell: process.platform === 'win32',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: child.status, stdout: child.stdout ?? '', stderr: `${child.error?.message ?? ''}${child.stderr ?? ''}` };
}

/** Exit 0, or a failure that shows what the command said. */
function ok(outcome: Outcome, what: string): Outcome {
  expect(outcome.status, `${what} exited ${outcome.status}:\n${outcome.stdout.slice(-2000)}\n${outcome.stderr.slice(-2000)}`).toBe(0);
  return outcome;
}

/** Every file under `dir`, relative to it, with / separators. */
function walk(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => statSync(join(dir, f)).isFile())
    .map((f) => f.split(sep).join('/'))
    .sort();
}

let tmp = '';
let tarball = '';
let app = '';
/** Where the package is installed. */
let installed = '';
const npx = (...args: string[]) => sh('npx', ['spinvisor', ...args], app);

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'spinvisor-package-'));
  const packed = ok(sh('npm', ['pack', '--silent', '--pack-destination', tmp], ROOT), 'npm pack');
  tarball = join(tmp, packed.stdout.trim().split('\n').at(-1)!);
  app = join(tmp, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'spinvisor-package-check', private: true, type: 'module' }, null, 2)}\n`);
  ok(sh('npm', ['install', '--no-audit', '--no-fund', tarball], app), 'npm install <tarball>');
  installed = join(app, 'node_modules', pkg.name);
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the build, the presets, their JSON Schema, the reproductions, LICENSE and README, and nothing else', () => {
    expect(tarball).toMatch(new RegExp(`${pkg.name}-${pkg.version.replace(/\./g, '\\.')}\\.tgz$`));
    const files = walk(installed);
    const top = [...new Set(files.map((f) => (f.startsWith('dist/') ? f.split('/').slice(0, 2).join('/') : f.split('/')[0]!)))].sort();
    expect(top).toEqual(['LICENSE', 'README.md', 'dist/src', 'dist/workers', 'package.json', 'presets', 'reproductions', 'schema']);
    for (const f of ['dist/src/index.js', 'dist/src/index.d.ts', 'dist/src/cli/main.js', 'dist/workers/pcpu.js', 'schema/scenario.schema.json'])
      expect(files, f).toContain(f);
    expect(files.filter((f) => f.startsWith('presets/')).sort()).toEqual(PRESETS.map((p) => `presets/${p}.json`).sort());
    expect(readFileSync(join(installed, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(pkg.license).toBe('MIT');
  });

  it('ships no source maps and no reference to them', () => {
    const files = walk(installed);
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    expect(files.filter((f) => /\.[cm]?js$|\.d\.ts$/.test(f) && readFileSync(join(installed, f), 'utf8').includes('sourceMappingURL'))).toEqual([]);
  });

  it("resolves every preset's $schema inside the package", () => {
    for (const preset of PRESETS) {
      const file = join(installed, 'presets', `${preset}.json`);
      const { $schema } = JSON.parse(readFileSync(file, 'utf8')) as { $schema?: string };
      if ($schema === undefined) continue;
      const target = resolve(dirname(file), $schema);
      expect(relative(installed, target).startsWith('..'), `${preset}: ${$schema} stays inside the package`).toBe(false);
      expect(existsSync(target), `${preset}: ${$schema} exists`).toBe(true);
    }
  });

  it('refers to no document outside the repository (code, JSON Schema, presets, package.json)', () => {
    // README.md is documentation and may link to tools; it is read on the repository's page. A reproduction
    // records the published figures with the link to their source: those links are its point.
    const urls = walk(installed)
      .filter((f) => f !== 'README.md' && !f.startsWith('reproductions/'))
      .flatMap((f) => [...readFileSync(join(installed, f), 'utf8').matchAll(/\bhttps?:\/\/[^\s"'`)<>\]]+/g)].map((m) => `${f}: ${m[0]}`));
    expect(urls.filter((u) => !ALLOWED_URLS.some((re) => re.test(u.slice(u.indexOf(': ') + 2))))).toEqual([]);
  });
});

describe('npx spinvisor, installed from the tarball', () => {
  it('reproduce: lists every shipped reproduction', () => {
    const out = ok(npx('reproduce', '--list'), 'npx spinvisor reproduce --list');
    for (const file of readdirSync(join(ROOT, 'reproductions'))) expect(out.stdout).toMatch(new RegExp(`^${file.replace(/\.json$/, '')}\\b`, 'm'));
  });

  it('presets: lists every shipped preset', () => {
    const out = ok(npx('presets'), 'npx spinvisor presets');
    for (const preset of PRESETS) expect(out.stdout).toMatch(new RegExp(`^${preset}\\b`, 'm'));
  });

  it('run: runs the default preset and its self-checks pass', () => {
    const out = ok(npx('run', '--duration-ms', '200'), 'npx spinvisor run');
    expect(out.stdout).toMatch(/✓ every-vcpu-ran/);
    expect(out.stdout).not.toMatch(/✗/);
  });

  it('compare: runs it under each spin-wait policy', () => {
    const out = ok(npx('compare', 'contended', '--vms', '2', '--duration-ms', '200'), 'npx spinvisor compare');
    expect(out.stdout).toMatch(/naive/);
    expect(out.stdout).toMatch(/notify/);
  });

  it('schema: prints the JSON Schema the package ships', () => {
    const out = ok(npx('schema'), 'npx spinvisor schema');
    expect(JSON.parse(out.stdout)).toEqual(JSON.parse(readFileSync(join(installed, 'schema', 'scenario.schema.json'), 'utf8')));
  });

  it("--version: the package's version", () => {
    expect(ok(npx('--version'), 'npx spinvisor --version').stdout.trim()).toBe(pkg.version);
  });

  it('imports as a library, from an ES module and (Node >= 20.19) from CommonJS', () => {
    const esm = ok(
      sh(process.execPath, ['--input-type=module', '-e', `const m = await import('${pkg.name}'); console.log(typeof m.simulate);`], app),
      'import',
    );
    expect(esm.stdout.trim()).toBe('function');
    const cjs = ok(sh(process.execPath, ['--input-type=commonjs', '-e', `console.log(typeof require('${pkg.name}').simulate);`], app), 'require');
    expect(cjs.stdout.trim()).toBe('function');
  });
});

describe('package linters on the tarball', () => {
  it('publint: all good', () => {
    const out = ok(sh(join(ROOT, 'node_modules/.bin/publint'), ['run', '--strict', tarball], ROOT), 'publint');
    expect(out.stdout).toMatch(/All good!/);
  });

  // An ES-module package, so the esm-only profile: attw does not count the CommonJS resolutions
  // (node10, and node16 from CJS, where TypeScript sees "dynamic import only"; Node >= 20.19, the
  // package's engines, does require() it). It exits non-zero on any problem it does count.
  it('@arethetypeswrong/cli: no problems', () => {
    const out = ok(sh(join(ROOT, 'node_modules/.bin/attw'), ['--profile', 'esm-only', '--no-color', '--no-emoji', tarball], ROOT), 'attw');
    expect(out.stdout.split('\n').filter((line) => /\b(error|warning|problem|resolved to)\b/i.test(line) && !line.startsWith('(ignored'))).toEqual([]);
  });
});
