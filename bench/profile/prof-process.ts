/**
 * `node --prof-process` on one isolate's `--prof` log, and the parsing of its text: the flat
 * sections ([JavaScript], [C++], [Shared libraries]) give each function's self ticks; the
 * header gives the total and the unaccounted ticks, [Summary] the ticks spent in GC, and the
 * bottom-up tree who called into the unaccounted code. Node 20's tick processor leaves ticks
 * in the node binary's own code (C++, and builtins such as Atomics.*) unaccounted
 * (nodejs/node#48263), so on a pCPU thread a good part of them belong to the guest loop.
 */
import { spawn } from 'node:child_process';
import { writeTextAtomically } from '../../src/io/output-file.js';
import { functionName, mergeFunctions, shortWhere, type HotFunction, type ThreadProfile } from './hot-functions.js';

/**
 * Runs `node --prof-process LOG > OUT` (OUT written whole, once the tick processor is done);
 * rejects with the first line of its error output if it fails.
 */
export function runProfProcess(log: string, out: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, ['--prof-process', log], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) {
        try {
          writeTextAtomically(out, Buffer.concat(stdout).toString('utf8'), 'out');
          resolve();
        } catch (error) {
          reject(error as Error);
        }
        return;
      }
      // Node 20's --prof-process warns about VM modules on stderr; report the first other line.
      const line = stderr.split('\n').find((l) => l.trim() !== '' && !/ExperimentalWarning|--trace-warnings/.test(l));
      reject(new Error(`node --prof-process ${log} failed (exit ${code}): ${line ?? 'no message'}`));
    });
  });
}

const FLAT_SECTIONS: Readonly<Record<string, string>> = { JavaScript: 'JS', 'C++': 'C++', 'Shared libraries': 'shared library' };

/** A row of a flat section: ticks, total %, an optional nonlib %, the name. */
const ROW = /^\s*(\d+)\s+[\d.]+%\s+(?:[\d.]+%\s+)?(\S.*)$/;
/** `JS: *step file:///…/pcpu-core.js:111:9`: tier mark, name (may be empty), script and position. */
const JS_ROW = /^JS: ([~^+*]?)(.*?)\s*(\S+?):(\d+):(\d+)$/;

/** The functions of a `--prof-process` text, with shares of the isolate's ticks. */
export function parseProfProcess(text: string, root: string): ThreadProfile {
  const header = /\((\d+) ticks, (\d+) unaccounted, (\d+) excluded\)/.exec(text);
  if (!header) throw new Error('not a --prof-process report: no "(N ticks, N unaccounted, N excluded)" header');
  const total = Number(header[1]);
  const unaccounted = Number(header[2]);
  const entries: Omit<HotFunction, 'share'>[] = [];
  const callers: Omit<HotFunction, 'share'>[] = [];
  let section: string | null = null;
  let gc: number | null = null;
  let inUnknown = false;
  for (const line of text.split('\n')) {
    const title = /^ \[(.+)\]:\s*$/.exec(line);
    if (title) {
      section = title[1]!;
      continue;
    }
    if (section === 'Bottom up (heavy) profile') {
      const node = TREE_ROW.exec(line);
      if (!node) continue;
      const depth = (node[2]!.length - 2) / 2;
      if (depth === 0) inUnknown = node[3] === 'UNKNOWN';
      else if (depth === 1 && inUnknown) callers.push({ ...describe(treeKind(node[3]!), node[3]!, root), count: Number(node[1]) });
      continue;
    }
    const row = ROW.exec(line);
    if (!row || section === null) continue;
    const count = Number(row[1]);
    const name = row[2]!.trim();
    if (section === 'Summary') {
      if (name === 'GC') gc = count;
    } else if (section in FLAT_SECTIONS) {
      entries.push({ ...describe(FLAT_SECTIONS[section]!, name, root), count });
    }
  }
  if (unaccounted > 0) entries.push({ name: '(unaccounted)', where: '', count: unaccounted });
  const notes = [`${total} ticks`, `${unaccounted} unaccounted`];
  if (gc !== null) notes.push(`${gc} in GC`);
  return { total, functions: mergeFunctions(entries, total), notes, unaccountedCallers: mergeFunctions(callers, unaccounted) };
}

/** A row of the bottom-up tree: ticks, share of the parent, the indent that gives the depth (2 spaces a level), the name. */
const TREE_ROW = /^\s*(\d+)\s+[\d.]+%( +)(\S.*)$/;

function treeKind(name: string): string {
  if (name.startsWith('JS: ')) return 'JS';
  return name.startsWith('/') ? 'shared library' : 'C++';
}

function describe(kind: string, name: string, root: string): Pick<HotFunction, 'name' | 'where'> {
  if (kind === 'shared library') return { name: name.slice(name.lastIndexOf('/') + 1), where: kind };
  if (kind === 'JS') {
    const js = JS_ROW.exec(name);
    if (js) return { name: functionName(js[2]!), where: shortWhere(js[3]!, Number(js[4]), root) };
    // Builtins, stubs and code without a script: `JS: *Builtin: …`, `JS: ^<anonymous>`.
    return { name: functionName(name.replace(/^JS: [~^+*]?/, '')), where: 'JS' };
  }
  return { name, where: kind };
}
