/**
 * Hostile input, generated (fast-check, fixed seed: a failure names its seed and path and
 * reproduces): malformed scenarios (wrong types, negative, huge, NaN and fractional numbers,
 * empty VM lists, limits exceeded, unknown fields, very long strings, deep nesting), files
 * (invalid UTF-8, random bytes, a 100 MB file) and command lines (bad values, unknown flags,
 * missing values, repeated flags). Every one is refused with a one-line `ConfigError` that
 * names the field, flag or file, before any shared memory is allocated and without writing the
 * `--json` file; every valid scenario the generators make runs with every self-check passing.
 *
 * Most properties run in-process (the library, and the commands' functions, which throw the
 * `ConfigError` that src/cli/program.ts turns into exit 2); a few spawned command lines check
 * what the user sees: exit 2, one line, no stack trace.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { compareCommand } from '../../src/cli/compare-command.js';
import { runCommand } from '../../src/cli/run-command.js';
import { MAX_ERROR_CHARS } from '../../src/config/config-error.js';
import { loadScenario } from '../../src/config/load.js';
import { applyOverrides, type Overrides } from '../../src/config/overrides.js';
import { isPolicySpec } from '../../src/config/policy-spec.js';
import { MAX_SCENARIO_BYTES } from '../../src/config/scenario-file.js';
import { ConfigError, LOCK_KINDS, MAX_NESTING, POLICY_KINDS, REACTIONS, SCHEDULER_POLICIES, parseScenario } from '../../src/config/schema.js';
import { Machine } from '../../src/shm/layout.js';
import { simulate } from '../../src/simulate.js';
import { bufferedIo } from '../helpers/cli.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-hostile-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const SEED = 13;

/** The message `action` throws, checked to be a `ConfigError` of one bounded line. */
function refusal(action: () => unknown): string {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigError);
  const message = (thrown as Error).message;
  expect(message).not.toMatch(/[\n\r\u2028\u2029]/);
  expect(message.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
  return message;
}

/** `vms[0].workload.locks` for ['vms', 0, 'workload', 'locks'], as the messages write paths. */
const pathText = (path: readonly (string | number)[]) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// ---- valid scenarios ----------------------------------------------------------------------

const POLICY_SPECS = POLICY_KINDS.reduce<string[][]>((subsets, kind) => [...subsets, ...subsets.map((s) => [...s, kind])], [[]])
  .map((parts) => parts.join('+'))
  .filter(isPolicySpec);

const distribution = fc.oneof(
  fc.record({ kind: fc.constant('fixed'), value: fc.integer({ min: 0, max: 2000 }) }),
  fc.tuple(fc.nat(2000), fc.nat(2000)).map(([a, b]) => ({ kind: 'uniform', min: Math.min(a, b), max: Math.max(a, b) })),
  fc.record({ kind: fc.constant('exponential'), mean: fc.double({ min: 0, max: 2000, noNaN: true }) }),
);

/** A VM as a user may write it: every optional field sometimes absent, names up to the 32 characters allowed. */
const vmInput = fc.record(
  {
    vcpus: fc.integer({ min: 1, max: 4 }),
    weight: fc.integer({ min: 1, max: 65535 }),
    policy: fc.constantFrom(...POLICY_SPECS),
    spinThreshold: fc.integer({ min: 1, max: 0xffffffff }),
    haltThreshold: fc.integer({ min: 1, max: 0x7fffffff }),
    extensionUs: fc.integer({ min: 1, max: 1000 }),
    workload: fc.record(
      {
        outsideUnits: distribution,
        insideUnits: distribution,
        locks: fc.integer({ min: 1, max: 64 }),
        lockChoice: fc.constantFrom('uniform', 'skewed'),
        hotLockFraction: fc.double({ min: 0, max: 1, noNaN: true }),
        lock: fc.constantFrom(...LOCK_KINDS),
      },
      { requiredKeys: [] },
    ),
  },
  { requiredKeys: ['vcpus'] },
);

/** A valid scenario (raw JSON, defaults not applied) on the virtual engine, a few ms long. */
const validScenario = fc
  .record({
    description: fc.string({ maxLength: 500 }),
    pcpus: fc.integer({ min: 1, max: 8 }),
    vms: fc.array(vmInput, { minLength: 1, maxLength: 3 }),
    names: fc.uniqueArray(fc.stringMatching(/^[A-Za-z0-9_.-]{1,32}$/), { minLength: 3, maxLength: 3 }),
    scheduler: fc.record(
      {
        policy: fc.constantFrom(...SCHEDULER_POLICIES),
        sliceUs: fc.integer({ min: 10, max: 5000 }),
        reaction: fc.constantFrom(...REACTIONS),
        ple: fc.boolean(),
        boost: fc.boolean(),
      },
      { requiredKeys: [] },
    ),
    durationMs: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 0xffffffff }),
  })
  .map(({ names, vms, ...rest }) => ({ ...rest, engine: 'virtual', vms: vms.map((vm, i) => ({ name: names[i]!, ...vm })) }));

// ---- hostile values -----------------------------------------------------------------------

/** Nested lists `depth` deep around a number. */
function nested(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom('abc', '', true, false, null, [], {}, { unknown: 1 }, [1, 2, 3]),
  fc.integer({ min: -1e9, max: -1 }),
  fc.constantFrom(1e300, 2 ** 53, 2 ** 32, 1e10, Number.MAX_VALUE),
  fc.constantFrom(0.5, 1.5, 1e-9, 4095.25),
  fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
  fc.integer({ min: 1_000, max: 200_000 }).map((n) => 'x'.repeat(n)),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
  fc.integer({ min: MAX_NESTING, max: 20_000 }).map(nested),
);

/** Every field of a scenario a mutation may hit (the VM and its workload exist in every generated scenario). */
const FIELDS: readonly (readonly (string | number)[])[] = [
  ['pcpus'],
  ['durationMs'],
  ['seed'],
  ['description'],
  ['mode'],
  ['engine'],
  ['vms'],
  ['scheduler'],
  ['virtualCosts'],
  ['vms', 0],
  ['vms', 0, 'name'],
  ['vms', 0, 'vcpus'],
  ['vms', 0, 'weight'],
  ['vms', 0, 'policy'],
  ['vms', 0, 'spinThreshold'],
  ['vms', 0, 'haltThreshold'],
  ['vms', 0, 'extensionUs'],
  ['vms', 0, 'workload'],
  ['vms', 0, 'workload', 'locks'],
  ['vms', 0, 'workload', 'lock'],
  ['vms', 0, 'workload', 'lockChoice'],
  ['vms', 0, 'workload', 'hotLockFraction'],
  ['vms', 0, 'workload', 'outsideUnits'],
  ['scheduler', 'policy'],
  ['scheduler', 'sliceUs'],
  ['scheduler', 'ple'],
  ['scheduler', 'pleWindowCycles'],
  ['virtualCosts', 'spinNs'],
  ['virtualCosts', 'stepBudget'],
];

/** `scenario` with the value at `path` replaced (objects on the way created). */
function withValue(scenario: Record<string, unknown>, path: readonly (string | number)[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(scenario);
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    if (typeof at[key] !== 'object' || at[key] === null) at[key] = {};
    at = at[key] as Record<string | number, unknown>;
  }
  at[path.at(-1)!] = value;
  return copy;
}

describe('hostile scenarios (library)', () => {
  it('a hostile value in any field is accepted or refused naming that field', () => {
    fc.assert(
      fc.property(validScenario, fc.constantFrom(...FIELDS), hostileValue, (scenario, path, value) => {
        const input = withValue(scenario, path, value);
        let accepted = true;
        try {
          parseScenario(input);
        } catch {
          accepted = false;
        }
        if (accepted) return;
        expect(refusal(() => parseScenario(input))).toMatch(new RegExp(`^${escapeRegExp(pathText(path))}[.[:]`));
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('any JSON value is a valid scenario or one refused in a line that starts with a field path', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.jsonValue(),
          validScenario.chain((s) => fc.dictionary(fc.string(), fc.jsonValue()).map((extra) => ({ ...extra, ...s }))),
        ),
        (input) => {
          try {
            parseScenario(input);
          } catch {
            expect(refusal(() => parseScenario(input))).toMatch(/^(scenario|[A-Za-z$_][\w$]*)[^:]*: \S/);
          }
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('an unknown field at any level is refused, quoted and shortened, at the object that holds it', () => {
    const places: readonly (readonly (string | number)[])[] = [[], ['vms', 0], ['vms', 0, 'workload'], ['scheduler'], ['virtualCosts']];
    fc.assert(
      fc.property(validScenario, fc.constantFrom(...places), fc.string({ unit: 'binary', minLength: 1, maxLength: 300 }), (scenario, place, key) => {
        // A key with a character no field name has, so it is never a known field.
        fc.pre(/[^A-Za-z$]/.test(key) && key !== '__proto__');
        const holder = place.length === 0 ? scenario : withValue(scenario, [...place, key], 1);
        const input = place.length === 0 ? { ...holder, [key]: 1 } : holder;
        const message = refusal(() => parseScenario(input));
        if (message.includes('Unrecognized key')) {
          expect(message).toMatch(new RegExp(`^${place.length === 0 ? 'scenario' : escapeRegExp(pathText(place))}: Unrecognized key: "`));
          expect(message.length).toBeLessThan(200);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('an empty VM list, and limits exceeded, are refused naming the limit', () => {
    expect(refusal(() => parseScenario({ vms: [] }))).toBe('vms: Too small: expected array to have >=1 items');
    const many = (n: number, vcpus: number) => Array.from({ length: n }, (_, i) => ({ name: `v${i}`, vcpus }));
    expect(refusal(() => parseScenario({ vms: many(65, 1) }))).toMatch(/^vms: Too big: expected array to have <=64 items/);
    expect(refusal(() => parseScenario({ vms: many(5, 1024) }))).toBe('vms: 5120 vCPUs in all; at most 4096');
    expect(refusal(() => parseScenario({ pcpus: 257, vms: many(1, 1) }))).toBe('pcpus: Too big: expected number to be <=256');
  });

  it('nesting deeper than the limit is refused at its path, without recursion, however deep', () => {
    for (const depth of [MAX_NESTING, 1_000, 100_000]) {
      expect(refusal(() => parseScenario({ vms: [{ name: 'a', vcpus: 1 }], description: nested(depth) }))).toMatch(
        /^description(\[0\])+: nested more than 16 levels deep/,
      );
      expect(refusal(() => applyOverrides({ vms: [{ name: 'a', vcpus: 1, workload: nested(depth) }] }, { vms: 3 }))).toMatch(
        /^vms\[0\]\.workload(\[0\])+: nested more than 16 levels deep/,
      );
    }
  });

  it('hostile overrides are refused naming the field they land in', () => {
    const numeric = ['pcpus', 'vms', 'vcpus', 'spinThreshold', 'haltThreshold', 'extensionUs', 'sliceUs', 'coschedSkewUs', 'durationMs', 'seed'] as const;
    const field: Record<(typeof numeric)[number], RegExp> = {
      pcpus: /^pcpus: /,
      vms: /^vms: /,
      vcpus: /^vms\[0\]\.vcpus: /,
      spinThreshold: /^vms\[0\]\.spinThreshold: /,
      haltThreshold: /^vms\[0\]\.haltThreshold: /,
      extensionUs: /^vms\[0\]\.extensionUs: /,
      sliceUs: /^scheduler\.sliceUs: /,
      coschedSkewUs: /^scheduler\.coschedSkewUs: /,
      durationMs: /^durationMs: /,
      seed: /^seed: /,
    };
    const bad = fc.oneof(
      fc.integer({ min: -1e12, max: -1 }),
      fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, 0.5, 2.25, 1e300, 2 ** 53),
      fc.integer({ min: 2 ** 33, max: 2 ** 50 }),
    );
    fc.assert(
      fc.property(validScenario, fc.constantFrom(...numeric), bad, (scenario, key, value) => {
        const overrides = { [key]: value } as Overrides;
        expect(refusal(() => applyOverrides(scenario, overrides))).toMatch(field[key]);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('hostile scenario files', () => {
  const file = (name: string, content: string | Uint8Array) => {
    const path = join(tmp, name);
    writeFileSync(path, content);
    return path;
  };
  const named = (path: string) => new RegExp(`^${escapeRegExp(path)}: `);

  it('an invalid UTF-8 byte anywhere is refused, naming the file and the byte', () => {
    fc.assert(
      fc.property(validScenario, fc.nat(), fc.constantFrom(0x80, 0xbf, 0xc0, 0xc1, 0xf5, 0xff, 0xfe), (scenario, where, byte) => {
        const text = Buffer.from(JSON.stringify(scenario));
        const at = where % text.length;
        const path = file('invalid-utf8.json', Buffer.concat([text.subarray(0, at), Buffer.from([byte]), text.subarray(at)]));
        const message = refusal(() => loadScenario(path));
        expect(message).toMatch(named(path));
        expect(message).toMatch(/not UTF-8 text: invalid byte sequence at byte \d+ \(0x[0-9a-f]{2}\)$/);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('random bytes are a scenario or refused naming the file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (bytes) => {
        const path = file('random.json', bytes);
        try {
          loadScenario(path);
        } catch {
          expect(refusal(() => loadScenario(path))).toMatch(/^(.*random\.json: |scenario|[A-Za-z$_][\w$]*[^:]*: )/);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('a cut-short file is refused as malformed JSON, naming the file', () => {
    fc.assert(
      fc.property(validScenario, fc.nat(), (scenario, cut) => {
        const text = JSON.stringify(scenario, null, 2);
        const path = file('cut.json', text.slice(0, cut % text.length));
        expect(refusal(() => loadScenario(path))).toMatch(new RegExp(`${named(path).source}malformed JSON: `));
      }),
      { seed: SEED, numRuns: 100 },
    );
  });

  it('a 100 MB file is refused after reading at most 1 MiB of it', () => {
    const path = join(tmp, 'huge.json');
    writeFileSync(path, '');
    truncateSync(path, 100 * 1024 * 1024);
    expect(refusal(() => loadScenario(path))).toBe(`${path}: larger than ${MAX_SCENARIO_BYTES} bytes (1 MiB), the most a scenario file may hold`);
    rmSync(path);
  });

  it('a file with a byte-order mark is read as if it had none', () => {
    const scenario = { vms: [{ name: 'a', vcpus: 1 }] };
    expect(loadScenario(file('bom.json', `\uFEFF${JSON.stringify(scenario)}`))).toEqual(parseScenario(scenario));
  });
});

// ---- command lines ------------------------------------------------------------------------

/** Integer override flags and a value out of their schema range each. */
const INTEGER_FLAGS: Readonly<Record<string, { min: number; max: number }>> = {
  pcpus: { min: 1, max: 256 },
  vms: { min: 1, max: 64 },
  vcpus: { min: 1, max: 1024 },
  'slice-us': { min: 10, max: 10_000_000 },
  'cosched-skew-us': { min: 10, max: 1_000_000 },
  'spin-threshold': { min: 1, max: 0xffffffff },
  'halt-threshold': { min: 1, max: 0x7fffffff },
  'extension-us': { min: 1, max: 1_000_000 },
  'duration-ms': { min: 1, max: 3_600_000 },
  seed: { min: 0, max: 0xffffffff },
};
const CHOICE_FLAGS = ['lock', 'policy', 'mode', 'scheduler', 'ple', 'reaction', 'boost', 'engine', 'system'] as const;

/** What the refusal of a flag's bad value starts with: the flag, or the schema field it lands in. */
const FLAG_FIELD: Readonly<Record<string, string>> = {
  pcpus: 'pcpus',
  vms: 'vms',
  vcpus: 'vms\\[0\\]\\.vcpus',
  'slice-us': 'scheduler\\.sliceUs',
  'cosched-skew-us': 'scheduler\\.coschedSkewUs',
  'spin-threshold': 'vms\\[0\\]\\.spinThreshold',
  'halt-threshold': 'vms\\[0\\]\\.haltThreshold',
  'extension-us': 'vms\\[0\\]\\.extensionUs',
  'duration-ms': 'durationMs',
  seed: 'seed',
};

interface BadPiece {
  readonly args: readonly string[];
  /** Where it goes: anywhere, or last (a flag missing its value). */
  readonly last: boolean;
  readonly names: RegExp;
}

const notAnInteger = fc.oneof(
  fc.constantFrom('', 'abc', 'NaN', 'Infinity', '1.5', '1e3', '0x10', '2,3', '--', '١٢'),
  fc.string({ unit: 'binary', maxLength: 30 }).filter((s) => !/^\s*[+-]?\d+\s*$/.test(s) && !s.startsWith('-')),
);

const badPiece: fc.Arbitrary<BadPiece> = fc.oneof(
  // A value that is not an integer.
  fc.tuple(fc.constantFrom(...Object.keys(INTEGER_FLAGS)), notAnInteger).map(([flag, value]) => ({
    args: [`--${flag}=${value}`],
    last: false,
    names: new RegExp(`^--${flag}: expected an integer, got "`),
  })),
  // An integer out of range.
  fc.tuple(fc.constantFrom(...Object.keys(INTEGER_FLAGS)), fc.boolean(), fc.integer({ min: 1, max: 2 ** 40 })).map(([flag, below, by]) => {
    const { min, max } = INTEGER_FLAGS[flag]!;
    const value = below ? min - by : max + by;
    return { args: [`--${flag}=${value}`], last: false, names: new RegExp(`^(--${flag}|${FLAG_FIELD[flag]}): `) };
  }),
  // A word that is not one of the choices.
  fc
    .tuple(
      fc.constantFrom(...CHOICE_FLAGS),
      // Never a word that could be a valid choice (those are lower-case words joined by "-" or "+").
      fc.string({ unit: 'binary', maxLength: 300 }).filter((v) => !/^[a-z0-9+-]+$/.test(v)),
    )
    .map(([flag, value]) => ({
      args: [`--${flag}=${value}`],
      last: false,
      names: new RegExp(`^--${flag}: `),
    })),
  // An unknown flag.
  fc.stringMatching(/^[a-z][a-z-]{0,40}$/).map((name) => ({ args: [`--zz-${name}`], last: false, names: /^--zz-[a-z-]+: unknown flag/ })),
  // A flag missing its value.
  fc
    .constantFrom('pcpus', 'seed', 'lock', 'json', 'engine')
    .map((flag) => ({ args: [`--${flag}`], last: true, names: new RegExp(`^--${flag}: expects a value`) })),
  // A flag given twice.
  fc.constantFrom('pcpus', 'seed', 'duration-ms', 'engine').map((flag) => ({
    args: [`--${flag}`, flag === 'engine' ? 'virtual' : '1', `--${flag}`, flag === 'engine' ? 'virtual' : '2'],
    last: false,
    names: new RegExp(`^--${flag}: given more than once`),
  })),
);

describe('hostile command lines (in-process)', () => {
  it('every bad flag is refused naming the flag or its field, before any shared memory, and no --json file', async () => {
    const json = join(tmp, 'never.json');
    const allocate = vi.spyOn(Machine, 'allocate');
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('run', 'compare'), badPiece, fc.nat(), async (command, piece, where) => {
        const base = ['--engine', 'virtual', '--duration-ms', '2', '--json', json];
        const at = piece.last ? base.length : 2 * (where % 4);
        // The piece replaces a base flag it repeats, so that only the piece is wrong.
        const flags = piece.args.map((a) => a.split('=')[0]!);
        const kept = base.filter((arg, i) => !(i % 2 === 0 && flags.includes(arg)) && !(i % 2 === 1 && flags.includes(base[i - 1]!)));
        const args = [...kept.slice(0, Math.min(at, kept.length)), ...piece.args, ...kept.slice(Math.min(at, kept.length))];
        allocate.mockClear();
        rmSync(json, { force: true });
        let thrown: unknown;
        try {
          await (command === 'run' ? runCommand(args, bufferedIo()) : compareCommand(args, bufferedIo()));
        } catch (error) {
          thrown = error;
        }
        expect(thrown, args.join(' ')).toBeInstanceOf(ConfigError);
        const message = (thrown as Error).message;
        expect(message).not.toMatch(/[\n\r]/);
        expect(message.length).toBeLessThanOrEqual(MAX_ERROR_CHARS);
        expect(message, args.join(' ')).toMatch(piece.names);
        expect(allocate, args.join(' ')).not.toHaveBeenCalled();
        expect(existsSync(json)).toBe(false);
      }),
      { seed: SEED, numRuns: 150 },
    );
    allocate.mockRestore();
  });
});

describe('valid scenarios', () => {
  it('every one the generator makes runs on the virtual engine with every self-check passing', async () => {
    const allocate = vi.spyOn(Machine, 'allocate');
    await fc.assert(
      fc.asyncProperty(validScenario, async (scenario) => {
        const results = await simulate(scenario);
        expect(
          results.selfChecks.filter((c) => !c.ok),
          JSON.stringify(scenario),
        ).toEqual([]);
        expect(results.ok).toBe(true);
      }),
      { seed: SEED, numRuns: 15 },
    );
    // The spy the refusals above rely on does see a run's allocation.
    expect(allocate).toHaveBeenCalled();
    allocate.mockRestore();
  });
});

// ---- what the user sees -------------------------------------------------------------------

describe('hostile input at the command line (spawned)', () => {
  /** `spinvisor ARGS`: exit 2, nothing on stdout, one line on stderr, no stack, and no --json file. */
  function expectRefused(args: readonly string[], pattern: RegExp): void {
    const json = join(tmp, 'spawned.json');
    const child = spawnSync(process.execPath, ['dist/src/cli/main.js', ...args, '--json', json], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, SPINVISOR_DEBUG: '' },
      timeout: 60_000,
    });
    expect(child.status, child.stderr).toBe(2);
    expect(child.stdout).toBe('');
    const lines = child.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^spinvisor: /);
    expect(lines[0]!.slice('spinvisor: '.length)).toMatch(pattern);
    expect(child.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(json)).toBe(false);
  }

  it('a 100 MB file, invalid UTF-8, deep nesting and a repeated flag: exit 2, one line, no results file', () => {
    const huge = join(tmp, 'huge-cli.json');
    writeFileSync(huge, '');
    truncateSync(huge, 100 * 1024 * 1024);
    expectRefused(['run', huge], /huge-cli\.json: larger than 1048576 bytes/);
    rmSync(huge);
    const latin1 = join(tmp, 'latin1.json');
    writeFileSync(latin1, Buffer.from('{"description": "caf\xe9", "vms": [{"name": "a", "vcpus": 1}]}', 'latin1'));
    expectRefused(['run', latin1], /latin1\.json: not UTF-8 text: invalid byte sequence at byte 20 \(0xe9\)$/);
    const deep = join(tmp, 'deep.json');
    writeFileSync(deep, `{"vms": [{"name": "a", "vcpus": 1}], "scheduler": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expectRefused(['run', deep], /^scheduler(\[0\])+: nested more than 16 levels deep/);
    expectRefused(['run', 'default', '--pcpus', '2', '--pcpus', '4'], /^--pcpus: given more than once/);
    expectRefused(
      ['compare', 'default', '--engine=virtual', '--policies', `naive,${'x'.repeat(10_000)}`],
      /^--policies: unknown policy "x{60}…" \(10000 characters\)/,
    );
  });
});
