/**
 * Which thread wrote which profile. `--cpu-prof` names its files
 * `CPU.<date>.<time>.<pid>.<tid>.<seq>.cpuprofile`: thread 0 is the main thread, and each pCPU
 * worker recorded its thread id in a role file (src/engine/profile-role.ts). `--prof` logs
 * carry no thread id: a pCPU's log holds the code-creation event of its role marker function,
 * the main thread's log the code of the command line (src/cli/main.js). Anything else is
 * labelled by what is known of it (`thread-<tid>`, `isolate-<address>`): there is no
 * controller thread yet.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLE_MARKER_PREFIX } from '../../src/engine/profile-role.js';

const MAIN_ROLE = 'main';

export interface CpuProfileName {
  readonly pid: number;
  readonly tid: number;
}

/** pid and thread id from a `--cpu-prof` file name, or null for any other file. */
export function parseCpuProfileName(file: string): CpuProfileName | null {
  const m = /^CPU\.\d+\.\d+\.(\d+)\.(\d+)\.\d+\.cpuprofile$/.exec(file);
  return m ? { pid: Number(m[1]), tid: Number(m[2]) } : null;
}

/** The roles the threads announced, by `<pid>.<tid>`; a thread that served several pCPUs lists them all. */
export function readRoleFiles(dir: string): Map<string, string[]> {
  const roles = new Map<string, string[]>();
  for (const file of readdirSync(dir)) {
    const m = /^(\d+\.\d+)\.role$/.exec(file);
    if (!m) continue;
    const lines = readFileSync(join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l !== '');
    roles.set(m[1]!, [...new Set(lines)]);
  }
  return roles;
}

/** The role of the thread that wrote a `.cpuprofile`. */
export function cpuProfileRole(name: CpuProfileName, announced: ReadonlyMap<string, readonly string[]>): string {
  if (name.tid === 0) return MAIN_ROLE;
  const roles = announced.get(`${name.pid}.${name.tid}`);
  return roles && roles.length > 0 ? roles.join('+') : `thread-${name.tid}`;
}

const MARKER = new RegExp(`^code-creation,[^\\n]*?[,\\s]${ROLE_MARKER_PREFIX}([a-z0-9_]+)[\\s,]`, 'gm');
const CLI_MAIN = /^code-creation,[^\n]*\/src\/cli\/main\.js:\d+/m;

/** The role of the isolate that wrote a `--prof` log, from its content; null when nothing tells. */
export function v8LogRole(log: string): string | null {
  const marked = new Set([...log.matchAll(MARKER)].map((m) => m[1]!.replaceAll('_', '-')));
  if (marked.size > 0) return [...marked].sort(compareRoles).join('+');
  return CLI_MAIN.test(log) ? MAIN_ROLE : null;
}

/** The label of a log nothing identified: its isolate's address, from `isolate-0x<addr>-<pid>-v8.log`. */
export function unknownLogRole(file: string): string {
  const m = /^isolate-0x([0-9a-f]+)-/.exec(file);
  return m ? `isolate-${m[1]}` : file.replace(/\.log$/, '');
}

/** main first, then pCPUs by number, then anything else by name. */
export function compareRoles(a: string, b: string): number {
  const rank = (r: string) => (r === MAIN_ROLE ? 0 : r.startsWith('pcpu-') ? 1 : 2);
  const pcpu = (r: string) => Number(/^pcpu-(\d+)/.exec(r)?.[1] ?? 0);
  return rank(a) - rank(b) || pcpu(a) - pcpu(b) || a.localeCompare(b);
}
