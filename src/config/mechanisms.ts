/**
 * Who ships which lock · spin-wait policy: every lock × policy pair that a real system ships (or
 * that a published patch proposed), each with one line on who ships it. The one source of that
 * knowledge: the named systems (systems.ts) take their guest's pair from this list, the bench's
 * overcommit group plans its mitigation matrix from it, its tables and report order, label and
 * colour their rows by it, and bench/README.md's table of who ships what is checked against it by
 * a unit test. A new pair is one entry here (and one line in that table).
 */
import type { LockKind, PolicySpec } from './schema.js';

export interface Mechanism {
  readonly lock: LockKind;
  readonly policy: PolicySpec;
  /** Who ships it, in one line: the systems that run this lock with this wait policy. */
  readonly ships: string;
}

/** A lock and a wait policy: a mechanism, or a case's pair that may not be one. */
export type LockAndPolicy = Pick<Mechanism, 'lock' | 'policy'>;

/** In the order the tables and charts show them; the first is the baseline the bench measures every ratio against. */
export const MECHANISMS: readonly Mechanism[] = [
  { lock: 'ticket', policy: 'naive', ships: 'Linux 2.6.25–4.1 ticket spinlocks on a hypervisor without pv spinlocks' },
  {
    lock: 'tas',
    policy: 'naive',
    ships: "Linux ≥ 4.2 guests on a hypervisor without PV_UNHALT: virt_spin_lock's test-and-set fallback (arch/x86/include/asm/qspinlock.h)",
  },
  { lock: 'ttas', policy: 'naive', ships: 'Windows Server 2003 on Hyper-V: no enlightenment' },
  { lock: 'ttas', policy: 'notify', ships: 'Windows Server 2008 and later on Hyper-V: a long-spin-wait notification every 4095 spins' },
  { lock: 'ticket', policy: 'pv-halt', ships: 'Linux 3.12–4.1 pv ticket locks on KVM and Xen: kvm_lock_spinning halts, kvm_unlock_kick wakes' },
  { lock: 'qspinlock', policy: 'naive', ships: 'Linux ≥ 4.2 native qspinlock, e.g. on a hypervisor that hides itself' },
  { lock: 'unfair-queued', policy: 'pv-halt', ships: 'Linux ≥ 4.2 pv qspinlock on KVM, Xen and Hyper-V: pv_wait and pv_kick, with the hybrid unfair trylock' },
  {
    lock: 'unfair-queued',
    policy: 'pv-halt+preempted-aware',
    ships: "Linux's pv qspinlock on KVM that also reads the steal-time preempted flag (vcpu_is_preempted)",
  },
  { lock: 'preemptable-ticket', policy: 'naive', ships: 'research: Ouyang and Lange, VEE 2013, a patch to Linux 3.5' },
  { lock: 'ticket', policy: 'preempted-aware', ships: 'research: the steal-time preempted flag read by a ticket lock waiter; no shipped ticket lock reads it' },
  {
    lock: 'ticket',
    policy: 'cs-hint',
    ships: "research on delayed preemption: Uhlig et al. 2004, eCS (ATC 2018); Linux's 2025 time-slice extension",
  },
];

/** What a mechanism is called in tables and charts: `ticket · naive`. */
export const mechanismLabel = (m: LockAndPolicy): string => `${m.lock} · ${m.policy}`;

/** The mechanism of a lock and policy; throws for a pair the list lacks. */
export const findMechanism = (lock: LockKind, policy: PolicySpec): Mechanism => {
  const found = MECHANISMS.find((m) => m.lock === lock && m.policy === policy);
  if (!found) throw new Error(`no mechanism ${lock} · ${policy} in MECHANISMS`);
  return found;
};

/** A shipped pair as a guest's lock and policy (a named system's, systems.ts); throws for a pair the list lacks. */
export const shippedPair = (lock: LockKind, policy: PolicySpec): LockAndPolicy => {
  const found = findMechanism(lock, policy);
  return { lock: found.lock, policy: found.policy };
};

/** A mechanism's place in the list (tables, charts and colours follow it); one past the end for a pair the list lacks. */
export function mechanismRank(m: LockAndPolicy): number {
  const i = MECHANISMS.findIndex((x) => x.lock === m.lock && x.policy === m.policy);
  return i < 0 ? MECHANISMS.length : i;
}

/** Who ships a lock and policy, or undefined for a pair the list lacks. */
export const shipsOf = (m: LockAndPolicy): string | undefined => MECHANISMS.find((x) => x.lock === m.lock && x.policy === m.policy)?.ships;
