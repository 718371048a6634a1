/**
 * The profile driver's parsing: `--prof-process` text, `.cpuprofile` JSON, and which thread
 * wrote which profile. Samples are cut from real Node 20 output.
 */
import { describe, expect, it } from 'vitest';
import { summariseCpuProfile } from '../../bench/profile/cpuprofile.js';
import { shortWhere } from '../../bench/profile/hot-functions.js';
import { parseProfProcess } from '../../bench/profile/prof-process.js';
import { hotRows } from '../../bench/profile/report.js';
import { cpuProfileRole, parseCpuProfileName, unknownLogRole, v8LogRole } from '../../bench/profile/roles.js';
import { roleMarkerName } from '../../src/engine/profile-role.js';

const ROOT = '/pkg';

const PROF_PROCESS = `Statistical profiling result from isolate-0x7ffb80000f00-32081-v8.log, (839 ticks, 174 unaccounted, 0 excluded).

 [Shared libraries]:
   ticks  total  nonlib   name
     13    1.5%          /usr/lib/x86_64-linux-gnu/libc.so.6

 [JavaScript]:
   ticks  total  nonlib   name
    600   71.5%   72.6%  JS: *runGuest file:///pkg/dist/src/core/pcpu-core.js:303:13
     22    2.6%    2.7%  JS: *guestWork file:///pkg/dist/src/guest/work.js:7:26
      8    1.0%    1.0%  JS: ^runGuest file:///pkg/dist/src/core/pcpu-core.js:303:13
      1    0.1%    0.1%  JS: ^resolve node:path:1217:10
      1    0.1%    0.1%  JS: ~ file:///pkg/dist/src/cli/main.js:90:1
      1    0.1%    0.1%  JS: ~onMessage /pkg/node_modules/piscina/dist/worker.js:169:25

 [C++]:
   ticks  total  nonlib   name
      8    1.0%    1.0%  __write@@GLIBC_2.2.5
      3    0.4%    0.4%  std::basic_ostream<char, std::char_traits<char> >& std::__ostream_insert<char, std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char const*, long)@@GLIBCXX_3.4.9

 [Summary]:
   ticks  total  nonlib   name
    635   75.7%   76.9%  JavaScript
     11    1.3%    1.3%  C++
      8    1.0%    1.0%  GC
     13    1.5%          Shared libraries
    174   20.7%          Unaccounted

 [C++ entry points]:
   ticks    cpp   total   name
      3   30.0%    0.4%  __write@@GLIBC_2.2.5

 [Bottom up (heavy) profile]:
  Note: percentage shows a share of a particular caller in the total
  amount of its parent calls.
  Callers occupying less than 1.0% are not shown.

   ticks parent  name
    608   72.5%  JS: *runGuest file:///pkg/dist/src/core/pcpu-core.js:303:13
    588   96.7%    JS: *step file:///pkg/dist/src/core/pcpu-core.js:111:9
    537   91.3%      JS: *runPcpu file:///pkg/dist/src/engine/pcpu-loop.js:61:24

    174   20.7%  UNKNOWN
     94   54.0%    JS: *runGuest file:///pkg/dist/src/core/pcpu-core.js:303:13
     30   17.2%      JS: *step file:///pkg/dist/src/core/pcpu-core.js:111:9
     40   23.0%    JS: ^compileForInternalLoader node:internal/bootstrap/realm:383:27
     20   11.5%    JS: ~compileForInternalLoader node:internal/bootstrap/realm:383:27
     20   11.5%      JS: ^requireBuiltin node:internal/bootstrap/realm:420:24

     22    2.6%  JS: *guestWork file:///pkg/dist/src/guest/work.js:7:26
     22  100.0%    JS: *runGuest file:///pkg/dist/src/core/pcpu-core.js:303:13
`;

describe('parseProfProcess', () => {
  const profile = parseProfProcess(PROF_PROCESS, ROOT);

  it('takes the total from the header', () => {
    expect(profile.total).toBe(839);
    expect(profile.notes).toEqual(['839 ticks', '174 unaccounted', '8 in GC']);
  });

  it('sums one function over its compilation tiers and ranks it first', () => {
    expect(profile.functions[0]).toEqual({ name: 'runGuest', where: 'src/core/pcpu-core.js:303', count: 608, share: 608 / 839 });
  });

  it('lists the unaccounted ticks as a row of their own', () => {
    expect(profile.functions[1]).toMatchObject({ name: '(unaccounted)', count: 174 });
  });

  it('reads JavaScript, C++ and shared-library rows, and not the summary or the bottom-up tree', () => {
    const names = profile.functions.map((f) => `${f.name} @ ${f.where}`);
    expect(names).toContain('guestWork @ src/guest/work.js:7');
    expect(names).toContain('resolve @ node:path:1217');
    expect(names).toContain('(anonymous) @ src/cli/main.js:90');
    expect(names).toContain('onMessage @ piscina/dist/worker.js:169');
    expect(names).toContain('__write@@GLIBC_2.2.5 @ C++');
    expect(names).toContain('libc.so.6 @ shared library');
    expect(names).not.toContain('step @ src/core/pcpu-core.js:111');
    expect(names.some((n) => n.startsWith('JavaScript'))).toBe(false);
    expect(profile.functions.reduce((sum, f) => sum + f.count, 0)).toBe(608 + 174 + 22 + 13 + 8 + 3 + 1 + 1 + 1);
  });

  it('names the JavaScript that called into the unaccounted code, from the bottom-up tree', () => {
    expect(profile.unaccountedCallers!.map((f) => [f.name, f.count, f.share])).toEqual([
      ['runGuest', 94, 94 / 174],
      ['compileForInternalLoader', 60, 60 / 174],
    ]);
  });

  it('rejects text that is not a --prof-process report', () => {
    expect(() => parseProfProcess('hello', ROOT)).toThrow(/not a --prof-process report/);
  });
});

describe('summariseCpuProfile', () => {
  const frame = (functionName: string, url: string, lineNumber: number) => ({ functionName, url, lineNumber, columnNumber: 0, scriptId: '1' });
  const profile = summariseCpuProfile(
    {
      nodes: [
        { id: 1, callFrame: frame('(root)', '', -1), hitCount: 0, children: [2, 3, 5] },
        { id: 2, callFrame: frame('step', 'file:///pkg/dist/src/core/pcpu-core.js', 110), hitCount: 30, children: [4] },
        { id: 3, callFrame: frame('(idle)', '', -1), hitCount: 10 },
        { id: 4, callFrame: frame('guestWork', 'file:///pkg/dist/src/guest/work.js', 6), hitCount: 50 },
        { id: 5, callFrame: frame('warmUp', 'file:///pkg/dist/src/engine/pcpu-loop.js', 42), hitCount: 0, children: [6] },
        { id: 6, callFrame: frame('step', 'file:///pkg/dist/src/core/pcpu-core.js', 110), hitCount: 10 },
      ],
      samples: [],
    },
    ROOT,
  );

  it('counts self samples per function over all its call paths, lines 1-based', () => {
    expect(profile.total).toBe(100);
    expect(profile.functions.map((f) => [f.name, f.where, f.count])).toEqual([
      ['guestWork', 'src/guest/work.js:7', 50],
      ['step', 'src/core/pcpu-core.js:111', 40],
      ['(idle)', '', 10],
    ]);
    expect(profile.notes).toEqual(['100 samples', '10 idle']);
  });
});

describe('hotRows', () => {
  it('sets both profilers side by side, ranked by the larger share, a dash where one lacks the function', () => {
    const prof = {
      total: 10,
      notes: [],
      functions: [
        { name: 'a', where: 'x.js:1', count: 9, share: 0.9 },
        { name: 'b', where: 'x.js:2', count: 1, share: 0.1 },
      ],
    };
    const cpuProf = {
      total: 10,
      notes: [],
      functions: [
        { name: 'c', where: 'x.js:3', count: 5, share: 0.5 },
        { name: 'a', where: 'x.js:1', count: 4, share: 0.4 },
      ],
    };
    expect(hotRows({ role: 'pcpu-0', prof, cpuProf }, 2)).toEqual([
      { name: 'a', where: 'x.js:1', prof: 0.9, cpuProf: 0.4 },
      { name: 'c', where: 'x.js:3', prof: undefined, cpuProf: 0.5 },
    ]);
  });
});

describe('shortWhere', () => {
  it("writes the package's files relative to dist/, node_modules from the package name on, others as they are", () => {
    expect(shortWhere('file:///pkg/dist/src/core/pcpu-core.js', 12, ROOT)).toBe('src/core/pcpu-core.js:12');
    expect(shortWhere('/pkg/node_modules/piscina/dist/worker.js', 3, ROOT)).toBe('piscina/dist/worker.js:3');
    expect(shortWhere('node:internal/modules/esm/utils', 344, ROOT)).toBe('node:internal/modules/esm/utils:344');
  });
});

describe('roles', () => {
  it('reads pid and thread id from a --cpu-prof file name', () => {
    expect(parseCpuProfileName('CPU.20261127.154438.31127.2.003.cpuprofile')).toEqual({ pid: 31127, tid: 2 });
    expect(parseCpuProfileName('pcpu-0.cpuprofile')).toBeNull();
  });

  it('names thread 0 main, announced threads by their role, and any other thread by its id', () => {
    const announced = new Map([
      ['31127.1', ['pcpu-1']],
      ['31127.2', ['pcpu-0']],
    ]);
    expect(cpuProfileRole({ pid: 31127, tid: 0 }, announced)).toBe('main');
    expect(cpuProfileRole({ pid: 31127, tid: 2 }, announced)).toBe('pcpu-0');
    expect(cpuProfileRole({ pid: 31127, tid: 3 }, announced)).toBe('thread-3');
  });

  it('names a --prof log by the marker function compiled in it, not by a mention in script source', () => {
    const marker = roleMarkerName('pcpu-3');
    expect(marker).toBe('spinvisor_role_pcpu_3');
    const pcpu = [
      'script-source,190,<unknown>,(function spinvisor_role_pcpu_9() { return 0; })',
      `code-creation,JS,10,216476,0x2391f124331e,2,${marker} :1:11,0x2391f1243200,~`,
      'tick,0x1,2',
    ].join('\n');
    expect(v8LogRole(pcpu)).toBe('pcpu-3');
  });

  it('names the log that compiled the command line main, and no other', () => {
    expect(v8LogRole('code-creation,JS,10,1,0x1,2,main file:///pkg/dist/src/cli/main.js:27:15,0x2,~\n')).toBe('main');
    expect(v8LogRole('code-creation,JS,10,1,0x1,2,runPcpu file:///pkg/dist/src/engine/pcpu-loop.js:61:24,0x2,~\n')).toBeNull();
    expect(unknownLogRole('isolate-0x7ffb80000f00-32081-v8.log')).toBe('isolate-7ffb80000f00');
  });

  it('refuses a role that would not be an identifier', () => {
    expect(() => roleMarkerName('pcpu 0); evil(')).toThrow(/profile role/);
  });
});
