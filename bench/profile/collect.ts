/**
 * Moves the profilers' raw files into the output folder under their threads' roles:
 * `<role>.cpuprofile` and `<role>.v8.log`.
 */
import { readdirSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { compareRoles, cpuProfileRole, parseCpuProfileName, readRoleFiles, unknownLogRole, v8LogRole } from './roles.js';

/** A role and the file now holding its profile. */
export interface RoleFile {
  readonly role: string;
  readonly file: string;
}

/** `CPU.*.cpuprofile` in `rawDir` → `<out>/<role>.cpuprofile`, roles from the thread ids the threads announced in `rolesDir`. */
export function collectCpuProfiles(rawDir: string, rolesDir: string, out: string): RoleFile[] {
  const announced = readRoleFiles(rolesDir);
  const found = readdirSync(rawDir).flatMap((file) => {
    const name = parseCpuProfileName(file);
    return name ? [{ file, role: cpuProfileRole(name, announced) }] : [];
  });
  return moveAll(rawDir, out, found, '.cpuprofile');
}

/** `isolate-*-v8.log` in `rawDir` → `<out>/<role>.v8.log`, roles from each log's content. */
export function collectV8Logs(rawDir: string, out: string): RoleFile[] {
  const found = readdirSync(rawDir)
    .filter((file) => /^isolate-.*\.log$/.test(file))
    .map((file) => ({ file, role: v8LogRole(readFileSync(join(rawDir, file), 'utf8')) ?? unknownLogRole(file) }));
  return moveAll(rawDir, out, found, '.v8.log');
}

function moveAll(rawDir: string, out: string, found: readonly { file: string; role: string }[], suffix: string): RoleFile[] {
  const taken = new Set<string>();
  const moved: RoleFile[] = [];
  for (const { file, role: wanted } of [...found].sort((a, b) => compareRoles(a.role, b.role) || a.file.localeCompare(b.file))) {
    // Two files with one role would be a bug in the identification: keep both, visibly.
    let role = wanted;
    for (let n = 2; taken.has(role); n++) role = `${wanted}-dup${n}`;
    taken.add(role);
    const target = join(out, `${role}${suffix}`);
    renameSync(join(rawDir, file), target);
    moved.push({ role, file: target });
  }
  return moved;
}
