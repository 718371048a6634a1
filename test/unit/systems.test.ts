/**
 * Named systems (`--system`): every profile applied to every preset, each setting what its
 * description says (the expectations are written out here, not read from the profile), explicit
 * overrides winning over a profile, and the one-line errors; then the compare table of systems
 * whose shapes differ (bare metal is one VM) and the `system` field of the results.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/config/load.js';
import { applyOverrides } from '../../src/config/overrides.js';
import { listPresets, presetNames } from '../../src/config/presets.js';
import { ConfigError, parseScenario, type Config } from '../../src/config/schema.js';
import { SYSTEMS, SYSTEM_NAMES, type SystemName } from '../../src/config/systems.js';
import { overridesFrom } from '../../src/io/scenario-flags.js';
import { renderCompare } from '../../src/report/compare-table.js';
import { compareResultsSchema, resultsSchema } from '../../src/results/results-schema.js';
import { withSystem } from '../../src/results/results.js';
import { simulate } from '../../src/simulate.js';

/** What each virtualized system must set on every VM and on the scheduler, written out independently of src/config/systems.ts. */
const EXPECTED: Record<Exclude<SystemName, 'bare-metal'>, { vm: Record<string, unknown>; lock: string; scheduler: Record<string, unknown> }> = {
  'hyperv-ws2003': { lock: 'ttas', vm: { policy: 'naive' }, scheduler: { policy: 'rr', reaction: 'yield', ple: false, boost: false } },
  'hyperv-ws2008': { lock: 'ttas', vm: { policy: 'notify', spinThreshold: 4095 }, scheduler: { policy: 'rr', reaction: 'yield', ple: false, boost: false } },
  'kvm-no-pv': {
    lock: 'ticket',
    vm: { policy: 'naive' },
    scheduler: {
      policy: 'rr',
      reaction: 'directed-yield',
      ple: true,
      pleGapCycles: 128,
      pleWindowCycles: 4096,
      pleWindowGrow: 2,
      pleWindowShrink: 0,
      pleWindowMax: 0xffffffff,
      boost: false,
    },
  },
  kvm: {
    lock: 'unfair-queued',
    vm: { policy: 'pv-halt+preempted-aware', haltThreshold: 32768 },
    scheduler: {
      policy: 'rr',
      reaction: 'directed-yield',
      ple: true,
      pleGapCycles: 128,
      pleWindowCycles: 4096,
      pleWindowGrow: 2,
      pleWindowShrink: 0,
      pleWindowMax: 0xffffffff,
      boost: true,
    },
  },
  'xen-credit': {
    lock: 'unfair-queued',
    vm: { policy: 'pv-halt', haltThreshold: 32768 },
    scheduler: {
      policy: 'credit',
      sliceUs: 30_000,
      creditPeriodUs: 30_000,
      ratelimitUs: 1000,
      reaction: 'yield',
      ple: false,
      pleGapCycles: 128,
      pleWindowCycles: 4096,
      pleWindowGrow: 0,
      boost: false,
    },
  },
  esxi: { lock: 'ttas', vm: { policy: 'naive' }, scheduler: { policy: 'cosched', coschedSkewUs: 3000, reaction: 'yield', ple: false, boost: false } },
};

/** A scenario whose own settings differ from every profile's, so that a profile that forgets a field is caught. */
const contrary = () => ({
  pcpus: 4,
  vms: [
    { name: 'a', vcpus: 4, policy: 'cs-hint', spinThreshold: 7, haltThreshold: 9, workload: { lock: 'mcs', locks: 3 } },
    { name: 'b', vcpus: 2, policy: 'preempted-aware', workload: { lock: 'preemptable-ticket' } },
  ],
  scheduler: {
    policy: 'balance',
    sliceUs: 2500,
    reaction: 'sleep',
    ple: true,
    pleGapCycles: 7,
    pleWindowCycles: 9,
    pleWindowGrow: 5,
    pleWindowShrink: 3,
    pleWindowMax: 99,
    boost: true,
    creditPeriodUs: 5000,
    ratelimitUs: 20,
  },
});

function expectSystem(config: Config, name: SystemName): void {
  if (name === 'bare-metal') {
    expect(config.mode).toBe('bare');
    expect(config.vms).toHaveLength(1);
    expect(config.vms[0]).toMatchObject({ vcpus: config.pcpus, policy: 'naive' });
    return;
  }
  const expected = EXPECTED[name];
  expect(config.mode).toBe('virtualized');
  expect(config.scheduler).toMatchObject(expected.scheduler);
  for (const vm of config.vms) {
    expect(vm, vm.name).toMatchObject(expected.vm);
    expect(vm.workload.lock, vm.name).toBe(expected.lock);
  }
}

describe('named systems', () => {
  it('lists every system once, in the order of SYSTEM_NAMES, with one line and one paragraph naming its sources', () => {
    expect(SYSTEMS.map((s) => s.name)).toEqual([...SYSTEM_NAMES]);
    expect(SYSTEM_NAMES).toEqual(['bare-metal', 'hyperv-ws2003', 'hyperv-ws2008', 'kvm-no-pv', 'kvm', 'xen-credit', 'esxi']);
    for (const system of SYSTEMS) {
      expect(system.summary, system.name).not.toMatch(/\n/);
      expect(system.description, system.name).not.toMatch(/\n/);
      // A source: a file of the system's code, or the specification it implements.
      expect(system.description, system.name).toMatch(/\.[ch]\b|Specification|src\/config\/schema\.ts/);
    }
  });

  it('parses applied to every preset, and sets what its description says on every VM', () => {
    expect(presetNames().length).toBeGreaterThan(0);
    for (const preset of presetNames())
      for (const name of SYSTEM_NAMES) {
        const config = loadScenario(preset, { system: name });
        expectSystem(config, name);
        // The measured shape: 2 VMs of 16 vCPUs on 16 pCPUs.
        expectSystem(loadScenario(preset, { system: name, pcpus: 16, vcpus: 16, vms: 2, engine: 'virtual' }), name);
      }
  });

  it("overrides a scenario's own guest and host settings, and leaves the rest as the scenario has it", () => {
    for (const name of SYSTEM_NAMES) {
      const config = applyOverrides(contrary(), { system: name });
      expectSystem(config, name);
      if (config.mode === 'bare') {
        expect(config.vms[0]!.workload).toMatchObject({ lock: 'mcs', locks: 3 });
        continue;
      }
      expect(config.vms.map((vm) => vm.workload.locks)).toEqual([3, 16]);
      // The slice is the scenario's except on Xen, where credit's 30 ms tslice is part of the system.
      expect(config.scheduler.sliceUs).toBe(name === 'xen-credit' ? 30_000 : 2500);
    }
  });

  it('bare-metal keeps the first VM and its lock, with one vCPU bound to each pCPU', () => {
    const config = applyOverrides(contrary(), { system: 'bare-metal', pcpus: 3 });
    expect(config).toMatchObject({ mode: 'bare', pcpus: 3, vms: [{ name: 'bare', vcpus: 3, policy: 'naive', workload: { lock: 'mcs' } }] });
  });

  it('turns a bare scenario into a virtualized one', () => {
    const bare = { pcpus: 2, mode: 'bare', vms: [{ name: 'bare', vcpus: 2 }] };
    expectSystem(applyOverrides(bare, { system: 'kvm' }), 'kvm');
  });

  it('lets explicit overrides win over its settings', () => {
    const config = applyOverrides(contrary(), {
      system: 'kvm',
      lock: 'ticket',
      policy: 'notify',
      spinThreshold: 100,
      haltThreshold: 200,
      scheduler: 'credit',
      sliceUs: 700,
      ple: false,
      reaction: 'sleep',
      boost: false,
    });
    expect(config.scheduler).toMatchObject({ policy: 'credit', sliceUs: 700, ple: false, reaction: 'sleep', boost: false });
    for (const vm of config.vms) expect(vm).toMatchObject({ policy: 'notify', spinThreshold: 100, haltThreshold: 200, workload: { lock: 'ticket' } });
    // What the override did not name stays the system's.
    expect(config.scheduler).toMatchObject({ pleGapCycles: 128, pleWindowCycles: 4096, pleWindowGrow: 2 });

    const xen = loadScenario('contended', { system: 'xen-credit', ple: true, sliceUs: 10_000 });
    expect(xen.scheduler).toMatchObject({ policy: 'credit', ple: true, pleWindowGrow: 0, sliceUs: 10_000, reaction: 'yield' });
    expect(loadScenario('contended', { system: 'bare-metal', lock: 'tas' }).vms[0]!.workload.lock).toBe('tas');
  });

  it('refuses --mode with a system, and an unknown name, in one line naming the flag', () => {
    expect(() => applyOverrides(contrary(), { system: 'kvm', mode: 'bare' })).toThrow(
      new ConfigError('--mode: --system kvm sets the mode (virtualized); drop --mode'),
    );
    expect(() => applyOverrides(contrary(), { system: 'bare-metal', mode: 'bare' })).toThrow(/^--mode: --system bare-metal sets the mode \(bare\)/);
    expect(() => overridesFrom({ system: 'vmware' })).toThrow(
      new ConfigError('--system: expected one of bare-metal, hyperv-ws2003, hyperv-ws2008, kvm-no-pv, kvm, xen-credit, esxi, got "vmware"'),
    );
    expect(overridesFrom({ system: 'kvm', pcpus: '4' })).toEqual({ system: 'kvm', pcpus: 4 });
  });

  it('every preset still parses as written (the profiles changed nothing of the files)', () => {
    for (const { config } of listPresets()) expect(config.mode).toBe('virtualized');
  });
});

describe('systems in results and the compare table', () => {
  const run = async (name: SystemName) =>
    withSystem(await simulate(loadScenario('contended', { system: name, engine: 'virtual', pcpus: 4, vcpus: 4, vms: 2, durationMs: 20 })), name);

  it('records the system next to the engine, and the schemas accept it', async () => {
    const results = await run('kvm');
    expect(Object.keys(results).slice(0, 5)).toEqual(['format', 'ok', 'engine', 'system', 'config']);
    expect(results.system).toBe('kvm');
    const file: unknown = JSON.parse(JSON.stringify(results));
    expect(resultsSchema.parse(file)).toMatchObject({ system: 'kvm' });
    expect(() => resultsSchema.parse({ ...(file as object), system: 'vmware' })).toThrow();
    const { system: _none, ...without } = results;
    expect(resultsSchema.safeParse(JSON.parse(JSON.stringify(without))).success).toBe(true);
    expect(withSystem(without, undefined)).toBe(without);
    const compare = { format: 'spinvisor-compare/2', ok: true, labels: ['kvm'], locks: ['unfair-queued'], policies: ['pv-halt+preempted-aware'], runs: [file] };
    expect(compareResultsSchema.safeParse({ ...compare, systems: ['kvm'] }).success).toBe(true);
    expect(compareResultsSchema.safeParse(compare).success).toBe(true);
    expect(compareResultsSchema.safeParse({ ...compare, systems: ['vmware'] }).success).toBe(false);
  });

  it('labels rows by system and measures VMs bare metal lacks against its whole machine', async () => {
    const bare = await run('bare-metal');
    const kvm = await run('kvm');
    const text = renderCompare([
      { label: 'bare-metal', results: bare },
      { label: 'kvm', results: kvm },
    ]);
    expect(text).toMatch(/^spinvisor compare · 4 pCPUs · 2 VMs × 4 vCPUs · one run per system$/m);
    expect(text).toMatch(/^ {2}bare-metal {2}ticket · naive · 4 pCPUs · bare metal/m);
    expect(text).toMatch(/^ {2}kvm {9}unfair-queued · pv-halt\+preempted-aware · slice 10 ms · PLE → directed-yield · boost$/m);
    const ratio = (vm: string, label: string) => Number(new RegExp(`^${vm}\\s+${label}\\s+\\S+\\s+([\\d.]+)×`, 'm').exec(text)?.[1]);
    expect(ratio('bare', 'bare-metal')).toBe(1);
    expect(ratio('all', 'bare-metal')).toBe(1);
    const whole = bare.metrics.acquisitionsPerSec;
    expect(ratio('guest', 'kvm')).toBeCloseTo(kvm.metrics.vms[0]!.acquisitionsPerSec / whole, 2);
    expect(ratio('guest-2', 'kvm')).toBeCloseTo(kvm.metrics.vms[1]!.acquisitionsPerSec / whole, 2);
    expect(ratio('all', 'kvm')).toBeCloseTo(kvm.metrics.acquisitionsPerSec / whole, 2);
    // Rows go VM by VM; bare metal has no guest-2 row.
    expect(text).not.toMatch(/^guest-2\s+bare-metal/m);
  });

  it('keeps a VM named "all" apart from the total', async () => {
    const results = await simulate(
      parseScenario({
        pcpus: 2,
        engine: 'virtual',
        durationMs: 10,
        vms: [
          { name: 'all', vcpus: 1 },
          { name: 'b', vcpus: 1 },
        ],
      }),
    );
    const text = renderCompare([
      { label: 'one', results },
      { label: 'two', results },
    ]);
    expect(text.match(/^all\s+one\s/gm)).toHaveLength(2);
  });
});
