/**
 * One profiled run: `node <profiler flags> dist/src/cli/main.js run <scenario> [flags]`, with
 * SPINVISOR_PROFILE_ROLES set so each pCPU thread announces its role. Worker threads inherit
 * the profiler flags (the pCPU pool passes no execArgv of its own when running from dist/).
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROFILE_ROLES_ENV } from '../../src/engine/profile-role.js';

export type Profiler = 'cpu-prof' | 'prof';

export interface Capture {
  /** The run's exit code: 0, or 1 when a self-check failed. */
  readonly code: number | null;
  /** The run's table. */
  readonly stdout: string;
}

/** The command line, built next to this file (a profile of the TypeScript sources would be of tsx's output). */
function cliMain(): string {
  const url = new URL('../../src/cli/main.js', import.meta.url);
  if (import.meta.url.endsWith('.ts')) throw new Error('the profile driver runs from dist/: npm run profile (it builds first)');
  return fileURLToPath(url);
}

/** Node's flags for each profiler, writing into `dir`. */
function profilerFlags(profiler: Profiler, dir: string): string[] {
  return profiler === 'cpu-prof' ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : ['--prof', `--logfile=${join(dir, 'v8.log')}`];
}

/** Runs the scenario once under `profiler`; its warnings go straight to this process's stderr. */
export function capture(profiler: Profiler, dir: string, rolesDir: string, runArgs: readonly string[]): Promise<Capture> {
  const args = [...profilerFlags(profiler, dir), cliMain(), 'run', ...runArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: { ...process.env, [PROFILE_ROLES_ENV]: rolesDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}
