import { describe, expect, it } from 'vitest';
import { applyOverrides } from '../../src/config/overrides.js';
import { ConfigError } from '../../src/config/schema.js';

const base = () => ({
  pcpus: 2,
  vms: [
    { name: 'guest', vcpus: 2, workload: { locks: 4 } },
    { name: 'other', vcpus: 1 },
  ],
});

describe('scenario overrides', () => {
  it('--vms N makes N copies of the first VM, numbered from the second', () => {
    const config = applyOverrides(base(), { vms: 3 });
    expect(config.vms.map((vm) => vm.name)).toEqual(['guest', 'guest-2', 'guest-3']);
    expect(config.vms.every((vm) => vm.vcpus === 2 && vm.workload.locks === 4)).toBe(true);
  });

  it('keeps a numbered copy of a 32-character name within 32 characters', () => {
    const long = 'x'.repeat(32);
    const config = applyOverrides({ vms: [{ name: long, vcpus: 1 }] }, { vms: 2 });
    expect(config.vms[1]!.name).toBe(`${'x'.repeat(30)}-2`);
  });

  it('--vcpus, --lock and --policy apply to every VM', () => {
    const config = applyOverrides(base(), { vcpus: 3, lock: 'mcs', policy: 'notify' });
    for (const vm of config.vms) expect(vm).toMatchObject({ vcpus: 3, policy: 'notify', workload: { lock: 'mcs', locks: vm.name === 'guest' ? 4 : 16 } });
  });

  it('sets pcpus, slice, duration and seed', () => {
    const config = applyOverrides(base(), { pcpus: 1, sliceUs: 500, durationMs: 300, seed: 7 });
    expect(config).toMatchObject({ pcpus: 1, durationMs: 300, seed: 7, scheduler: { sliceUs: 500, reaction: 'yield', ple: false, boost: false } });
  });

  it('--spin-threshold applies to every VM, and is range-checked by the schema', () => {
    const config = applyOverrides(base(), { spinThreshold: 1024 });
    for (const vm of config.vms) expect(vm.spinThreshold).toBe(1024);
    expect(() => applyOverrides(base(), { spinThreshold: 0 })).toThrow(/spinThreshold/);
  });

  it('reports an out-of-range override at the field it lands in', () => {
    expect(() => applyOverrides(base(), { pcpus: 300 })).toThrow(new ConfigError('pcpus: Too big: expected number to be <=256'));
  });

  it('reports a huge --vms count instead of building it', () => {
    expect(() => applyOverrides(base(), { vms: 1e12 })).toThrow(/^vms: Too big/);
  });

  it('--mode bare turns the result into bare metal after the other overrides', () => {
    const config = applyOverrides(base(), { pcpus: 1, lock: 'tas', mode: 'bare' });
    expect(config.mode).toBe('bare');
    expect(config.vms).toHaveLength(1);
    expect(config.vms[0]).toMatchObject({ name: 'bare', vcpus: 1, policy: 'naive', workload: { lock: 'tas', locks: 4 } });
  });

  it('re-derives a bare scenario when --pcpus changes its shape', () => {
    const bare = { pcpus: 2, mode: 'bare', vms: [{ name: 'bare', vcpus: 2 }] };
    expect(applyOverrides(bare, { pcpus: 1 }).vms[0]!.vcpus).toBe(1);
  });

  it('validates a bare scenario as written when nothing reshapes it', () => {
    const bare = { pcpus: 2, mode: 'bare', vms: [{ name: 'bare', vcpus: 1 }] };
    expect(() => applyOverrides(bare, { seed: 3 })).toThrow(/^vms\[0\]\.vcpus: bare mode/);
  });

  it('leaves the input untouched', () => {
    const input = base();
    applyOverrides(input, { vms: 4, vcpus: 1, lock: 'tas', sliceUs: 100 });
    expect(input).toEqual(base());
  });

  it('leaves a malformed part for the schema to name', () => {
    expect(() => applyOverrides({ vms: 'none' }, { vcpus: 2 })).toThrow(/^vms: /);
  });
});
