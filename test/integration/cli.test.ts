/**
 * The command line as a user meets it, in process (`main(argv, io)`, test/helpers/cli.ts): what
 * it prints and the exit code. Runs here are on the virtual engine; the threads engine's through
 * the command line are in cli-threads.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listPresets } from '../../src/config/presets.js';
import { SYSTEMS, SYSTEM_NAMES, type SystemName } from '../../src/config/systems.js';
import type { Results } from '../../src/results/results.js';
import { compareResultsSchema, resultsSchema, type CompareResults } from '../../src/results/results-schema.js';
import { expectUsageError, spinvisor } from '../helpers/cli.js';

/** A virtualized system's profile, whose guest and host settings a run with it must record. */
function virtualizedProfile(name: SystemName): Extract<(typeof SYSTEMS)[number], { mode: 'virtualized' }> {
  const system = SYSTEMS.find((s) => s.name === name)!;
  if (system.mode !== 'virtualized') throw new Error(`${name} is not virtualized`);
  return system;
}

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('spinvisor bad input', () => {
  it('rejects an unknown preset, listing the presets, and writes no results file', async () => {
    const json = join(tmp, 'unknown-preset.json');
    expectUsageError(await spinvisor('run', 'no-such-preset', '--json', json), /unknown preset "no-such-preset" \(available: .*contended.*uncontended/);
    expect(existsSync(json)).toBe(false);
  });

  it('rejects a malformed JSON file, naming the file', async () => {
    const file = join(tmp, 'malformed.json');
    writeFileSync(file, '{"pcpus": 2, "vms": [');
    expectUsageError(await spinvisor('run', file), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: malformed JSON`));
  });

  it('rejects a file field out of range, naming the field', async () => {
    const file = join(tmp, 'too-many-vcpus.json');
    writeFileSync(file, JSON.stringify({ vms: [{ name: 'a', vcpus: 5000 }] }));
    expectUsageError(await spinvisor('run', file), /vms\[0\]\.vcpus: Too big/);
  });

  it('rejects an override out of range, naming the field, and writes no results file', async () => {
    const json = join(tmp, 'out-of-range.json');
    expectUsageError(await spinvisor('run', 'contended', '--pcpus', '300', '--json', json), /pcpus: Too big: expected number to be <=256/);
    expect(existsSync(json)).toBe(false);
  });

  it('rejects a non-integer override, naming the flag', async () => {
    expectUsageError(await spinvisor('run', 'contended', '--pcpus', 'abc'), /--pcpus: expected an integer, got "abc"/);
  });

  it('rejects an unknown flag, naming it', async () => {
    expectUsageError(await spinvisor('run', 'contended', '--turbo'), /--turbo: unknown flag/);
  });

  it('rejects a flag missing its value', async () => {
    expectUsageError(await spinvisor('run', '--duration-ms'), /--duration-ms: expects a value/);
  });

  it('rejects an unknown command', async () => {
    expectUsageError(await spinvisor('walk'), /unknown command "walk"/);
  });

  it('rejects an unknown policy in compare', async () => {
    expectUsageError(
      await spinvisor('compare', 'contended', '--policies', 'naive,lazy'),
      /^spinvisor: --policies: unknown policy "lazy"; expected naive, notify, /,
    );
  });

  it('rejects a combination that makes no sense, saying why in one line', async () => {
    expectUsageError(await spinvisor('run', '--policy', 'pv-halt+pv-halt'), /^spinvisor: --policy: "pv-halt" named twice in "pv-halt\+pv-halt"$/);
    expectUsageError(await spinvisor('run', '--policy', 'naive+cs-hint'), /^spinvisor: --policy: naive means no enlightenment: it cannot be combined/);
    expectUsageError(await spinvisor('compare', '--policies', 'naive,notify+pv-halt'), /^spinvisor: --policies: notify and pv-halt both act on a long spin/);
    const file = join(tmp, 'bad-combination.json');
    writeFileSync(file, JSON.stringify({ vms: [{ name: 'a', vcpus: 2, policy: 'cs-hint+' }] }));
    expectUsageError(await spinvisor('run', file), /^spinvisor: vms\[0\]\.policy: empty policy name in "cs-hint\+"/);
  });

  it('rejects an unknown lock in compare --locks, and --locks with --lock', async () => {
    expectUsageError(await spinvisor('compare', '--locks', 'ticket,spin'), /^spinvisor: --locks: expected one of tas, ttas, ticket, mcs/);
    expectUsageError(await spinvisor('compare', '--locks', 'ticket,ticket'), /^spinvisor: --locks: "ticket" is listed twice$/);
    expectUsageError(await spinvisor('compare', '--locks', 'ticket,mcs', '--lock', 'tas'), /^spinvisor: --lock: give either --lock/);
  });

  it('rejects an unknown system, --systems with what it excludes, and --mode with --system, in one line each', async () => {
    const json = join(tmp, 'unknown-system.json');
    expectUsageError(
      await spinvisor('run', '--system', 'vmware', '--json', json),
      /^spinvisor: --system: expected one of bare-metal, hyperv-ws2003, .*, got "vmware"$/,
    );
    expect(existsSync(json)).toBe(false);
    expectUsageError(await spinvisor('compare', '--systems', 'kvm,vmware'), /^spinvisor: --systems: expected one of bare-metal, .*, got "vmware"$/);
    expectUsageError(await spinvisor('compare', '--systems', 'kvm,kvm'), /^spinvisor: --systems: "kvm" is listed twice$/);
    expectUsageError(
      await spinvisor('compare', '--systems', 'kvm,xen-credit', '--policies', 'naive,notify'),
      /^spinvisor: --systems: give either --systems or --policies/,
    );
    expectUsageError(
      await spinvisor('compare', '--systems', 'kvm,xen-credit', '--locks', 'ticket,mcs'),
      /^spinvisor: --systems: give either --systems or --locks/,
    );
    expectUsageError(
      await spinvisor('compare', '--systems', 'kvm,xen-credit', '--system', 'kvm'),
      /^spinvisor: --system: give either --system .* or --systems/,
    );
    expectUsageError(
      await spinvisor('run', '--system', 'kvm', '--mode', 'bare'),
      /^spinvisor: --mode: --system kvm sets the mode \(virtualized\); drop --mode$/,
    );
    expectUsageError(
      await spinvisor('compare', '--system', 'bare-metal'),
      /^spinvisor: --system: bare-metal has no hypervisor to compare policies or locks under/,
    );
  });

  it('rejects an extension out of range, naming the field', async () => {
    expectUsageError(await spinvisor('run', '--policy', 'cs-hint', '--extension-us', '0'), /extensionUs: Too small/);
  });
});

describe('spinvisor help and listings', () => {
  it('prints help for the program and for each command, exit 0', async () => {
    for (const args of [['--help'], ['help', 'run'], ['run', '--help'], ['compare', '--help'], ['presets', '--help'], ['schema', '-h']]) {
      const outcome = await spinvisor(...args);
      expect(outcome.code, args.join(' ')).toBe(0);
      expect(outcome.stdout, args.join(' ')).toMatch(/spinvisor/);
    }
  });

  it('explains every run-table column in run --help, from the event table', async () => {
    const { stdout } = await spinvisor('run', '--help');
    expect(stdout).toMatch(/LHP\s+lock-holder preemptions: preemptions while holding a lock/);
    expect(stdout).toMatch(/acq\/s\s+acquisitions per second/);
  });

  it('lists the presets with their descriptions', async () => {
    const { code, stdout } = await spinvisor('presets');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^uncontended\s+2 pCPUs/m);
    expect(stdout).toMatch(/^contended\s+2 pCPUs/m);
    for (const preset of listPresets()) expect(stdout).toContain(preset.config.description);
  });

  it('lists the named systems after the presets, and in the help of run and compare', async () => {
    const { code, stdout } = await spinvisor('presets');
    expect(code).toBe(0);
    const table = stdout.slice(stdout.indexOf('Systems'));
    expect(table).toMatch(/^system\s+lock · policy\s+scheduler\s+host side\s+what it is$/m);
    expect(table).toMatch(/^kvm\s+unfair-queued · pv-halt\+preempted-aware, halt at 32768 spins\s+rr\s+PLE → directed-yield, boost\s/m);
    expect(table).toMatch(/^xen-credit\s+unfair-queued · pv-halt, halt at 32768 spins\s+credit, slice 30 ms\s+yield, no PLE\s/m);
    for (const system of SYSTEMS) expect(table).toMatch(new RegExp(`^${system.name}\\s.*${system.summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    for (const command of ['run', 'compare']) {
      const help = (await spinvisor(command, '--help')).stdout;
      expect(help).toMatch(/--system NAME/);
      for (const system of SYSTEMS)
        expect(help, `${command} --help`).toContain(`  ${system.name.padEnd(Math.max(...SYSTEM_NAMES.map((n) => n.length)) + 2)}${system.summary}`);
    }
    expect((await spinvisor('compare', '--help')).stdout).toMatch(/--systems LIST/);
  });

  it('prints the JSON Schema', async () => {
    const { code, stdout } = await spinvisor('schema');
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ type: 'object', required: ['vms'] });
  });
});

describe('spinvisor compare on the virtual engine', () => {
  it('compares locks, and every lock under every policy, labelling each run', async () => {
    const json = join(tmp, 'compare-locks.json');
    const outcome = await spinvisor(
      'compare',
      'contended',
      '--engine',
      'virtual',
      '--duration-ms',
      '50',
      '--locks',
      'ticket,mcs',
      '--policies',
      'naive,pv-halt+cs-hint',
      '--json',
      json,
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/vs ticket · naive/);
    expect(outcome.stdout).toMatch(/^\S+\s+mcs · pv-halt\+cs-hint\s/m);
    const results = JSON.parse(readFileSync(json, 'utf8')) as CompareResults;
    expect(results.ok).toBe(true);
    expect(results.labels).toEqual(['ticket · naive', 'ticket · pv-halt+cs-hint', 'mcs · naive', 'mcs · pv-halt+cs-hint']);
    expect(results.locks).toEqual(['ticket', 'ticket', 'mcs', 'mcs']);
    expect(results.policies).toEqual(['naive', 'pv-halt+cs-hint', 'naive', 'pv-halt+cs-hint']);
    expect(results.runs.map((r) => r.config.vms[0]!.workload.lock)).toEqual(results.locks);

    const onlyLocks = await spinvisor(
      'compare',
      'contended',
      '--engine',
      'virtual',
      '--duration-ms',
      '20',
      '--locks',
      'tas,ticket',
      '--policy',
      'preempted-aware',
    );
    expect(onlyLocks.code, onlyLocks.stderr).toBe(0);
    expect(onlyLocks.stdout).toMatch(/vs tas\b/);
    expect(onlyLocks.stdout).toMatch(/^tas: /m);
  });
});

describe('spinvisor with named systems', () => {
  it("compares systems side by side, bare metal first, labelling rows and recording each run's system", async () => {
    const json = join(tmp, 'compare-systems.json');
    const outcome = await spinvisor(
      'compare',
      'contended',
      '--engine',
      'virtual',
      '--duration-ms',
      '30',
      '--systems',
      'bare-metal,hyperv-ws2008,kvm',
      '--json',
      json,
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/vs bare-metal/);
    expect(outcome.stdout).toMatch(/^bare\s+bare-metal\s+\S+\s+1\.00×/m);
    expect(outcome.stdout).toMatch(/^guest\s+hyperv-ws2008\s/m);
    expect(outcome.stdout).toMatch(/^guest\s+kvm\s/m);
    expect(outcome.stdout).toMatch(/^ {2}hyperv-ws2008 {2}ttas · notify · slice 10 ms · notify → yield$/m);
    for (const label of ['bare-metal', 'hyperv-ws2008', 'kvm']) expect(outcome.stdout).toMatch(new RegExp(`^${label}: self-checks: all \\d+ passed`, 'm'));
    const file: unknown = JSON.parse(readFileSync(json, 'utf8'));
    const results = compareResultsSchema.parse(file) as CompareResults;
    expect(results.format).toBe('spinvisor-compare/2');
    expect(results.ok).toBe(true);
    expect(results.labels).toEqual(['bare-metal', 'hyperv-ws2008', 'kvm']);
    expect(results.systems).toEqual(['bare-metal', 'hyperv-ws2008', 'kvm']);
    expect(results.runs.map((r) => r.system)).toEqual(['bare-metal', 'hyperv-ws2008', 'kvm']);
    expect(results.runs.every((r) => r.ok)).toBe(true);
    // Each run has its system's profile applied; bare metal keeps the scenario's lock.
    const [hyperv, kvm] = [virtualizedProfile('hyperv-ws2008'), virtualizedProfile('kvm')];
    expect(results.locks).toEqual([results.runs[0]!.config.vms[0]!.workload.lock, hyperv.guest.lock, kvm.guest.lock]);
    expect(results.policies).toEqual(['naive', hyperv.guest.policy, kvm.guest.policy]);
    expect(results.runs[0]!.config).toMatchObject({ mode: 'bare', vms: [{ name: 'bare', vcpus: 2 }] });
    expect(results.runs[1]!.config.vms[0]).toMatchObject({ spinThreshold: hyperv.guest.spinThreshold });
    expect(results.runs[2]!.config.scheduler).toMatchObject(kvm.host);

    // Without systems, the compare file has no `systems` and its runs no `system`.
    const plain = join(tmp, 'compare-plain.json');
    expect((await spinvisor('compare', 'contended', '--engine', 'virtual', '--duration-ms', '10', '--json', plain)).code).toBe(0);
    const plainFile = JSON.parse(readFileSync(plain, 'utf8')) as Record<string, unknown> & CompareResults;
    expect('systems' in plainFile).toBe(false);
    expect(plainFile.runs.every((r) => !('system' in r))).toBe(true);
  });

  it('runs a preset as a named system and records it with every setting it implied', async () => {
    const json = join(tmp, 'run-kvm.json');
    const outcome = await spinvisor('run', '--system', 'kvm', '--engine', 'virtual', '--duration-ms', '20', '--json', json);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^spinvisor run: default on kvm · 2 pCPUs · 1 VM × 2 vCPUs · slice 10 ms · PLE → directed-yield · boost$/m);
    const results = resultsSchema.parse(JSON.parse(readFileSync(json, 'utf8'))) as Results;
    expect(results.ok).toBe(true);
    expect(results.system).toBe('kvm');
    // Every setting of the profile is applied and recorded in the config.
    const kvm = virtualizedProfile('kvm');
    const { lock, ...vmSettings } = kvm.guest;
    expect(results.config.vms[0]).toMatchObject({ ...vmSettings, workload: { lock } });
    expect(results.config.scheduler).toMatchObject(kvm.host);

    // An explicit flag wins over the system's setting.
    const overridden = join(tmp, 'run-kvm-no-ple.json');
    expect((await spinvisor('run', '--system', 'kvm', '--ple', 'off', '--engine', 'virtual', '--duration-ms', '10', '--json', overridden)).code).toBe(0);
    const second = JSON.parse(readFileSync(overridden, 'utf8')) as Results;
    expect(second.system).toBe('kvm');
    expect(second.config.scheduler).toMatchObject({ ...kvm.host, ple: false });
  });
});

describe('spinvisor on the virtual engine', () => {
  it('runs a machine larger than the host in virtual time and says so', async () => {
    const json = join(tmp, 'virtual.json');
    const outcome = await spinvisor(
      'run',
      'contended',
      '--engine',
      'virtual',
      '--pcpus',
      '16',
      '--vcpus',
      '16',
      '--vms',
      '2',
      '--duration-ms',
      '50',
      '--json',
      json,
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stderr).not.toMatch(/WARNING/);
    expect(outcome.stdout).toMatch(/50 ms of virtual time · seed 1 · virtual engine/);
    const results = JSON.parse(readFileSync(json, 'utf8')) as Results;
    expect(results.ok).toBe(true);
    expect(results.engine).toBe('virtual');
    expect(results.metrics.pcpus).toHaveLength(16);
    expect(results.metrics.elapsedMs).toBe(50);
  });

  it('rejects an unknown engine, naming the flag', async () => {
    expectUsageError(await spinvisor('run', '--engine', 'warp'), /^spinvisor: --engine: expected one of threads, virtual, got "warp"$/);
  });
});
