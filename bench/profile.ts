/**
 * `npm run profile -- [scenario] [flags]`: profiles one scenario, every thread on its own.
 *
 *   1. runs `spinvisor run` from dist/ under `node --cpu-prof`, then under `node --prof`;
 *   2. names each thread's profile after its role (bench/profile/roles.ts):
 *      main.cpuprofile, pcpu-0.cpuprofile, …, main.v8.log, pcpu-0.v8.log, …;
 *   3. runs `node --prof-process` on each log (→ <role>.prof.txt);
 *   4. prints each thread's hottest functions under both profilers, and where the files are.
 *
 * Bad input is one line and exit 2, before anything runs; a failed run or profiler exit 1.
 */
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../src/config/package-root.js';
import { ConfigError } from '../src/config/schema.js';
import { writeJsonAtomically, writeTextAtomically } from '../src/io/output-file.js';
import { capture, type Profiler } from './profile/capture.js';
import { collectCpuProfiles, collectV8Logs, type RoleFile } from './profile/collect.js';
import { readCpuProfile } from './profile/cpuprofile.js';
import { parseProfileOptions } from './profile/options.js';
import { parseProfProcess, runProfProcess } from './profile/prof-process.js';
import { LEGEND, hotRows, renderFiles, renderThread, type ThreadReport } from './profile/report.js';
import { compareRoles } from './profile/roles.js';

const PROFILERS: readonly Profiler[] = ['cpu-prof', 'prof'];

async function main(): Promise<number> {
  const options = parseProfileOptions(process.argv.slice(2));
  if (!options) return 0;
  const { spec, config, runArgs, out, top } = options;
  const root = packageRoot();
  mkdirSync(out, { recursive: true });

  const threads = config.engine === 'virtual' ? 'the virtual engine: every pCPU on the main thread' : `${config.pcpus} pCPU threads`;
  console.log(`spinvisor profile: ${spec} · ${threads} · ${config.durationMs} ms, once per profiler`);
  let selfChecksFailed = false;
  const raw: Record<Profiler, { dir: string; roles: string }> = {
    'cpu-prof': { dir: join(out, '.raw-cpu-prof'), roles: join(out, '.roles-cpu-prof') },
    prof: { dir: join(out, '.raw-prof'), roles: join(out, '.roles-prof') },
  };
  for (const profiler of PROFILERS) {
    const { dir, roles } = raw[profiler];
    mkdirSync(dir, { recursive: true });
    mkdirSync(roles, { recursive: true });
    const run = await capture(profiler, dir, roles, runArgs);
    const table = `run-${profiler}.txt`;
    writeTextAtomically(join(out, table), run.stdout, 'out');
    if (run.code !== 0 && run.code !== 1) throw new Error(`the run under --${profiler} failed (exit ${run.code}); its output is in ${join(out, table)}`);
    if (run.code === 1) selfChecksFailed = true;
    const elapsed = /(elapsed [\d.]+ \w+|took [\d.]+ \w+ on the host)/.exec(run.stdout)?.[1];
    console.log(`  --${profiler}: ${run.code === 0 ? 'done' : 'done, self-checks FAILED'}${elapsed ? ` (${elapsed})` : ''}; its table: ${table}`);
  }

  const cpuProfiles = collectCpuProfiles(raw['cpu-prof'].dir, raw['cpu-prof'].roles, out);
  const logs = collectV8Logs(raw.prof.dir, out);
  for (const { dir, roles } of Object.values(raw)) {
    rmSync(dir, { recursive: true, force: true });
    rmSync(roles, { recursive: true, force: true });
  }
  if (cpuProfiles.length === 0 && logs.length === 0) throw new Error('the runs wrote no profiles');
  // One --prof-process at a time would leave a core idle; all at once is fine for a few threads.
  const texts = await Promise.all(
    logs.map(async ({ role, file }) => {
      const text = join(out, `${role}.prof.txt`);
      await runProfProcess(file, text);
      return { role, file: text };
    }),
  );

  const reports = threadReports(cpuProfiles, texts, root);
  console.log();
  for (const thread of reports) console.log(`${renderThread(thread, top)}\n`);
  console.log(LEGEND);
  if (config.engine === 'threads' && !reports.some((r) => r.role.startsWith('pcpu-'))) console.log("\nwarning: no profile was identified as a pCPU thread's");
  writeJsonAtomically(join(out, 'summary.json'), summary(spec, runArgs, reports, top), 'out');
  console.log(
    `\n${renderFiles(out, [
      { what: '--cpu-prof, one per thread', files: cpuProfiles.map((f) => f.file) },
      { what: '--prof, one log per thread', files: logs.map((f) => f.file) },
      { what: 'node --prof-process of each log', files: texts.map((f) => f.file) },
      { what: "the runs' tables, the tables above as JSON", files: ['run-cpu-prof.txt', 'run-prof.txt', 'summary.json'] },
    ])}`,
  );
  if (selfChecksFailed) console.error('profile: a run failed its self-checks (see run-*.txt); its profiles were kept');
  return selfChecksFailed ? 1 : 0;
}

function threadReports(cpuProfiles: readonly RoleFile[], texts: readonly RoleFile[], root: string): ThreadReport[] {
  const roles = [...new Set([...cpuProfiles, ...texts].map((f) => f.role))].sort(compareRoles);
  return roles.map((role) => {
    const cpu = cpuProfiles.find((f) => f.role === role);
    const text = texts.find((f) => f.role === role);
    return {
      role,
      cpuProf: cpu ? readCpuProfile(cpu.file, root) : undefined,
      prof: text ? parseProfProcess(readFileSync(text.file, 'utf8'), root) : undefined,
    };
  });
}

function summary(spec: string, runArgs: readonly string[], reports: readonly ThreadReport[], top: number) {
  return {
    scenario: spec,
    run: ['spinvisor', 'run', ...runArgs].join(' '),
    threads: reports.map((r) => ({
      role: r.role,
      prof: r.prof ? { notes: r.prof.notes, total: r.prof.total } : null,
      cpuProf: r.cpuProf ? { notes: r.cpuProf.notes, total: r.cpuProf.total } : null,
      top: hotRows(r, top),
      unaccountedCallers: r.prof?.unaccountedCallers?.slice(0, top) ?? [],
    })),
  };
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(`profile: ${message.split('\n')[0]}`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
