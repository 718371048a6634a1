import { describe, expect, it } from 'vitest';
import { hasPolicy, policyParts, policySpecProblem } from '../../src/config/policy-spec.js';
import { isPresetName, loadScenario, readScenario } from '../../src/config/load.js';
import { DEFAULT_PRESET, listPresets, presetNames } from '../../src/config/presets.js';
import { ConfigError, parseScenario, POLICY_KINDS } from '../../src/config/schema.js';
import { scenarioJsonSchema } from '../../src/config/write-json-schema.js';

const vm = (name: string, vcpus: number, extra: Record<string, unknown> = {}) => ({ name, vcpus, ...extra });

/** The one-line message parseScenario throws for `input`. */
function problem(input: unknown): string {
  try {
    parseScenario(input);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected the scenario to be rejected');
}

describe('scenario schema', () => {
  it('rejects pcpus out of range, naming the field and the limit', () => {
    expect(problem({ pcpus: 300, vms: [vm('a', 1)] })).toBe('pcpus: Too big: expected number to be <=256');
  });

  it('rejects a fractional vCPU count', () => {
    expect(problem({ vms: [vm('a', 1.5)] })).toMatch(/^vms\[0\]\.vcpus: /);
  });

  it('rejects an unknown field, naming it', () => {
    expect(problem({ vms: [vm('a', 1)], pcpu: 3 })).toBe('scenario: Unrecognized key: "pcpu"');
  });

  it('rejects an unknown distribution kind at its path', () => {
    const input = { vms: [vm('a', 1, { workload: { outsideUnits: { kind: 'normal', mean: 5 } } })] };
    expect(problem(input)).toMatch(/^vms\[0\]\.workload\.outsideUnits\.kind: /);
  });

  it('rejects a uniform distribution whose min exceeds its max', () => {
    const input = { vms: [vm('a', 1, { workload: { insideUnits: { kind: 'uniform', min: 10, max: 5 } } })] };
    expect(problem(input)).toBe('vms[0].workload.insideUnits.min: min must not exceed max');
  });

  it('rejects duplicate VM names at the second one', () => {
    expect(problem({ vms: [vm('a', 1), vm('a', 1)] })).toBe('vms[1].name: duplicate VM name "a"');
  });

  it('rejects bare mode whose vCPUs differ from the pCPUs', () => {
    expect(problem({ pcpus: 2, mode: 'bare', vms: [vm('a', 1)] })).toBe('vms[0].vcpus: bare mode binds one vCPU to each pCPU: must equal pcpus (2)');
  });

  it('rejects bare mode with more than one VM', () => {
    expect(problem({ pcpus: 1, mode: 'bare', vms: [vm('a', 1), vm('b', 1)] })).toMatch(/^vms: bare mode runs exactly one guest/);
  });

  it('fills every default from a minimal scenario', () => {
    const config = parseScenario({ vms: [vm('a', 2)] });
    expect(config).toMatchObject({ description: '', pcpus: 2, durationMs: 2000, seed: 1, mode: 'virtualized', engine: 'threads' });
    expect(config.scheduler).toMatchObject({
      policy: 'rr',
      sliceUs: 10_000,
      reaction: 'yield',
      spinSleepUs: 100,
      ple: false,
      pleGapCycles: 128,
      pleWindowCycles: 4096,
      pleWindowGrow: 2,
      pleWindowShrink: 0,
      pleWindowMax: 0xffffffff,
      boost: false,
    });
    expect(config.vms[0]).toEqual({
      name: 'a',
      vcpus: 2,
      weight: 256,
      policy: 'naive',
      spinThreshold: 4095,
      haltThreshold: 32768,
      extensionUs: 50,
      workload: {
        outsideUnits: { kind: 'exponential', mean: 2000 },
        insideUnits: { kind: 'fixed', value: 200 },
        locks: 16,
        lockChoice: 'uniform',
        hotLockFraction: 0.9,
        lock: 'ticket',
      },
    });
  });

  it('returns a frozen config', () => {
    const config = parseScenario({ vms: [vm('a', 2)] });
    expect(Object.isFrozen(config.vms[0]!.workload)).toBe(true);
  });

  it('accepts a $schema editor hint', () => {
    expect(() => parseScenario({ $schema: '../schema/scenario.schema.json', vms: [vm('a', 1)] })).not.toThrow();
  });
});

describe('policy combinations', () => {
  it('accepts each policy alone and the combinations real systems use, in any order', () => {
    for (const spec of [
      ...POLICY_KINDS,
      'notify+preempted-aware',
      'pv-halt+preempted-aware',
      'pv-halt+cs-hint',
      'cs-hint+pv-halt',
      'pv-halt+preempted-aware+cs-hint',
    ])
      expect(policySpecProblem(spec), spec).toBeUndefined();
  });

  it('refuses, in one line saying why: an unknown name, an empty one, a name twice, naive combined, notify with pv-halt', () => {
    expect(policySpecProblem('lazy')).toMatch(/^unknown policy "lazy"; expected naive, notify, pv-halt, preempted-aware, cs-hint/);
    expect(policySpecProblem('pv-halt++cs-hint')).toBe('empty policy name in "pv-halt++cs-hint"; join names with a single "+"');
    expect(policySpecProblem('cs-hint+cs-hint')).toBe('"cs-hint" named twice in "cs-hint+cs-hint"');
    expect(policySpecProblem('naive+notify')).toMatch(/^naive means no enlightenment: it cannot be combined/);
    expect(policySpecProblem('pv-halt+notify')).toMatch(/^notify and pv-halt both act on a long spin/);
    expect(() => parseScenario({ vms: [{ ...vm('a', 2), policy: 'notify+notify' }] })).toThrow(/^vms\[0\]\.policy: "notify" named twice/);
  });

  it('splits a combination into its parts and tells whether it has one', () => {
    expect(policyParts('pv-halt+preempted-aware')).toEqual(['pv-halt', 'preempted-aware']);
    expect(hasPolicy('pv-halt+preempted-aware', 'pv-halt')).toBe(true);
    expect(hasPolicy('pv-halt+preempted-aware', 'notify')).toBe(false);
    expect(hasPolicy('cs-hint', 'cs-hint')).toBe(true);
  });
});

describe('presets', () => {
  it('ship uncontended, contended and the default', () => {
    expect(presetNames()).toEqual(expect.arrayContaining(['uncontended', 'contended', DEFAULT_PRESET]));
  });

  it('all parse, each with a description', () => {
    for (const preset of listPresets()) expect(preset.config.description, preset.name).not.toBe('');
  });

  it('run for at most 2000 ms by default', () => {
    for (const preset of listPresets()) expect(preset.config.durationMs, preset.name).toBeLessThanOrEqual(2000);
  });

  it('make contended a few long critical sections and uncontended many short ones', () => {
    const [contended, uncontended] = ['contended', 'uncontended'].map((name) => loadScenario(name).vms[0]!.workload);
    expect(contended!.locks).toBeLessThanOrEqual(4);
    expect(uncontended!.locks).toBeGreaterThanOrEqual(100);
    expect(contended!.insideUnits).toMatchObject({ kind: 'fixed' });
    expect(uncontended!.insideUnits).toMatchObject({ kind: 'fixed' });
    const inside = (d: typeof contended) => (d!.insideUnits.kind === 'fixed' ? d!.insideUnits.value : NaN);
    expect(inside(contended)).toBeGreaterThan(10 * inside(uncontended));
  });
});

describe('loading a scenario', () => {
  it('treats a bare word as a preset and anything with "/" or .json as a file', () => {
    expect(isPresetName('contended')).toBe(true);
    expect(isPresetName('./contended')).toBe(false);
    expect(isPresetName('my.json')).toBe(false);
  });

  it('names the available presets when one is unknown', () => {
    expect(() => loadScenario('nope')).toThrow(/unknown preset "nope" \(available: .*contended.*uncontended/);
  });

  it('names a missing file', () => {
    expect(() => loadScenario('/nonexistent/scenario.json')).toThrow('/nonexistent/scenario.json: no such file');
  });

  it('drops the $schema editor hint from the raw scenario', () => {
    expect(readScenario('contended')).not.toHaveProperty('$schema');
  });

  it('uses the default preset when none is named', () => {
    expect(loadScenario()).toEqual(loadScenario(DEFAULT_PRESET));
  });
});

describe('JSON Schema', () => {
  it('carries ranges, defaults and help text of the zod schema', () => {
    const schema = scenarioJsonSchema() as { properties: Record<string, Record<string, unknown>>; required: string[] };
    expect(schema.properties.pcpus).toMatchObject({ type: 'integer', minimum: 1, maximum: 256, default: 2 });
    expect(schema.properties.pcpus!.description).toMatch(/physical CPUs/);
    expect(schema.required).toEqual(['vms']);
  });
});
