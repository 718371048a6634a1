/**
 * Named systems (`--system NAME`, `compare --systems a,b`): what a real guest and host pair
 * ships, as the scenario fields that set it: the guest's lock and spin-wait policy (with its
 * threshold), and the host's scheduler, reaction to a detected spin, pause-loop exiting and
 * boost. A profile is applied to any workload scenario before validation, as overrides are, and
 * explicit override flags given with it win (src/config/overrides.ts); the results record the
 * name (`system`) and the config every setting it implied.
 *
 * A guest's lock and policy is a pair of the list of who ships which lock · policy (mechanisms.ts),
 * taken from it: a profile cannot name a pair the list lacks.
 *
 * One list, in the order tables show it: the presets listing, the help texts, the flags and the
 * results schemas take the names from it (docs/mechanisms.md's Systems section describes it). A setting a
 * profile leaves out stays as the scenario has it (the time slice, except on Xen, and a threshold
 * the profile's policy does not read).
 */
import { shippedPair } from './mechanisms.js';
import type { LockKind, SchedulerConfig, VmConfig } from './schema.js';

/** The guest side: set on every VM. */
type GuestSettings = { readonly lock: LockKind } & Pick<VmConfig, 'policy'> & Partial<Pick<VmConfig, 'spinThreshold' | 'haltThreshold'>>;

/** The host side: `scheduler` fields. The reaction, PLE and boost are always set, so a profile never inherits the scenario's host side. */
type HostSettings = Pick<SchedulerConfig, 'policy' | 'reaction' | 'ple' | 'boost'> &
  Partial<
    Pick<
      SchedulerConfig,
      'sliceUs' | 'creditPeriodUs' | 'ratelimitUs' | 'coschedSkewUs' | 'pleGapCycles' | 'pleWindowCycles' | 'pleWindowGrow' | 'pleWindowShrink' | 'pleWindowMax'
    >
  >;

interface ProfileText {
  readonly name: string;
  /** One line for the presets listing. */
  readonly summary: string;
  /** One paragraph: what the system is and where each setting comes from. */
  readonly description: string;
}

/** The physical machine: `toBareMetal` of the scenario (its first VM's workload, one vCPU per pCPU, naive, no hypervisor). */
interface BareMetalProfile extends ProfileText {
  readonly mode: 'bare';
}

interface VirtualizedProfile extends ProfileText {
  readonly mode: 'virtualized';
  readonly guest: GuestSettings;
  readonly host: HostSettings;
}

type SystemProfile = BareMetalProfile | VirtualizedProfile;

/** KVM's pause-loop exiting as it ships: ple_gap 128, ple_window 4096, grown ×2 per exit, reset at each schedule-in, up to UINT_MAX (arch/x86/kvm/x86.h, vmx/vmx.c). */
const KVM_PLE = { ple: true, pleGapCycles: 128, pleWindowCycles: 4096, pleWindowGrow: 2, pleWindowShrink: 0, pleWindowMax: 0xffffffff } as const;

/** Linux's SPIN_THRESHOLD (1 << 15, arch/x86/include/asm/spinlock.h): the spins of the pv qspinlock before pv_wait. */
const LINUX_SPIN_THRESHOLD = 32768;

const PROFILES = [
  {
    name: 'bare-metal',
    mode: 'bare',
    summary: 'the machine itself: the first VM, a vCPU per pCPU',
    description:
      "The machine without a hypervisor, the baseline the virtualized systems are measured against: the scenario's first VM's workload with one vCPU bound to each pCPU, no time slices, naive spinning (there is nobody to notify or to halt to). The same as `--mode bare` (`toBareMetal`, src/config/schema.ts); the scenario's lock stays.",
  },
  {
    name: 'hyperv-ws2003',
    mode: 'virtualized',
    summary: 'Windows Server 2003 on Hyper-V (no notify)',
    description:
      "A Windows guest that predates the spinlock enlightenment: test-and-test-and-set locks with backoff (the shape of KeAcquireSpinLock) that spin until they win and never call the hypervisor, though Hyper-V offers the long-spin-wait notification (Hyper-V Top-Level Functional Specification: HvCallNotifyLongSpinWait, CPUID leaf 0x40000004). The host side is the one hyperv-ws2008 has (round robin, a plain yield as the reaction, no PLE, no boost), so the two differ only in the guest; a naive guest without PLE never reaches the reaction. The mitigation matrix's `ttas · naive`.",
    guest: shippedPair('ttas', 'naive'),
    host: { policy: 'rr', reaction: 'yield', ple: false, boost: false },
  },
  {
    name: 'hyperv-ws2008',
    mode: 'virtualized',
    summary: 'Windows Server 2008 and later on Hyper-V',
    description:
      "Windows Server 2008 and later on Hyper-V: test-and-test-and-set locks that make the HvCallNotifyLongSpinWait hypercall every 4095 spins, the count Hyper-V recommends in CPUID leaf 0x40000004 EBX (0xFFF; 0xFFFFFFFF would mean never notify). The Hyper-V Top-Level Functional Specification documents the hypercall as an advisory scheduling hint (its input is the accumulated spin count; it always returns success) and does not say what the hypervisor does with it: here the reaction is a plain yield, the next runnable vCPU runs, as this model takes Hyper-V to behave. Round robin, no boost, and no PLE: the profile models the interface the specification documents, the notification; whether Hyper-V also exits on PAUSE loops is not modelled. The mitigation matrix's `ttas · notify`.",
    guest: { ...shippedPair('ttas', 'notify'), spinThreshold: 4095 },
    host: { policy: 'rr', reaction: 'yield', ple: false, boost: false },
  },
  {
    name: 'kvm-no-pv',
    mode: 'virtualized',
    summary: 'Linux 2.6.25–4.1 without pv spinlocks on KVM',
    description:
      "A Linux 2.6.25–4.1 guest without paravirtual spinlocks on KVM: ticket spinlocks (arch/x86/include/asm/spinlock.h of those kernels) spinning naively. The host catches the spin with pause-loop exiting at today's KVM defaults (ple_gap 128, ple_window 4096 cycles, grown ×2 per exit, reset at each schedule-in, at most UINT_MAX: arch/x86/kvm/x86.h, arch/x86/kvm/vmx/vmx.c) and answers it with kvm_vcpu_on_spin's directed yield to a runnable sibling (virt/kvm/kvm_main.c, Linux 2.6.39+). No boost: KVM's boost (Linux 5.3) acts on kicks, and a guest without pv spinlocks never kicks. The mitigation matrix's `ticket · naive` with KVM's host side.",
    guest: shippedPair('ticket', 'naive'),
    host: { policy: 'rr', reaction: 'directed-yield', ...KVM_PLE, boost: false },
  },
  {
    name: 'kvm',
    mode: 'virtualized',
    summary: 'Linux ≥ 4.2 on KVM (a Linux ≥ 5.3 host)',
    description:
      "A Linux ≥ 4.2 guest on KVM: the paravirtual queued spinlock with the hybrid unfair trylock (4.8+; kernel/locking/qspinlock_paravirt.h: pv_hybrid_queued_unfair_trylock, pv_wait_node, pv_wait_head_or_lock), which halts after SPIN_THRESHOLD (1 << 15, arch/x86/include/asm/spinlock.h) spins until the unlocker kicks it (arch/x86/kernel/kvm.c: kvm_wait, kvm_kick_cpu, KVM_HC_KICK_CPU), and reads the steal-time preempted flag (vcpu_is_preempted; KVM_HC_SCHED_YIELD, Linux 5.2). The host has pause-loop exiting at KVM's defaults (ple_gap 128, ple_window 4096, ×2, reset, UINT_MAX), answers a spin with kvm_vcpu_on_spin's directed yield (virt/kvm/kvm_main.c) and boosts kicked vCPUs (Linux 5.3: a kicked vCPU is tried first, and the kicker yields to it). The mitigation matrix's `unfair-queued · pv-halt+preempted-aware` with KVM's host side.",
    guest: { ...shippedPair('unfair-queued', 'pv-halt+preempted-aware'), haltThreshold: LINUX_SPIN_THRESHOLD },
    host: { policy: 'rr', reaction: 'directed-yield', ...KVM_PLE, boost: true },
  },
  {
    name: 'xen-credit',
    mode: 'virtualized',
    summary: 'Linux ≥ 4.2, a PV guest on Xen (credit)',
    description:
      "A Linux guest with paravirtual spinlocks on Xen's credit scheduler (xen/common/sched/credit.c: a 30 ms time slice and accounting period, CSCHED_DEFAULT_TSLICE_MS; a 1 ms rate limit, sched_ratelimit_us; BOOST for a vCPU woken by a kick; no directed yield). The guest's lock is Linux's generic pv queued spinlock with the hybrid unfair trylock: arch/x86/xen/spinlock.c only supplies its wait (xen_qlock_wait: block on the kick's event channel, xen_poll_irq) and its kick (xen_qlock_kick, an IPI) and sets no spin count of its own, so a waiter halts after SPIN_THRESHOLD (1 << 15) spins, as on KVM, not 2^16. Linux also reads Xen's runstate as vcpu_is_preempted (xen_vcpu_stolen); it is left out because credit has no directed yield, so the flag could only add halts to the queued lock's own halt on a preempted predecessor. The host's reaction is a plain yield (vcpu_yield). PLE is off: a PV guest runs without VT-x. An HVM or PVH guest on Intel gets Xen's pause-loop exiting (xen/arch/x86/hvm/vmx/vmcs.c: ple_gap 128, ple_window 4096, a fixed window; the exit handler in vmx.c calls vcpu_yield): the profile sets that window (pleWindowGrow 0) so that `--ple on` adds it.",
    guest: { ...shippedPair('unfair-queued', 'pv-halt'), haltThreshold: LINUX_SPIN_THRESHOLD },
    host: {
      policy: 'credit',
      sliceUs: 30_000,
      creditPeriodUs: 30_000,
      ratelimitUs: 1000,
      reaction: 'yield',
      ple: false,
      pleGapCycles: 128,
      pleWindowCycles: 4096,
      pleWindowGrow: 0,
      pleWindowShrink: 0,
      boost: false,
    },
  },
  {
    name: 'esxi',
    mode: 'virtualized',
    summary: 'Linux on VMware ESXi (relaxed co-scheduling)',
    description:
      'A Linux guest on VMware ESXi, which offers Linux no paravirtual spinlock: the queued spinlock then falls back to virt_spin_lock, a test-and-test-and-set lock (arch/x86/include/asm/qspinlock.h, since commit 43b3f02899f7 "locking/qspinlock/x86: Fix performance regression under unaccelerated VMs": fair locks suffer too much from lock-holder preemption), that spins naively. The host runs relaxed co-scheduling (VMware, "Co-scheduling SMP VMs in VMware ESX Server", 2008, and "VMware vSphere 4: The CPU Scheduler in VMware ESX 4", 2009): skew is tracked per vCPU against its VM\'s slowest vCPU, idle vCPUs count as progressing, and a vCPU that leads by more than the threshold is co-stopped until the laggards catch up; VMware publishes no threshold, so it is this simulator\'s 3 ms (`coschedSkewUs`). Left out: ESXi\'s proportional shares (every VM has an equal share here), its hyperthreading and NUMA placement, and any pause-loop exiting (VMware does not document one for ESXi\'s scheduler; PLE is off). The reaction, yield, is never reached without PLE.',
    guest: shippedPair('ttas', 'naive'),
    host: { policy: 'cosched', coschedSkewUs: 3000, reaction: 'yield', ple: false, boost: false },
  },
] as const satisfies readonly SystemProfile[];

export type SystemName = (typeof PROFILES)[number]['name'];

/** Every profile, in the order tables show them. */
export const SYSTEMS: readonly (SystemProfile & { readonly name: SystemName })[] = PROFILES;

/** The profiles' names, for flags and schemas. */
export const SYSTEM_NAMES = PROFILES.map((p) => p.name) as readonly SystemName[] as readonly [SystemName, ...SystemName[]];

export function systemProfile(name: SystemName): SystemProfile {
  return SYSTEMS.find((s) => s.name === name)!;
}

/** `ttas · notify, every 4095 spins`: the guest side in a few words; bare metal keeps the scenario's lock. */
export function guestSummary(system: SystemProfile): string {
  if (system.mode === 'bare') return "the scenario's lock · naive";
  const { lock, policy, spinThreshold, haltThreshold } = system.guest;
  const threshold = spinThreshold !== undefined ? `, every ${spinThreshold} spins` : haltThreshold !== undefined ? `, halt at ${haltThreshold} spins` : '';
  return `${lock} · ${policy}${threshold}`;
}

/** `credit, slice 30 ms`: the scheduler policy, and the slice where the profile sets one. */
export function schedulerSummary(system: SystemProfile): string {
  if (system.mode === 'bare') return 'none';
  const { policy, sliceUs } = system.host;
  return sliceUs === undefined ? policy : `${policy}, slice ${sliceUs / 1000} ms`;
}

/** `PLE → directed-yield, boost`: what the host does with a detected spin, and whether it boosts kicked vCPUs. */
export function hostSummary(system: SystemProfile): string {
  if (system.mode === 'bare') return 'no hypervisor';
  const { reaction, ple, boost } = system.host;
  return [ple ? `PLE → ${reaction}` : `${reaction}, no PLE`, ...(boost ? ['boost'] : [])].join(', ');
}
