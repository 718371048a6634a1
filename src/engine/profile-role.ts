/**
 * How a thread tells `npm run profile` which role it plays, for profiles that cannot say so:
 * `node --cpu-prof` names each file after the thread's id, and `node --prof` names each log
 * after its isolate's address, with no thread id at all. Off unless the profile driver sets
 * SPINVISOR_PROFILE_ROLES to a folder; a worker reads it once, when its module loads, and
 * announces its role once per task, before the run: never on the hot path, never in a normal run.
 *
 * Ownership: each thread writes only its own role file (`<pid>.<threadId>.role`, one line per
 * role it took); the driver reads them after the process has exited.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';

/** The environment variable the profile driver sets: the folder role files go to. */
export const PROFILE_ROLES_ENV = 'SPINVISOR_PROFILE_ROLES';

/** Every role marker's name starts with this; the rest is the role with `-` written `_`. */
export const ROLE_MARKER_PREFIX = 'spinvisor_role_';

/** A role: lower-case words and numbers joined by `-` (`pcpu-3`), so it is also an identifier once `-` becomes `_`. */
const ROLE = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** The folder role files go to, or null when no profile was requested. */
export function profileRolesDir(env: NodeJS.ProcessEnv = process.env): string | null {
  const dir = env[PROFILE_ROLES_ENV];
  // An empty value is no folder, as an unset one.
  if (!dir) return null;
  return dir;
}

/** `pcpu-3` → `spinvisor_role_pcpu_3`, the name of the function that marks the role in a `--prof` log. */
export function roleMarkerName(role: string): string {
  if (!ROLE.test(role)) throw new Error(`profile role "${role}": expected lower-case words joined by "-"`);
  return ROLE_MARKER_PREFIX + role.replaceAll('-', '_');
}

/**
 * Marks this thread as `role`: compiles and calls a function named after the role (so the name
 * appears in this isolate's code-creation events, which `--prof` logs) and records this
 * thread's id against the role in `dir` (for the `--cpu-prof` file names).
 */
export function announceProfileRole(dir: string, role: string): void {
  const marker = roleMarkerName(role);
  // Indirect eval: a fresh global-scope function, compiled in this isolate and so logged by it.
  ((0, eval)(`(function ${marker}() { return 0; })`) as () => number)();
  appendFileSync(join(dir, `${process.pid}.${threadId}.role`), `${role}\n`);
}
