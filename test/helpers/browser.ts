/**
 * Which Chromium a browser test drives (through playwright-core, which launches a given binary
 * and downloads nothing). In order:
 *
 * 1. `$CHROMIUM`, when set: it must be an executable file, or the lookup fails (a path set by
 *    hand and wrong is a mistake to report, not a reason to pick another browser);
 * 2. a Chromium or Chrome already installed: on the PATH, in the usual places on macOS and
 *    Windows, or the one `npx playwright install chromium` downloads;
 * 3. on Linux x64, the Chromium that the `@sparticuz/chromium` dev dependency ships inside its npm
 *    tarball (brotli-compressed; of the system it needs only libc). It is unpacked once into
 *    node_modules/.cache/spinvisor/, atomically, so `npm ci` clears it and a concurrent or
 *    interrupted unpack never leaves a half-written binary behind.
 *
 * None of these (say macOS without Chrome): `findBrowser()` returns null and the caller skips,
 * with BROWSER_MISSING, except under CI=true where it fails.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** One line: how to get a browser where none was found. */
export const BROWSER_MISSING =
  'no Chromium or Chrome found: install Google Chrome or Chromium, or set CHROMIUM=/path/to/chrome (on Linux x64 `npm ci` provides one through @sparticuz/chromium)';

export interface FoundBrowser {
  readonly executablePath: string;
  /** Flags this binary needs, besides the ones every launch gets. */
  readonly args: readonly string[];
  /** Environment for the browser process (the whole of it). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Where it came from, for messages: `$CHROMIUM`, `installed`, `@sparticuz/chromium 153.0.0`. */
  readonly source: string;
}

/** Under CI=true a missing browser fails the run instead of skipping the test. */
export const browserRequired = (): boolean => process.env.CI === 'true';

const isExecutable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/** Chromium or Chrome already on this machine, or null. */
function installedBrowser(): string | null {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .flatMap((dir) => ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'].map((name) => join(dir, name)));
  const programFiles = [process.env.PROGRAMFILES, process.env['PROGRAMFILES(X86)'], process.env.LOCALAPPDATA].filter((d): d is string => !!d);
  const candidates = [
    ...onPath,
    '/opt/google/chrome/chrome',
    ...['/Applications', join(homedir(), 'Applications')].flatMap((apps) => [
      join(apps, 'Google Chrome.app/Contents/MacOS/Google Chrome'),
      join(apps, 'Chromium.app/Contents/MacOS/Chromium'),
    ]),
    ...programFiles.flatMap((dir) => [join(dir, 'Google/Chrome/Application/chrome.exe'), join(dir, 'Chromium/Application/chrome.exe')]),
  ];
  try {
    // Where `npx playwright install chromium` puts playwright-core's own build.
    candidates.push(chromium.executablePath());
  } catch {
    // playwright-core knows of no build for this platform.
  }
  return candidates.find(isExecutable) ?? null;
}

/** The Chromium shipped by @sparticuz/chromium, unpacked (once) into node_modules/.cache; null off Linux x64 or when it is not installed. */
function shippedBrowser(): FoundBrowser | null {
  if (process.platform !== 'linux' || process.arch !== 'x64') return null;
  let entry: string;
  try {
    entry = createRequire(join(ROOT, 'package.json')).resolve('@sparticuz/chromium');
  } catch {
    return null;
  }
  const version = (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(ROOT, 'node_modules', '.cache', 'spinvisor', `chromium-${version}`);
  const executablePath = join(dir, 'chromium');
  if (!existsSync(executablePath)) unpack(entry, dir);

  // Its own flags (headless shell, no zygote, single process, no sandbox, SwiftShader for
  // graphics), read in a child like the unpacking: the module is meant for serverless hosts and
  // sets up their environment on import.
  const args = spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { default: c } = await import(${JSON.stringify(pathToFileURL(entry).href)}); process.stdout.write(JSON.stringify(c.args));`,
    ],
    {
      encoding: 'utf8',
      timeout: 30_000,
    },
  );
  if (args.status !== 0) throw new Error(`@sparticuz/chromium: could not read its flags: ${args.stderr.trim()}`);
  // Its fonts (Open Sans) where the system has none, the system's fonts as well where it has some.
  const fontsConf = join(dir, 'fonts.conf');
  if (!existsSync(fontsConf))
    writeFileSync(
      fontsConf,
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${join(dir, 'fonts')}</dir>\n  <cachedir>${join(dir, 'fontconfig-cache')}</cachedir>\n</fontconfig>\n`,
    );
  return {
    executablePath,
    args: JSON.parse(args.stdout) as string[],
    env: { ...process.env, FONTCONFIG_FILE: fontsConf },
    source: `@sparticuz/chromium ${version}`,
  };
}

/**
 * Unpacks the brotli archives of @sparticuz/chromium into `dir`. The package unpacks into
 * os.tmpdir(), so a child process does it with TMPDIR set to a fresh folder beside `dir`, which is
 * then renamed into place: a reader sees the whole browser or none of it.
 */
function unpack(entry: string, dir: string): void {
  mkdirSync(dirname(dir), { recursive: true });
  const staging = mkdtempSync(`${dir}.unpacking-`);
  try {
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const { default: c } = await import(${JSON.stringify(pathToFileURL(entry).href)}); await c.executablePath();`],
      { encoding: 'utf8', timeout: 120_000, env: { ...process.env, TMPDIR: staging } },
    );
    if (child.status !== 0 || !isExecutable(join(staging, 'chromium')))
      throw new Error(`@sparticuz/chromium: unpacking its Chromium failed (${child.error?.message ?? `exit ${child.status}`}): ${child.stderr.trim()}`);
    try {
      renameSync(staging, dir);
    } catch (error) {
      // Another run unpacked it first: use theirs.
      if (!existsSync(join(dir, 'chromium'))) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** The browser to test with, or null when this machine has none. Throws when $CHROMIUM is set but is not an executable file. */
export function findBrowser(): FoundBrowser | null {
  const fromEnv = process.env.CHROMIUM;
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new Error(`CHROMIUM=${fromEnv} is not an executable file; unset it to use an installed Chromium or Chrome, or the one npm ships on Linux x64`);
    return { executablePath: fromEnv, args: [], env: process.env, source: '$CHROMIUM' };
  }
  const installed = installedBrowser();
  if (installed) return { executablePath: installed, args: [], env: process.env, source: 'installed' };
  return shippedBrowser();
}
