/**
 * The event table: every counter and histogram the simulator records, with its unit and
 * meaning. The layout allocates one slot per row (in this order), the core bumps slots by
 * these names, and the report derives its columns and help text from the same rows.
 */

export interface CounterDef {
  readonly name: string;
  readonly unit: 'count' | 'ns' | 'units' | 'iterations';
  readonly meaning: string;
}

/** Per-vCPU counters. Written only by the pCPU that currently runs the vCPU (ownership moves with the state word's CAS). */
export const VCPU_COUNTERS = [
  { name: 'acquisitions', unit: 'count', meaning: 'critical sections completed (lock taken, guest memory updated, lock released)' },
  { name: 'workUnits', unit: 'units', meaning: 'guest work units executed, inside and outside critical sections' },
  { name: 'spins', unit: 'iterations', meaning: 'spin iterations: failed polls of a lock word, backoff pauses, waits for a queue successor' },
  { name: 'spinNs', unit: 'ns', meaning: 'time spent waiting for a lock while running on a pCPU' },
  { name: 'runNs', unit: 'ns', meaning: 'time running on a pCPU' },
  { name: 'stealNs', unit: 'ns', meaning: 'steal time: runnable but not running' },
  { name: 'slices', unit: 'count', meaning: 'times scheduled onto a pCPU' },
  { name: 'preemptions', unit: 'count', meaning: 'times descheduled because its time slice ran out' },
  { name: 'lockHolderPreemptions', unit: 'count', meaning: 'preemptions while holding a lock (including mid-release)' },
  { name: 'lockWaiterPreemptions', unit: 'count', meaning: 'preemptions while queued for a FIFO lock (ticket, MCS)' },
  { name: 'notifications', unit: 'count', meaning: 'NotifyLongSpinWait hypercalls issued' },
  { name: 'yields', unit: 'count', meaning: 'times the vCPU gave up its pCPU before its slice ended' },
  { name: 'directedYields', unit: 'count', meaning: 'yields that handed the pCPU straight to a preempted sibling vCPU' },
  { name: 'halts', unit: 'count', meaning: 'conditional halts (pv-halt): the vCPU went to sleep until kicked' },
  { name: 'haltNs', unit: 'ns', meaning: 'time halted: neither running nor runnable' },
  { name: 'kicks', unit: 'count', meaning: 'kick hypercalls issued by the vCPU as it released a lock a halted waiter waited for' },
  { name: 'kicksNotHalted', unit: 'count', meaning: 'kicks whose target was not halted (running: its next halt returns at once; or already runnable)' },
  { name: 'wakeUps', unit: 'count', meaning: 'times a kick woke the vCPU from a halt' },
  { name: 'spuriousWakeUps', unit: 'count', meaning: "wake-ups after which the vCPU's next poll still found the lock taken" },
  {
    name: 'earlyWaits',
    unit: 'count',
    meaning: "qspinlock with pv-halt: queued waiters that halted before their spin threshold because their predecessor's vCPU was preempted",
  },
  { name: 'headHalts', unit: 'count', meaning: 'qspinlock with pv-halt: halts of the queue head, after marking the lock slow' },
  { name: 'lazyKicks', unit: 'count', meaning: 'qspinlock with pv-halt: kicks, at unlock, of a waiter that became queue head while halted' },
  {
    name: 'lockSteals',
    unit: 'count',
    meaning: 'acquisitions out of arrival order: an unfair-queued steal past queued waiters, a preemptable-ticket waiter taking the lock before its turn',
  },
  { name: 'preemptedTargets', unit: 'count', meaning: 'preempted-aware: times a waiter saw the vCPU it waits for preempted and stopped spinning' },
  { name: 'extensionsGranted', unit: 'count', meaning: 'cs-hint: slice extensions granted because the vCPU marked itself inside a critical section' },
  { name: 'extensionsExpired', unit: 'count', meaning: 'cs-hint: extensions that ran out before the critical section ended (preempted anyway)' },
  { name: 'extensionsReturned', unit: 'count', meaning: 'cs-hint: extensions given back by a yield at the release of the lock' },
  { name: 'coStops', unit: 'count', meaning: "cosched: times the vCPU was co-stopped, its progress more than coschedSkewUs ahead of its VM's slowest vCPU" },
  { name: 'coStarts', unit: 'count', meaning: 'cosched: times a co-stopped vCPU was co-started, its lead back within coschedSkewUs' },
  { name: 'coStopNs', unit: 'ns', meaning: 'cosched: time co-stopped, from each co-stop to its co-start (part of the steal time; ESX reports it as %CSTP)' },
  { name: 'creditBoosts', unit: 'count', meaning: 'credit: wake-ups from a halt that queued the vCPU at BOOST priority' },
  { name: 'pleExits', unit: 'count', meaning: "PLE: pause-loop exits, spin loops that outlasted the vCPU's window (the hypervisor's reaction then ran)" },
  { name: 'pleWindowGrowths', unit: 'count', meaning: "PLE: exits that grew the vCPU's window (it was below pleWindowMax)" },
  {
    name: 'directedYieldHits',
    unit: 'count',
    meaning:
      "directed yields whose target held the yielder's lock, was its wait target (the holder or its queue predecessor), or was the waiter the lock was handed to",
  },
  { name: 'directedYieldMisses', unit: 'count', meaning: "directed yields whose target was none of those: it ran, but not for the yielder's lock" },
  { name: 'spinSleeps', unit: 'count', meaning: 'sleep reaction: detected spins that put the vCPU to sleep, off every pCPU for spinSleepUs' },
  { name: 'spinSleepNs', unit: 'ns', meaning: 'sleep reaction: time asleep after a detected spin (up to the end of the run)' },
  { name: 'boostYields', unit: 'count', meaning: 'boost: directed yields, right after a kick, to the vCPU kicked (counted in directedYields too)' },
] as const satisfies readonly CounterDef[];

/** Per-pCPU counters. Written only by that pCPU's thread. */
export const PCPU_COUNTERS = [
  { name: 'guestNs', unit: 'ns', meaning: 'time running guest code (a vCPU was current)' },
  { name: 'idleNs', unit: 'ns', meaning: 'time with no vCPU to run (looking for work or asleep)' },
  { name: 'hvNs', unit: 'ns', meaning: 'hypervisor time: choosing, switching and requeueing vCPUs' },
  { name: 'elapsedNs', unit: 'ns', meaning: 'time from the run start to this pCPU stopping' },
  { name: 'switches', unit: 'count', meaning: 'vCPU switches (a different or the same vCPU put on the pCPU)' },
  { name: 'steals', unit: 'count', meaning: "vCPUs taken from another pCPU's run queue" },
  { name: 'steps', unit: 'count', meaning: 'core steps executed' },
  { name: 'sleeps', unit: 'count', meaning: 'times the pCPU slept on Atomics.wait for lack of work' },
  { name: 'doubleRuns', unit: 'count', meaning: 'witness violations: a vCPU found on two pCPUs at once (a broken invariant)' },
  { name: 'queueFull', unit: 'count', meaning: 'pushes refused by a full run queue (a broken invariant)' },
  { name: 'haltedPicks', unit: 'count', meaning: 'vCPUs switched in while marked halted (a broken invariant)' },
  { name: 'haltRaces', unit: 'count', meaning: 'halts a kick overtook between the condition check and the sleep: the vCPU stayed awake (threads engine)' },
  { name: 'creditPreemptions', unit: 'count', meaning: 'credit: preemptions before the slice end, past the rate limit, for a waiting vCPU of higher priority' },
  { name: 'siblingSpreads', unit: 'count', meaning: "balance: pushes sent to another pCPU's run queue because the first choice held a sibling vCPU" },
  { name: 'globalLockSpins', unit: 'iterations', meaning: "global-lock: polls of the run queue's lock held by another pCPU (virtual engine: wait / spinNs)" },
  { name: 'globalLockNs', unit: 'ns', meaning: "global-lock: hypervisor time spent waiting for the run queue's lock (virtual engine: modelled)" },
] as const satisfies readonly CounterDef[];

/** Log2 histograms kept per vCPU: bucket b counts values v with floor(log2(v + 1)) = b. */
export const HISTOGRAMS = [
  { name: 'waitSpins', unit: 'iterations', meaning: 'spin iterations per contended lock acquisition' },
  { name: 'waitNs', unit: 'ns', meaning: 'time from the first failed poll to owning the lock' },
  { name: 'holdNs', unit: 'ns', meaning: 'time from owning the lock to releasing it' },
  { name: 'wakeNs', unit: 'ns', meaning: 'time from the kick that woke a halted vCPU to its running again' },
] as const satisfies readonly CounterDef[];

export const HISTOGRAM_BUCKETS = 48;

export interface TraceEventDef {
  readonly name: string;
  /** The counter that counts exactly these events (a per-vCPU `VC` or per-pCPU `PC` row), if one does. */
  readonly counter?: VcpuCounterName | PcpuCounterName;
  readonly meaning: string;
}

/**
 * Trace record kinds (src/trace/): what a traced run writes into its pCPU's trace ring, one
 * fixed-size record per event (time, kind, pCPU, vCPU, lock, arg). A mechanism that counts an
 * event here also names its record kind here, beside the counter; a test checks that a trace
 * holds exactly as many records of a kind as its counter says.
 */
export const TRACE_EVENTS = [
  { name: 'switchIn', counter: 'switches', meaning: 'a vCPU put on the pCPU (arg: unused)' },
  { name: 'switchOut', meaning: 'the running vCPU taken off the pCPU (arg: the DESCHEDULE reason, hv/scheduler.ts)' },
  { name: 'lockHolderPreemption', counter: 'lockHolderPreemptions', meaning: 'the vCPU taken off at its slice end held `lock`' },
  { name: 'lockWaiterPreemption', counter: 'lockWaiterPreemptions', meaning: 'the vCPU taken off at its slice end was queued for FIFO `lock`' },
  { name: 'spinStart', meaning: "the vCPU's first failed poll of `lock` in a wait" },
  { name: 'spinEnd', meaning: 'the wait for `lock` ended: the vCPU owns it' },
  { name: 'acquired', meaning: 'the vCPU owns `lock`: its critical section starts' },
  { name: 'released', meaning: 'the vCPU released `lock`: its critical section and hold end' },
  { name: 'halt', counter: 'halts', meaning: 'a conditional halt on `lock`: the vCPU sleeps until kicked' },
  { name: 'kick', counter: 'kicks', meaning: 'the unlocker of `lock` kicked vCPU `arg`' },
  { name: 'wake', counter: 'wakeUps', meaning: 'a kick by vCPU `arg` woke the halted vCPU' },
  { name: 'notify', counter: 'notifications', meaning: 'a NotifyLongSpinWait hypercall' },
  { name: 'pleExit', counter: 'pleExits', meaning: 'a pause-loop exit' },
  { name: 'yield', meaning: 'the vCPU gave its pCPU to the scheduler (a plain yield or a spin sleep)' },
  { name: 'directedYield', counter: 'directedYields', meaning: 'the vCPU gave its pCPU to vCPU `arg`' },
] as const satisfies readonly TraceEventDef[];

type Names<T extends readonly { name: string }[]> = T[number]['name'];
function indexOf<T extends readonly { name: string }[]>(rows: T): Readonly<Record<Names<T>, number>> {
  // Built in one go, not property by property: V8 turns an object that gains more than about 19
  // properties one keyed store at a time into a dictionary, and every `VC.name` on the hot path
  // then becomes a hash lookup (a vCPU switch took about 70 ns longer with 27 counters).
  return Object.freeze(Object.fromEntries(rows.map((row, i) => [row.name, i]))) as Readonly<Record<Names<T>, number>>;
}

export type VcpuCounterName = Names<typeof VCPU_COUNTERS>;
export type PcpuCounterName = Names<typeof PCPU_COUNTERS>;
export type HistogramName = Names<typeof HISTOGRAMS>;

/** Slot of each counter inside its block. */
export const VC = indexOf(VCPU_COUNTERS);
export const PC = indexOf(PCPU_COUNTERS);
export const HIST = indexOf(HISTOGRAMS);
/** Record kind of each trace event (src/trace/). */
export const TR = indexOf(TRACE_EVENTS);

/** Bucket of a non-negative value: floor(log2(v + 1)), clamped to the last bucket. */
export function histogramBucket(value: number): number {
  // Times interpolated inside a step can come out a hair below zero: they belong in bucket 0.
  if (!(value > 0)) return 0;
  const b = 31 - Math.clz32(value + 1);
  if (value + 1 <= 0xffffffff) return b;
  const big = Math.floor(Math.log2(value + 1));
  return big < HISTOGRAM_BUCKETS ? big : HISTOGRAM_BUCKETS - 1;
}
