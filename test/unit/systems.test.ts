/**
 * Named systems (`--system`): the invariants every profile holds (its guest pair is one that ships,
 * the threshold its policy reads is set, its numbers are the real defaults the schema names), every
 * profile applied to every preset setting what the profile says, what the settings then do on a
 * short virtual run, explicit overrides winning over a profile, and the one-line errors; then the
 * compare table of systems whose shapes differ (bare metal is one VM) and the `system` field of the
 * results. Expectations are read from the profile, so that the test is of the application and of
 * what the values do, not a copy of the values.
 */
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../src/config/load.js';
import { findMechanism, shippedPair } from '../../src/config/mechanisms.js';
import { applyOverrides } from '../../src/config/overrides.js';
import { listPresets, presetNames } from '../../src/config/presets.js';
import { ConfigError, parseScenario, type Config } from '../../src/config/schema.js';
import { SYSTEMS, SYSTEM_NAMES, systemProfile, type SystemName } from '../../src/config/systems.js';
import { overridesFrom } from '../../src/io/scenario-flags.js';
import { renderCompare } from '../../src/report/compare-table.js';
import { compareResultsSchema, resultsSchema } from '../../src/results/results-schema.js';
import { withSystem } from '../../src/results/results.js';
import { simulate } from '../../src/simulate.js';
import { vcpuTotal } from '../helpers/results.js';

type Virtualized = Extract<(typeof SYSTEMS)[number], { mode: 'virtualized' }>;
const VIRTUALIZED = SYSTEMS.filter((s): s is Virtualized => s.mode === 'virtualized');

/** The virtualized profile of `name`; throws for bare metal. */
function virtualized(name: SystemName): Virtualized {
  const system = systemProfile(name);
  if (system.mode !== 'virtualized') throw new Error(`${name} is not virtualized`);
  return system as Virtualized;
}

/** The schema's defaults: a VM's and the scheduler's, each documented there as the real system's default it is. */
const DEFAULTS = parseScenario({ pcpus: 1, vms: [{ name: 'a', vcpus: 1 }] });

/** A scenario whose own settings differ from every profile's (but PLE and boost, which the test flips), so that a field applyOverrides forgets is caught. */
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
  const { guest, host } = virtualized(name);
  const { lock, ...vmSettings } = guest;
  expect(config.mode).toBe('virtualized');
  expect(config.scheduler).toMatchObject(host);
  for (const vm of config.vms) {
    expect(vm, vm.name).toMatchObject(vmSettings);
    expect(vm.workload.lock, vm.name).toBe(lock);
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

  it("takes each guest's lock and policy from the pairs that ship, and refuses one that does not", () => {
    for (const { name, guest } of VIRTUALIZED) expect(() => findMechanism(guest.lock, guest.policy), name).not.toThrow();
    // The profiles build their guest with shippedPair: a pair the list lacks cannot be named.
    expect(() => shippedPair('mcs', 'naive')).toThrow('no mechanism mcs · naive in MECHANISMS');
    expect(shippedPair('ttas', 'notify')).toEqual({ lock: 'ttas', policy: 'notify' });
  });

  it('sets the host side whole and the threshold its guest policy reads, and only that one', () => {
    for (const { name, guest, host } of VIRTUALIZED) {
      // So that a profile never inherits a scenario's scheduler, reaction, PLE or boost.
      for (const field of ['policy', 'reaction', 'ple', 'boost'] as const) expect(host[field], `${name}: ${field}`).toBeDefined();
      const parts = guest.policy.split('+');
      expect('spinThreshold' in guest, `${name}: spinThreshold`).toBe(parts.includes('notify'));
      expect('haltThreshold' in guest, `${name}: haltThreshold`).toBe(parts.includes('pv-halt'));
    }
  });

  it("sets the real systems' defaults, which the schema's defaults name, except Xen's slice and fixed PLE window", () => {
    for (const { name, guest, host } of VIRTUALIZED) {
      // Hyper-V's 0xFFF notify count; Linux's SPIN_THRESHOLD (1 << 15).
      if ('spinThreshold' in guest) expect(guest.spinThreshold, name).toBe(DEFAULTS.vms[0]!.spinThreshold);
      if ('haltThreshold' in guest) expect(guest.haltThreshold, name).toBe(DEFAULTS.vms[0]!.haltThreshold);
      for (const [field, value] of Object.entries(host)) {
        if (typeof value !== 'number') continue;
        if (name === 'xen-credit' && field === 'sliceUs') {
          // Xen's tslice is its accounting period (CSCHED_DEFAULT_TSLICE_MS), not the schema's 10 ms.
          expect(value, `${name}: ${field}`).toBe(host.creditPeriodUs);
          continue;
        }
        // Xen's PLE window is fixed: 0 keeps the base (the PLE run below shows it never grows).
        if (name === 'xen-credit' && field === 'pleWindowGrow') continue;
        expect(value, `${name}: ${field}`).toBe(DEFAULTS.scheduler[field as keyof Config['scheduler']]);
      }
    }
    expect(DEFAULTS.vms[0]!.haltThreshold).toBe(1 << 15);
  });

  it('parses applied to every preset, and sets what its profile says on every VM', () => {
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
      const { guest, host } = virtualized(name);
      const { vms, scheduler } = contrary();
      // The scenario differs from the profile in every field the profile sets (PLE and boost
      // flipped to differ), so that one applyOverrides forgot is caught...
      for (const [field, value] of Object.entries(host))
        if (typeof value !== 'boolean') expect(scheduler[field as keyof typeof scheduler], `${name}: ${field}`).not.toBe(value);
      expectSystem(applyOverrides({ ...contrary(), scheduler: { ...scheduler, ple: !host.ple, boost: !host.boost } }, { system: name }), name);
      const { lock, ...vmSettings } = guest;
      expect(vms[0]!.workload.lock).not.toBe(lock);
      for (const [field, value] of Object.entries(vmSettings)) expect(vms[0]![field as keyof (typeof vms)[0]], `${name}: ${field}`).not.toBe(value);
      // ...and keeps every field the profile leaves out: the slice, except on Xen, and a threshold its policy does not read.
      for (const [field, value] of Object.entries(scheduler)) if (!(field in host)) expect(config.scheduler, `${name}: ${field}`).toHaveProperty(field, value);
      for (const field of ['spinThreshold', 'haltThreshold'] as const)
        if (!(field in guest)) expect(config.vms[0]![field], `${name}: ${field}`).toBe(vms[0]![field]);
    }
    // Xen's credit tslice is part of the system; every other profile keeps the scenario's slice.
    expect(VIRTUALIZED.filter(({ host }) => 'sliceUs' in host).map((s) => s.name)).toEqual(['xen-credit']);
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
    const { pleGapCycles, pleWindowCycles, pleWindowGrow } = virtualized('kvm').host;
    expect(config.scheduler).toMatchObject({ pleGapCycles, pleWindowCycles, pleWindowGrow });

    const xen = loadScenario('contended', { system: 'xen-credit', ple: true, sliceUs: 10_000 });
    expect(xen.scheduler).toMatchObject({ ...virtualized('xen-credit').host, ple: true, sliceUs: 10_000 });
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

describe('what each profile does on a short virtual run', () => {
  /**
   * Two VMs of 4 vCPUs on 4 pCPUs, contended and overcommitted, so that spins, kicks and skew
   * happen; the guest's thresholds lowered (explicit overrides win) so that 50 ms reach them. The
   * host side is the profile's.
   */
  const run = (name: SystemName, overrides: Parameters<typeof loadScenario>[1] = {}) =>
    simulate(
      loadScenario('contended', {
        system: name,
        engine: 'virtual',
        pcpus: 4,
        vcpus: 4,
        vms: 2,
        durationMs: 50,
        spinThreshold: 256,
        haltThreshold: 64,
        ...overrides,
      }),
    );

  it.each(VIRTUALIZED.map((s) => [s.name, s] as const))('%s: its guest policy and its host mechanisms act, and only those', async (name, { guest, host }) => {
    const results = await run(name);
    expect(results.ok, name).toBe(true);
    const total = (pick: Parameters<typeof vcpuTotal>[1]) => vcpuTotal(results, pick);
    const parts = guest.policy.split('+');
    expect(total((v) => v.notifications) > 0, 'notifications').toBe(parts.includes('notify'));
    expect(total((v) => v.halts) > 0, 'halts').toBe(parts.includes('pv-halt'));
    expect(total((v) => v.pleExits) > 0, 'PLE exits').toBe(host.ple);
    expect(total((v) => v.directedYields) > 0, 'directed yields').toBe(host.reaction === 'directed-yield');
    expect(total((v) => v.boostYields) > 0, 'boost yields').toBe(host.boost);
    if (host.boost) expect(total((v) => v.kicks)).toBeGreaterThanOrEqual(total((v) => v.boostYields));
    expect(total((v) => v.creditBoosts) > 0, 'credit boosts').toBe(host.policy === 'credit');
    expect(total((v) => v.coStops) > 0, 'co-stops').toBe(host.policy === 'cosched');
  });

  it("grows KVM's PLE window at exits and keeps Xen's fixed when --ple on adds it", async () => {
    const kvm = await run('kvm');
    const xen = await run('xen-credit', { ple: true });
    expect(vcpuTotal(kvm, (v) => v.pleWindowGrowths)).toBeGreaterThan(0);
    expect(vcpuTotal(xen, (v) => v.pleExits)).toBeGreaterThan(0);
    expect(vcpuTotal(xen, (v) => v.pleWindowGrowths)).toBe(0);
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
