/**
 * The guest locks as resumable state machines, stepped by hand on one thread. "Preempting" a
 * vCPU is simply not stepping it; "resuming" it on another pCPU is stepping it through a lock
 * object built over a second attachment of the same buffer, because all of a vCPU's progress
 * lives in its context words.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LOCK_KINDS, parseScenario, type Config, type LockKind } from '../../src/config/schema.js';
import { initMachine } from '../../src/core/init.js';
import { createLock } from '../../src/guest/locks/index.js';
import { MCS_ACQUIRE, MCS_RELEASE } from '../../src/guest/locks/mcs.js';
import { QSPIN_PHASE } from '../../src/guest/locks/qspinlock.js';
import { PreemptableTicketLock, PT_PHASE, PT_TIMEOUT_UNIT } from '../../src/guest/locks/preemptable-ticket.js';
import { LOCK_STEP, type SpinLock } from '../../src/guest/locks/spin-lock.js';
import { TICKET_PHASE } from '../../src/guest/locks/ticket.js';
import { TTAS_MAX_BACKOFF } from '../../src/guest/locks/ttas.js';
import { NotifyPolicy, NEVER_NOTIFY } from '../../src/guest/policies/notify.js';
import { NaivePolicy } from '../../src/guest/policies/naive.js';
import { HALT_KIND, HALT_MODE, HYPERCALL } from '../../src/hv/hypercalls.js';
import { LOCK_WORD, Machine, VCPU_CTX, VCPU_HV, VCPU_MCS } from '../../src/shm/layout.js';
import { VC } from '../../src/events/table.js';
import { deregisterHalt, findKickTarget, registerHalt } from '../../src/guest/halt-kick.js';

const STEP_NAME = ['DONE', 'SPIN', 'PROGRESS'];
/** The qspinlock phases in which a waiter that holds a place in line polls. */
const QUEUED_POLLS = new Set<number>([QSPIN_PHASE.PENDING_WAIT, QSPIN_PHASE.NODE_WAIT, QSPIN_PHASE.HEAD_WAIT]);
/** Bound on steps for anything that must finish: far more than any phase here needs. */
const MAX_STEPS = 10_000;
/** How long a blocked vCPU is shown to stay blocked. */
const BLOCKED_STEPS = 200;

function scenario(kind: LockKind, vcpus = 4): Config {
  return parseScenario({ pcpus: 2, vms: [{ name: 'vm', vcpus, workload: { locks: 1, lock: kind } }] });
}

/** One VM with one lock, and vCPUs that can be stepped through acquire and release by hand. */
class Bench {
  readonly machine: Machine;
  lock: SpinLock;
  readonly lockBase: number;

  constructor(
    readonly kind: LockKind,
    vcpus = 4,
  ) {
    const config = scenario(kind, vcpus);
    this.machine = Machine.allocate(config);
    initMachine(this.machine);
    this.lock = createLock(kind, this.machine);
    this.lockBase = this.machine.layout.lockBase(0);
  }

  ctx(v: number): number {
    return this.machine.layout.vcpuCtxBase(v);
  }
  word(w: number): number {
    return this.machine.i32[this.lockBase + w]!;
  }
  lockPhase(v: number): number {
    return this.machine.i32[this.ctx(v) + VCPU_CTX.lockPhase]!;
  }
  mcs(v: number, slot: number): number {
    return this.machine.i32[this.machine.layout.vcpuMcsBase(v) + slot]!;
  }

  /** What the guest program does before the first acquire or release step. */
  begin(v: number): void {
    this.machine.i32[this.ctx(v) + VCPU_CTX.lockPhase] = 0;
  }
  acquireStep(v: number): number {
    return this.lock.acquireStep(this.lockBase, this.ctx(v), v);
  }
  releaseStep(v: number): number {
    return this.lock.releaseStep(this.lockBase, this.ctx(v), v);
  }

  /** Steps an acquisition already begun until DONE; returns the step results. */
  finishAcquire(v: number): number[] {
    const steps: number[] = [];
    for (let i = 0; i < MAX_STEPS; i++) {
      const r = this.acquireStep(v);
      steps.push(r);
      if (r === LOCK_STEP.DONE) return steps;
    }
    throw new Error(`vCPU ${v} did not acquire within ${MAX_STEPS} steps`);
  }
  acquire(v: number): number[] {
    this.begin(v);
    return this.finishAcquire(v);
  }
  finishRelease(v: number): number[] {
    const steps: number[] = [];
    for (let i = 0; i < MAX_STEPS; i++) {
      const r = this.releaseStep(v);
      steps.push(r);
      if (r === LOCK_STEP.DONE) return steps;
    }
    throw new Error(`vCPU ${v} did not release within ${MAX_STEPS} steps`);
  }
  release(v: number): number[] {
    this.begin(v);
    return this.finishRelease(v);
  }

  /** Steps an acquisition `n` times, asserting it never completes (the vCPU is blocked). */
  expectBlocked(v: number, n = BLOCKED_STEPS): void {
    for (let i = 0; i < n; i++) expect(STEP_NAME[this.acquireStep(v)], `vCPU ${v} step ${i}`).not.toBe('DONE');
  }

  /** Steps the "arrival" of a waiter: everything up to its place in line (ticket taken, MCS node linked). */
  arrive(v: number): void {
    this.begin(v);
    if (this.kind === 'ticket' || this.kind === 'preemptable-ticket') expect(this.acquireStep(v)).toBe(LOCK_STEP.PROGRESS);
    if (this.kind === 'mcs') {
      expect(this.acquireStep(v)).toBe(LOCK_STEP.PROGRESS); // ENQUEUE: swapped into the tail
      expect(this.acquireStep(v)).toBe(LOCK_STEP.PROGRESS); // LINK: linked behind the predecessor
    }
    if (this.kind === 'qspinlock' || this.kind === 'unfair-queued') {
      // Fast path, then pending bit or tail exchange, link, set_pending: up to its first poll in line.
      for (let i = 0; i < 8 && !QUEUED_POLLS.has(this.lockPhase(v)); i++) expect(STEP_NAME[this.acquireStep(v)], `vCPU ${v} arriving`).toBe('PROGRESS');
      expect(QUEUED_POLLS.has(this.lockPhase(v)), `vCPU ${v} in line`).toBe(true);
    }
  }

  /** The same lock algorithm over a second attachment of the buffer: what another pCPU would use. */
  moveToAnotherPcpu(): void {
    const elsewhere = Machine.attach(this.machine.config, this.machine.buffer);
    this.lock = createLock(this.kind, elsewhere);
  }

  /** True when the lock words say nobody holds the lock or waits for it. */
  isIdle(): boolean {
    if (this.kind === 'ticket') return this.word(LOCK_WORD.a) === this.word(LOCK_WORD.b);
    if (this.kind === 'preemptable-ticket') return this.word(LOCK_WORD.a) === this.word(LOCK_WORD.b) && this.word(LOCK_WORD.owner) === 0;
    return this.word(LOCK_WORD.a) === 0;
  }
}

/** Distinct values each lock's words take while `v` holds it uncontended. */
function expectHeldBy(bench: Bench, v: number): void {
  if (bench.kind === 'ticket' || bench.kind === 'preemptable-ticket') expect(bench.word(LOCK_WORD.a) - bench.word(LOCK_WORD.b)).toBeGreaterThanOrEqual(1);
  else expect(bench.word(LOCK_WORD.a)).not.toBe(0);
  if (bench.kind === 'preemptable-ticket') expect(bench.word(LOCK_WORD.owner)).toBe(v + 1);
  if (bench.kind === 'tas' || bench.kind === 'ttas') expect(bench.word(LOCK_WORD.a)).toBe(v + 1);
}

describe.each(LOCK_KINDS)('%s lock', (kind) => {
  it('acquires and releases uncontended, leaving the lock free', () => {
    const b = new Bench(kind);
    const steps = b.acquire(0);
    expect(steps[steps.length - 1]).toBe(LOCK_STEP.DONE);
    expect(steps).not.toContain(LOCK_STEP.SPIN);
    expectHeldBy(b, 0);
    expect(b.release(0)).toEqual([LOCK_STEP.DONE]);
    expect(b.isIdle()).toBe(true);
    // And again: the state left behind does not disturb the next acquisition.
    expect(b.acquire(0)).not.toContain(LOCK_STEP.SPIN);
    expect(b.release(0)).toEqual([LOCK_STEP.DONE]);
    expect(b.isIdle()).toBe(true);
  });

  it('makes a second vCPU spin while the first holds, and hands over on release', () => {
    const b = new Bench(kind);
    b.acquire(0);
    b.begin(1);
    b.expectBlocked(1);
    b.release(0);
    b.finishAcquire(1);
    expectHeldBy(b, 1);
    b.release(1);
    expect(b.isIdle()).toBe(true);
  });

  it('reports a blocked waiter as SPIN, not PROGRESS, once it is in line', () => {
    const b = new Bench(kind);
    b.acquire(0);
    b.arrive(1);
    for (let i = 0; i < 20; i++) expect(STEP_NAME[b.acquireStep(1)]).toBe('SPIN');
  });

  it('never lets two vCPUs hold it at once under a round-robin of 4 vCPUs', () => {
    const b = new Bench(kind);
    type State = 'outside' | 'acquiring' | 'inside' | 'releasing';
    const state: State[] = ['outside', 'outside', 'outside', 'outside'];
    const insideFor = [0, 0, 0, 0];
    let holders = 0;
    let acquisitions = 0;
    for (let round = 0; round < 5000; round++) {
      // A rotating, uneven schedule: vCPU (round + k) % 4 gets k + 1 steps.
      for (let k = 0; k < 4; k++) {
        const v = (round + k) % 4;
        for (let s = 0; s <= k; s++) {
          if (state[v] === 'outside') {
            b.begin(v);
            state[v] = 'acquiring';
          } else if (state[v] === 'acquiring') {
            if (b.acquireStep(v) === LOCK_STEP.DONE) {
              holders++;
              acquisitions++;
              expect(holders).toBe(1);
              state[v] = 'inside';
              insideFor[v] = 1 + (round % 3);
            }
          } else if (state[v] === 'inside') {
            if (--insideFor[v] === 0) {
              b.begin(v);
              state[v] = 'releasing';
            }
          } else if (b.releaseStep(v) === LOCK_STEP.DONE) {
            holders--;
            state[v] = 'outside';
          }
        }
      }
    }
    expect(acquisitions).toBeGreaterThan(100);
  });
});

describe.each(['ticket', 'mcs', 'preemptable-ticket', 'qspinlock'] as const)('%s lock (FIFO)', (kind) => {
  it('serves three waiters in arrival order, whatever order they are stepped in', () => {
    const b = new Bench(kind);
    b.acquire(3);
    const arrival = [2, 0, 1];
    for (const v of arrival) b.arrive(v);
    b.release(3);
    const order: number[] = [];
    const waiting = new Set(arrival);
    for (let round = 0; waiting.size > 0 && round < MAX_STEPS; round++) {
      // Step the latest arrivals first, so that an unfair lock would let them in first.
      for (const v of [...arrival].reverse()) {
        if (!waiting.has(v)) continue;
        if (b.acquireStep(v) === LOCK_STEP.DONE) {
          order.push(v);
          waiting.delete(v);
          b.release(v);
        }
      }
    }
    expect(order).toEqual(arrival);
    expect(b.isIdle()).toBe(true);
  });
});

describe.each(['tas', 'ttas'] as const)('preemption in every state: %s, an unfair lock', (kind) => {
  it('a preempted spinning waiter does not block the others (not FIFO)', () => {
    const b = new Bench(kind);
    b.acquire(0);
    b.begin(1);
    b.expectBlocked(1); // vCPU 1 waits, then is preempted
    b.begin(2);
    b.expectBlocked(2);
    b.release(0);
    b.finishAcquire(2); // vCPU 2 overtakes the preempted vCPU 1
    expectHeldBy(b, 2);
    b.release(2);
    b.moveToAnotherPcpu();
    b.finishAcquire(1);
    b.release(1);
    expect(b.isIdle()).toBe(true);
  });
});

describe('preemption in every state: tas', () => {
  it('a vCPU preempted before acquiring costs nobody anything', () => {
    const b = new Bench('tas');
    b.begin(0); // about to acquire, then preempted
    b.acquire(1);
    b.release(1);
    b.moveToAnotherPcpu();
    b.finishAcquire(0);
    b.release(0);
    expect(b.isIdle()).toBe(true);
  });

  it('a preempted holder keeps everyone out until it resumes and releases', () => {
    const b = new Bench('tas');
    b.acquire(0); // holder preempted here
    for (const v of [1, 2, 3]) b.begin(v);
    for (const v of [1, 2, 3]) b.expectBlocked(v);
    expect(b.word(LOCK_WORD.a)).toBe(1);
    b.moveToAnotherPcpu();
    b.release(0);
    b.finishAcquire(3);
    b.release(3);
    expect(b.isIdle()).toBe(true);
  });
});

describe('preemption in every state: ttas', () => {
  it('a preempted holder keeps everyone out until it resumes and releases', () => {
    const b = new Bench('ttas');
    b.acquire(0);
    for (const v of [1, 2]) b.begin(v);
    for (const v of [1, 2]) b.expectBlocked(v);
    b.moveToAnotherPcpu();
    b.release(0);
    b.finishAcquire(1);
    b.release(1);
    b.finishAcquire(2);
    b.release(2);
    expect(b.isIdle()).toBe(true);
  });
});

describe('preemption between test and set: ttas', () => {
  it('a vCPU preempted after reading the lock free loses it to another and backs off', () => {
    const b = new Bench('ttas');
    b.begin(1);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS); // read it free; preempted before the set
    b.acquire(2); // another vCPU takes it meanwhile
    b.moveToAnotherPcpu();
    expect(b.acquireStep(1)).toBe(LOCK_STEP.SPIN); // the set fails
    expect(b.machine.i32[b.ctx(1) + VCPU_CTX.backoff]).toBe(1);
    expect(b.machine.i32[b.ctx(1) + VCPU_CTX.backoffLeft]).toBe(1);
    expectHeldBy(b, 2);
    b.release(2);
    b.finishAcquire(1);
    b.release(1);
    expect(b.isIdle()).toBe(true);
  });
});

describe('preemption in every state: ticket', () => {
  it('a waiter preempted with its ticket taken but not served blocks every later waiter (lock-waiter preemption)', () => {
    const b = new Bench('ticket');
    b.acquire(0);
    b.arrive(1); // ticket 1 taken ...
    expect(b.lockPhase(1)).toBe(TICKET_PHASE.WAIT);
    expect(b.lock.isQueued(b.ctx(1))).toBe(true);
    b.arrive(2); // ticket 2
    b.release(0); // now serving ticket 1, whose vCPU is preempted
    expect(b.word(LOCK_WORD.b)).toBe(1);
    b.expectBlocked(2); // the lock is free, yet vCPU 2 cannot overtake
    b.begin(3);
    b.expectBlocked(3);
    b.moveToAnotherPcpu(); // vCPU 1 resumes on another pCPU
    expect(b.acquireStep(1)).toBe(LOCK_STEP.DONE);
    b.release(1);
    b.finishAcquire(2);
    b.release(2);
    b.finishAcquire(3);
    b.release(3);
    expect(b.isIdle()).toBe(true);
  });
});

describe('preemption in every state: mcs', () => {
  it('a waiter preempted between swapping into the tail and linking stalls the releaser in WAIT_SUCCESSOR', () => {
    const b = new Bench('mcs');
    b.acquire(0);
    b.begin(1);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS); // ENQUEUE: tail is now vCPU 1 ...
    expect(b.lockPhase(1)).toBe(MCS_ACQUIRE.LINK); // ... but it is preempted before linking
    expect(b.word(LOCK_WORD.a)).toBe(2);
    expect(b.lock.isQueued(b.ctx(1))).toBe(true);

    // The holder releases: it sees no successor, fails to empty the queue and must wait.
    b.begin(0);
    for (let i = 0; i < BLOCKED_STEPS; i++) expect(STEP_NAME[b.releaseStep(0)]).toBe('SPIN');
    expect(b.lockPhase(0)).toBe(MCS_RELEASE.WAIT_SUCCESSOR);
    expect(b.word(LOCK_WORD.a)).toBe(2);
    // A later arrival queues behind vCPU 1 and cannot get in either.
    b.arrive(2);
    b.expectBlocked(2);

    b.moveToAnotherPcpu(); // vCPU 1 resumes elsewhere and links
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS);
    expect(b.mcs(0, VCPU_MCS.next)).toBe(2);
    expect(STEP_NAME[b.acquireStep(1)]).toBe('SPIN'); // linked, not yet handed the lock
    expect(b.releaseStep(0)).toBe(LOCK_STEP.DONE); // the releaser hands over
    expect(b.acquireStep(1)).toBe(LOCK_STEP.DONE);
    b.expectBlocked(2);
    b.release(1);
    b.finishAcquire(2);
    b.release(2);
    expect(b.isIdle()).toBe(true);
  });

  it('a waiter preempted while linked and waiting is handed the lock and blocks every later waiter', () => {
    const b = new Bench('mcs');
    b.acquire(0);
    b.arrive(1); // linked, waiting: preempted here
    expect(b.lockPhase(1)).toBe(MCS_ACQUIRE.WAIT);
    b.arrive(2);
    b.release(0); // hands the lock to the preempted vCPU 1
    expect(b.mcs(1, VCPU_MCS.locked)).toBe(0);
    b.expectBlocked(2);
    b.moveToAnotherPcpu();
    expect(b.acquireStep(1)).toBe(LOCK_STEP.DONE);
    b.release(1);
    b.finishAcquire(2);
    b.release(2);
    expect(b.isIdle()).toBe(true);
  });

  it('a releaser preempted in WAIT_SUCCESSOR keeps the linked waiter spinning until it resumes', () => {
    const b = new Bench('mcs');
    b.acquire(0);
    b.begin(1);
    b.acquireStep(1); // ENQUEUE
    b.begin(0);
    expect(b.releaseStep(0)).toBe(LOCK_STEP.SPIN); // mid-release: WAIT_SUCCESSOR, then preempted
    expect(b.lockPhase(0)).toBe(MCS_RELEASE.WAIT_SUCCESSOR);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS); // LINK
    b.expectBlocked(1); // the releaser is not running: nobody hands the lock over
    b.moveToAnotherPcpu();
    expect(b.releaseStep(0)).toBe(LOCK_STEP.DONE);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.DONE);
    b.release(1);
    expect(b.isIdle()).toBe(true);
  });
});

describe('ttas backoff', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('doubles its window on every lost test-and-set, up to the cap, and resets on success', () => {
    const b = new Bench('ttas');
    b.acquire(0);
    const ctx = b.ctx(1);
    const i32 = b.machine.i32;
    const lockWord = b.lockBase + LOCK_WORD.a;
    // Simulate the race a single thread cannot produce: the test reads the lock free, and
    // another vCPU takes it before the test-and-set.
    const memory = b.machine.memory;
    const load = memory.load;
    vi.spyOn(memory, 'load').mockImplementation((array: Int32Array, index: number) => (array === i32 && index === lockWord ? 0 : load(array, index)));

    b.begin(1);
    const windows: number[] = [];
    for (let attempt = 0; attempt < 14; attempt++) {
      expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS); // the test reads it free
      expect(b.acquireStep(1)).toBe(LOCK_STEP.SPIN); // the lost test-and-set
      const window = i32[ctx + VCPU_CTX.backoff]!;
      windows.push(window);
      expect(i32[ctx + VCPU_CTX.backoffLeft]).toBe(window);
      // The pause: `window` spins that do not touch the lock word.
      for (let i = 0; i < window; i++) expect(b.acquireStep(1)).toBe(LOCK_STEP.SPIN);
      expect(i32[ctx + VCPU_CTX.backoffLeft]).toBe(0);
    }
    expect(windows).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 1024, 1024, 1024]);
    expect(TTAS_MAX_BACKOFF).toBe(1024);

    vi.restoreAllMocks();
    b.release(0);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS); // test: free
    expect(b.acquireStep(1)).toBe(LOCK_STEP.DONE); // set: won
    expect(i32[ctx + VCPU_CTX.backoff]).toBe(0);
  });

  it('does not back off while the lock merely looks held (the test fails, no set attempted)', () => {
    const b = new Bench('ttas');
    b.acquire(0);
    b.begin(1);
    b.expectBlocked(1);
    expect(b.machine.i32[b.ctx(1) + VCPU_CTX.backoff]).toBe(0);
    expect(b.word(LOCK_WORD.a)).toBe(1);
  });
});

describe('notify spin-wait policy', () => {
  function setup(threshold: number) {
    const machine = Machine.allocate(scenario('tas', 1));
    initMachine(machine);
    const ctx = machine.layout.vcpuCtxBase(0);
    return { machine, ctx, policy: new NotifyPolicy(machine.i32, threshold) };
  }

  it('asks for NotifyLongSpinWait exactly every spinThreshold spins', () => {
    const { ctx, policy } = setup(7);
    const notified: number[] = [];
    for (let spin = 1; spin <= 50; spin++) if (policy.afterSpin(ctx) === HYPERCALL.NOTIFY_LONG_SPIN_WAIT) notified.push(spin);
    expect(notified).toEqual([7, 14, 21, 28, 35, 42, 49]);
  });

  it('notifies on every spin with a threshold of 1', () => {
    const { ctx, policy } = setup(1);
    for (let spin = 0; spin < 10; spin++) expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NOTIFY_LONG_SPIN_WAIT);
  });

  it('starts counting afresh when a wait ends', () => {
    const { ctx, policy } = setup(5);
    for (let spin = 0; spin < 4; spin++) expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NONE);
    policy.waitEnded(ctx);
    for (let spin = 0; spin < 4; spin++) expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NONE);
    expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NOTIFY_LONG_SPIN_WAIT);
  });

  it('keeps its count in the vCPU context, so it survives a move to another pCPU', () => {
    const { machine, ctx, policy } = setup(10);
    for (let spin = 0; spin < 6; spin++) policy.afterSpin(ctx);
    const elsewhere = new NotifyPolicy(Machine.attach(machine.config, machine.buffer).i32, 10);
    for (let spin = 0; spin < 3; spin++) expect(elsewhere.afterSpin(ctx)).toBe(HYPERCALL.NONE);
    expect(elsewhere.afterSpin(ctx)).toBe(HYPERCALL.NOTIFY_LONG_SPIN_WAIT);
  });

  it('never notifies with threshold 0xFFFFFFFF, even past 2^32 spins', () => {
    const { machine, ctx, policy } = setup(NEVER_NOTIFY);
    let notifications = 0;
    for (let spin = 0; spin < 100_000; spin++) if (policy.afterSpin(ctx) !== HYPERCALL.NONE) notifications++;
    expect(notifications).toBe(0);
    // Jump to the edge of the 32-bit counter instead of spinning 2^32 times.
    machine.i32[ctx + VCPU_CTX.policySpins] = 0xfffffffd | 0;
    for (let spin = 0; spin < 10; spin++) expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NONE);
  });

  it('honours thresholds above 2^31 (the spin counter is unsigned)', () => {
    const threshold = 0xfffffffe;
    const { machine, ctx, policy } = setup(threshold);
    // Three spins short of the threshold.
    machine.i32[ctx + VCPU_CTX.policySpins] = (threshold - 3) | 0;
    expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NONE);
    expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NONE);
    expect(policy.afterSpin(ctx)).toBe(HYPERCALL.NOTIFY_LONG_SPIN_WAIT);
    expect(machine.i32[ctx + VCPU_CTX.policySpins]).toBe(0);
  });

  it('naive policy never asks for a hypercall', () => {
    const naive = new NaivePolicy();
    let notifications = 0;
    for (let spin = 0; spin < 10_000; spin++) if (naive.afterSpin() !== HYPERCALL.NONE) notifications++;
    expect(notifications).toBe(0);
  });
});

describe.each(['ticket', 'mcs', 'preemptable-ticket', 'qspinlock'] as const)('preemption in every state: %s, a FIFO lock', (kind) => {
  it('a vCPU preempted before entering the line (taking a ticket, enqueueing) is not in line: a later arrival goes first', () => {
    const b = new Bench(kind);
    b.acquire(0);
    b.begin(1); // wants the lock, preempted before its first step
    b.arrive(2);
    b.release(0);
    b.finishAcquire(2);
    b.moveToAnotherPcpu();
    b.arrive(1);
    b.expectBlocked(1);
    b.release(2);
    b.finishAcquire(1);
    b.release(1);
    expect(b.isIdle()).toBe(true);
  });

  it('a preempted holder keeps every waiter out until it resumes and releases, then serves them in order', () => {
    const b = new Bench(kind);
    b.acquire(0);
    b.arrive(1);
    b.arrive(2);
    b.expectBlocked(1);
    b.expectBlocked(2);
    b.moveToAnotherPcpu();
    b.release(0);
    b.expectBlocked(2);
    b.finishAcquire(1);
    b.release(1);
    b.finishAcquire(2);
    b.release(2);
    expect(b.isIdle()).toBe(true);
  });
});

describe('what a virtual engine may fast-forward after a SPIN', () => {
  it.each(['tas', 'ticket', 'mcs', 'qspinlock', 'unfair-queued'] as const)('%s: every further poll fails while the lock is held', (kind) => {
    const b = new Bench(kind);
    b.acquire(0);
    b.begin(1);
    let result = b.acquireStep(1);
    while (result === LOCK_STEP.PROGRESS) result = b.acquireStep(1);
    expect(result).toBe(LOCK_STEP.SPIN);
    expect(b.lock.certainSpins(b.lockBase, b.ctx(1))).toBe(Infinity);
  });

  it.each(LOCK_KINDS)('%s: a waiter that the lock says would spin does spin, whatever the others did meanwhile (wouldSpin)', (kind) => {
    // Four vCPUs, each acquiring and releasing in a loop, stepped in a pseudo-random order so
    // that every interleaving of lock steps turns up (for MCS, a releaser left waiting for its
    // successor's link too). Before each step of a vCPU whose last step was a SPIN, the lock's
    // answer is checked against the step itself.
    const b = new Bench(kind);
    const vcpus = 4;
    const releasing = new Array<boolean>(vcpus).fill(false);
    const spun = new Array<boolean>(vcpus).fill(false);
    for (let v = 0; v < vcpus; v++) b.begin(v);
    let rng = 12345;
    const answers = { spin: 0, through: 0 };
    for (let i = 0; i < 20_000; i++) {
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      const v = (rng >>> 16) % vcpus;
      const says = spun[v] && b.lock.wouldSpin(b.lockBase, b.ctx(v), v, releasing[v]!);
      const result = releasing[v] ? b.releaseStep(v) : b.acquireStep(v);
      if (says) {
        expect(STEP_NAME[result], `vCPU ${v} step ${i}`).toBe('SPIN');
        answers.spin++;
      } else if (spun[v]) answers.through++;
      spun[v] = result === LOCK_STEP.SPIN;
      if (result === LOCK_STEP.DONE) {
        releasing[v] = !releasing[v];
        b.begin(v);
      }
    }
    // Both answers came up: the lock tells waiters apart, it does not just say "I cannot tell".
    expect(answers.spin).toBeGreaterThan(100);
    expect(answers.through).toBeGreaterThan(100);
  });

  it('ticket: of the waiters in line, only the next ticket is let through by a release', () => {
    const b = new Bench('ticket');
    b.acquire(0);
    for (const v of [1, 2, 3]) {
      b.arrive(v);
      expect(b.acquireStep(v)).toBe(LOCK_STEP.SPIN);
    }
    const says = () => [1, 2, 3].map((v) => b.lock.wouldSpin(b.lockBase, b.ctx(v), v, false));
    expect(says()).toEqual([true, true, true]);
    b.release(0);
    expect(says()).toEqual([false, true, true]);
  });

  it('ttas: only the backoff pauses left are certain when the lock is free, all polls when held', () => {
    const b = new Bench('ttas');
    b.acquire(0);
    b.begin(1);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.SPIN);
    expect(b.lock.certainSpins(b.lockBase, b.ctx(1))).toBe(Infinity);
    b.machine.i32[b.ctx(1) + VCPU_CTX.backoffLeft] = 5;
    b.release(0);
    expect(b.lock.certainSpins(b.lockBase, b.ctx(1))).toBe(5);
    b.lock.skipSpins(b.ctx(1), 5);
    expect(b.machine.i32[b.ctx(1) + VCPU_CTX.backoffLeft]).toBe(0);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.DONE);
  });
});

describe('preemptable-ticket lock', () => {
  /** A short timeout unit, so that timeouts come within a few steps (runs use the patch's 1 << 14). */
  const UNIT = 4;

  function ptBench(vcpus = 4, unit = UNIT): Bench {
    const b = new Bench('preemptable-ticket', vcpus);
    b.lock = new PreemptableTicketLock(b.machine, unit);
    return b;
  }
  const steals = (b: Bench, v: number) => b.machine.f64[b.machine.layout.vcpuCounterBase(v) + VC.lockSteals]!;
  const ctxWord = (b: Bench, v: number, slot: number) => b.machine.i32[b.ctx(v) + slot]!;
  /** Steps `v` until a step is not a SPIN; returns the SPINs before it and that step's result. */
  function spinsUntilNot(b: Bench, v: number): { spins: number; then: string } {
    for (let spins = 0; spins < MAX_STEPS; spins++) {
      const r = b.acquireStep(v);
      if (r !== LOCK_STEP.SPIN) return { spins, then: STEP_NAME[r]! };
    }
    throw new Error(`vCPU ${v} spun ${MAX_STEPS} times`);
  }

  it("uses the patch's timeout unit, 1 << 14 polls per place in line, and takes a free lock in two steps (ticket, flag) and releases it in one", () => {
    const b = new Bench('preemptable-ticket');
    expect(PT_TIMEOUT_UNIT).toBe(16384);
    expect(b.lock).toBeInstanceOf(PreemptableTicketLock);
    if (b.lock instanceof PreemptableTicketLock) expect(b.lock.timeoutUnit).toBe(PT_TIMEOUT_UNIT);
    expect(b.lock.fifo).toBe(true);
    b.begin(0);
    expect(b.lock.isQueued(b.ctx(0))).toBe(false);
    expect(b.acquireStep(0)).toBe(LOCK_STEP.PROGRESS); // ticket 0, head 0: nobody ahead
    expect(b.lockPhase(0)).toBe(PT_PHASE.FLAG);
    expect(b.acquireStep(0)).toBe(LOCK_STEP.DONE); // the flag
    expect([b.word(LOCK_WORD.a), b.word(LOCK_WORD.b), b.word(LOCK_WORD.owner)]).toEqual([1, 0, 1]);
    expect(b.release(0)).toEqual([LOCK_STEP.DONE]);
    expect([b.word(LOCK_WORD.a), b.word(LOCK_WORD.b), b.word(LOCK_WORD.owner)]).toEqual([1, 1, 0]);
    expect(steals(b, 0)).toBe(0);
  });

  it('serves waiters in ticket order while the line moves, and counts no steal', () => {
    const b = new Bench('preemptable-ticket', 5);
    b.acquire(4);
    const arrival = [3, 1, 0, 2];
    for (const v of arrival) b.arrive(v);
    b.release(4);
    const order: number[] = [];
    const waiting = new Set(arrival);
    for (let round = 0; waiting.size > 0 && round < MAX_STEPS; round++) {
      // Latest arrivals first, and each waiter several polls a round: an unfair lock would let them in first.
      for (const v of [...arrival].reverse()) {
        for (let k = 0; k < 3 && waiting.has(v); k++) {
          if (b.acquireStep(v) !== LOCK_STEP.DONE) continue;
          order.push(v);
          waiting.delete(v);
          b.release(v);
        }
      }
    }
    expect(order).toEqual(arrival);
    for (let v = 0; v < 5; v++) expect(steals(b, v)).toBe(0);
    expect(b.isIdle()).toBe(true);
  });

  it('lets a waiter behind a preempted one take the lock out of turn after exactly distance × unit polls, and only once the lock is free', () => {
    const b = ptBench();
    b.acquire(0); // ticket 0
    b.arrive(1); // ticket 1: then preempted
    b.arrive(2); // ticket 2, two places from the head: a timeout of 2 × UNIT polls
    expect(b.lockPhase(2)).toBe(PT_PHASE.LINE);
    expect(ctxWord(b, 2, VCPU_CTX.backoffLeft)).toBe(2 * UNIT);
    for (let i = 1; i <= 2 * UNIT; i++) {
      expect(STEP_NAME[b.acquireStep(2)], `poll ${i}`).toBe('SPIN');
      // What a virtual engine may skip: the polls left before the timeout, and no more.
      expect(b.lock.certainSpins(b.lockBase, b.ctx(2))).toBe(2 * UNIT - i);
      expect(b.lock.wouldSpin(b.lockBase, b.ctx(2), 2, false)).toBe(i < 2 * UNIT);
      expect(b.lockPhase(2)).toBe(PT_PHASE.LINE); // not one poll early
    }
    expect(b.acquireStep(2)).toBe(LOCK_STEP.PROGRESS); // timed out: to the flag
    expect(b.lockPhase(2)).toBe(PT_PHASE.TIMED_OUT);
    // The holder still has the flag: the timed-out waiter spins on it.
    expect(b.lock.wouldSpin(b.lockBase, b.ctx(2), 2, false)).toBe(true);
    b.expectBlocked(2);
    expect(b.lock.certainSpins(b.lockBase, b.ctx(2))).toBe(Infinity);
    b.release(0); // head 1: the preempted vCPU 1's turn
    expect(b.lock.wouldSpin(b.lockBase, b.ctx(2), 2, false)).toBe(false);
    expect(b.acquireStep(2)).toBe(LOCK_STEP.DONE); // out of turn
    expectHeldBy(b, 2);
    expect(steals(b, 2)).toBe(1);
    // vCPU 1 resumes elsewhere: its turn has passed; it takes the flag once vCPU 2 lets it go.
    b.moveToAnotherPcpu();
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS);
    expect(b.lockPhase(1)).toBe(PT_PHASE.FLAG);
    b.expectBlocked(1);
    b.release(2);
    expect(b.acquireStep(1)).toBe(LOCK_STEP.DONE);
    expect(steals(b, 1)).toBe(0); // late, not early
    b.release(1);
    expect(b.isIdle()).toBe(true);
  });

  it('starts the timeout afresh, for the new distance, whenever the head moves', () => {
    const b = ptBench();
    b.acquire(0);
    b.arrive(1);
    b.arrive(2); // 2 × UNIT polls
    for (let i = 0; i < 5; i++) expect(b.acquireStep(2)).toBe(LOCK_STEP.SPIN);
    expect(ctxWord(b, 2, VCPU_CTX.backoffLeft)).toBe(2 * UNIT - 5);
    b.release(0);
    // Head moved: the next poll behaves differently (a fresh timeout), so nothing about it is certain.
    expect(b.lock.wouldSpin(b.lockBase, b.ctx(2), 2, false)).toBe(false);
    expect(b.lock.certainSpins(b.lockBase, b.ctx(2))).toBe(0);
    b.finishAcquire(1); // in turn
    expect(steals(b, 1)).toBe(0);
    // One place from the head now: UNIT polls (the one that saw the head move among them), then the flag.
    expect(spinsUntilNot(b, 2)).toEqual({ spins: UNIT, then: 'PROGRESS' });
    b.expectBlocked(2);
    b.release(1); // head 2: the timed-out waiter's turn after all
    expect(b.acquireStep(2)).toBe(LOCK_STEP.DONE);
    expect(steals(b, 2)).toBe(0); // timed out, but head had reached its ticket: in turn
    b.release(2);
    expect(b.isIdle()).toBe(true);
  });

  it('skipSpins leaves the context exactly as the polls it stands for', () => {
    const script = (b: Bench) => {
      b.acquire(0);
      b.arrive(1);
      b.arrive(2);
      expect(b.acquireStep(2)).toBe(LOCK_STEP.SPIN);
    };
    const stepped = ptBench();
    const skipped = ptBench();
    script(stepped);
    script(skipped);
    const certain = stepped.lock.certainSpins(stepped.lockBase, stepped.ctx(2));
    expect(certain).toBe(2 * UNIT - 1);
    for (let i = 0; i < certain; i++) expect(stepped.acquireStep(2)).toBe(LOCK_STEP.SPIN);
    skipped.lock.skipSpins(skipped.ctx(2), certain);
    const words = (b: Bench) => [VCPU_CTX.lockPhase, VCPU_CTX.lockAux, VCPU_CTX.backoff, VCPU_CTX.backoffLeft].map((w) => ctxWord(b, 2, w));
    expect(words(skipped)).toEqual(words(stepped));
    expect(skipped.acquireStep(2)).toBe(LOCK_STEP.PROGRESS);
    expect(stepped.acquireStep(2)).toBe(LOCK_STEP.PROGRESS);
    // In the flag phase a failed test-and-set leaves nothing behind.
    expect(skipped.acquireStep(2)).toBe(LOCK_STEP.SPIN);
    const before = words(skipped);
    skipped.lock.skipSpins(skipped.ctx(2), 1000);
    expect(words(skipped)).toEqual(before);
  });

  it('is queued while it holds a ticket, and waits for the holder of the flag', () => {
    const b = ptBench();
    b.acquire(0);
    b.begin(1);
    expect(b.lock.isQueued(b.ctx(1))).toBe(false);
    expect(b.lock.waitTarget(b.lockBase, b.ctx(1), 1)).toBe(-1); // no ticket yet
    expect(b.acquireStep(1)).toBe(LOCK_STEP.PROGRESS);
    expect(b.lock.isQueued(b.ctx(1))).toBe(true);
    expect(b.lock.waitTarget(b.lockBase, b.ctx(1), 1)).toBe(0);
    expect(spinsUntilNot(b, 1)).toEqual({ spins: UNIT, then: 'PROGRESS' }); // timed out: competes for the flag
    expect(b.lock.isQueued(b.ctx(1))).toBe(true); // still holds its ticket
    expect(b.lock.waitTarget(b.lockBase, b.ctx(1), 1)).toBe(0);
    b.release(0);
    expect(b.lock.waitTarget(b.lockBase, b.ctx(1), 1)).toBe(-1); // free
    b.finishAcquire(1);
    expect(b.lock.waitsEarly).toBe(false);
    expect(b.lock.earlyWaitTarget(b.lockBase, b.ctx(1), 1)).toBe(-1);
  });

  it('never lets two vCPUs hold it, and wouldSpin and certainSpins foretell the next steps, under random interleavings with preemptions', () => {
    // Five vCPUs acquiring and releasing in a loop with short critical sections; each step
    // picks a vCPU at random, and now and then one is "preempted" (not stepped) for a long
    // stretch, so that waiters time out and take the lock out of turn. Checked at every step:
    // at most one vCPU inside; a waiter that the lock says would spin spins; and after a SPIN,
    // while no other vCPU steps the lock (other than failing polls), the certain spins come,
    // and in line the step after them is the timeout.
    const vcpus = 5;
    const b = ptBench(vcpus, 3);
    type State = 'acquiring' | 'inside' | 'releasing';
    const state = new Array<State>(vcpus).fill('acquiring');
    const insideFor = new Array<number>(vcpus).fill(0);
    const preemptedUntil = new Array<number>(vcpus).fill(0);
    const spun = new Array<boolean>(vcpus).fill(false);
    // Certain spins left since the vCPU's last SPIN, while nobody else wrote (-1: none known).
    const certain = new Array<number>(vcpus).fill(-1);
    for (let v = 0; v < vcpus; v++) b.begin(v);
    let rng = 2024;
    let holders = 0;
    let acquisitions = 0;
    const seen = { wouldSpin: 0, through: 0, certainRuns: 0, timeouts: 0 };
    for (let i = 0; i < 200_000; i++) {
      rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
      const v = (rng >>> 16) % vcpus;
      if (i < preemptedUntil[v]!) continue;
      if (((rng >>> 8) & 0xff) === 0) {
        preemptedUntil[v] = i + 200 + ((rng >>> 4) & 0x3ff);
        continue;
      }
      if (state[v] === 'inside') {
        if (--insideFor[v]! <= 0) {
          b.begin(v);
          state[v] = 'releasing';
        }
        continue;
      }
      if (state[v] === 'releasing') {
        expect(b.releaseStep(v)).toBe(LOCK_STEP.DONE);
        holders--;
        state[v] = 'acquiring';
        b.begin(v);
        spun[v] = false;
        for (let w = 0; w < vcpus; w++) certain[w] = -1; // a write
        continue;
      }
      const says = spun[v] && b.lock.wouldSpin(b.lockBase, b.ctx(v), v, false);
      const result = b.acquireStep(v);
      if (says) {
        expect(STEP_NAME[result], `vCPU ${v} step ${i}: wouldSpin`).toBe('SPIN');
        seen.wouldSpin++;
      } else if (spun[v]) seen.through++;
      const left = certain[v]!;
      if (left > 0) expect(STEP_NAME[result], `vCPU ${v} step ${i}: certain spins left ${left}`).toBe('SPIN');
      if (left === 0) {
        // The step after the certain spins of a waiter in line is its timeout.
        expect(STEP_NAME[result], `vCPU ${v} step ${i}: after the certain spins`).toBe('PROGRESS');
        seen.timeouts++;
      }
      certain[v] = left > 0 ? left - 1 : -1;
      spun[v] = result === LOCK_STEP.SPIN;
      if (result === LOCK_STEP.SPIN && certain[v] === -1) {
        const c = b.lock.certainSpins(b.lockBase, b.ctx(v));
        if (Number.isFinite(c)) {
          certain[v] = c;
          seen.certainRuns++;
        }
      }
      if (result !== LOCK_STEP.SPIN) for (let w = 0; w < vcpus; w++) if (w !== v) certain[w] = -1; // may have written
      if (result === LOCK_STEP.DONE) {
        holders++;
        acquisitions++;
        expect(holders, `step ${i}`).toBe(1);
        state[v] = 'inside';
        insideFor[v] = 1 + ((rng >>> 3) % 4);
      }
    }
    let totalSteals = 0;
    for (let v = 0; v < vcpus; v++) totalSteals += steals(b, v);
    expect(acquisitions).toBeGreaterThan(1000);
    expect(totalSteals).toBeGreaterThan(10);
    expect(totalSteals).toBeLessThan(acquisitions);
    expect(seen.wouldSpin).toBeGreaterThan(100);
    expect(seen.through).toBeGreaterThan(100);
    expect(seen.timeouts).toBeGreaterThan(10);
  });

  describe('with pv-halt', () => {
    function haltOn(b: Bench, v: number): number {
      return b.lock.haltOn(b.lockBase, b.ctx(v), v, b.machine.layout.vcpuHvBase(v));
    }
    const kickTarget = (b: Bench, releaser: number) => findKickTarget(b.machine, b.lock, 0, b.lockBase, 0, b.machine.layout.vcpus, releaser);

    it('a waiter in line sleeps until now serving shows its ticket, and the release that brings the head there kicks it', () => {
      const b = ptBench();
      b.acquire(0);
      for (const v of [1, 2]) {
        b.arrive(v);
        expect(b.acquireStep(v)).toBe(LOCK_STEP.SPIN);
      }
      expect(haltOn(b, 2)).toBe(HALT_KIND.TURN);
      const hv = b.machine.layout.vcpuHvBase(2);
      const i32 = b.machine.i32;
      expect([i32[hv + VCPU_HV.haltWord], i32[hv + VCPU_HV.haltValue], i32[hv + VCPU_HV.haltMode], i32[hv + VCPU_HV.haltKind]]).toEqual([
        b.lockBase + LOCK_WORD.b,
        2,
        HALT_MODE.UNTIL_EQUAL,
        HALT_KIND.TURN,
      ]);
      expect(haltOn(b, 1)).toBe(HALT_KIND.TURN);
      registerHalt(b.machine, 2, 0);
      registerHalt(b.machine, 1, 0);
      b.release(0); // head 1: vCPU 1's turn, not vCPU 2's
      expect(b.lock.isNextOwner(b.lockBase, b.ctx(1), 1, 0)).toBe(true);
      expect(b.lock.isNextOwner(b.lockBase, b.ctx(2), 2, 0)).toBe(false);
      expect(kickTarget(b, 0)).toBe(1);
      // vCPU 1, woken, polls and takes the lock; its release brings the head to vCPU 2's ticket.
      deregisterHalt(b.machine, b.machine.layout.vcpuHvBase(1));
      b.finishAcquire(1);
      expect(kickTarget(b, 1)).toBe(-1);
      b.release(1);
      expect(kickTarget(b, 1)).toBe(2);
    });

    it('cannot halt without a ticket, once its turn has come, or while competing for the flag', () => {
      const b = ptBench();
      b.acquire(0);
      b.begin(1);
      expect(haltOn(b, 1)).toBe(HALT_KIND.NONE); // no ticket
      b.arrive(1);
      b.arrive(2);
      b.release(0); // vCPU 1's turn, which it has not polled yet
      expect(haltOn(b, 1)).toBe(HALT_KIND.NONE);
      b.finishAcquire(1);
      // vCPU 2 times out while vCPU 1 holds: a release hands the flag to nobody in particular.
      expect(spinsUntilNot(b, 2)).toEqual({ spins: UNIT, then: 'PROGRESS' });
      expect(b.acquireStep(2)).toBe(LOCK_STEP.SPIN);
      expect(haltOn(b, 2)).toBe(HALT_KIND.NONE);
      expect(b.lock.isNextOwner(b.lockBase, b.ctx(2), 2, 1)).toBe(false);
    });

    it('a halted waiter does not time out: waiters behind it pass it, and it is kicked when the head reaches its ticket', () => {
      const b = ptBench();
      b.acquire(0); // ticket 0
      b.arrive(1); // ticket 1: preempted, never stepped
      b.arrive(2); // ticket 2: halts
      expect(b.acquireStep(2)).toBe(LOCK_STEP.SPIN);
      expect(haltOn(b, 2)).toBe(HALT_KIND.TURN);
      registerHalt(b.machine, 2, 0);
      const asleep = ctxWord(b, 2, VCPU_CTX.backoffLeft);
      b.arrive(3); // ticket 3
      b.release(0); // head 1: the preempted vCPU 1's turn
      expect(kickTarget(b, 0)).toBe(-1);
      // vCPU 3 times out (two places from the head) and takes the lock past both.
      expect(spinsUntilNot(b, 3)).toEqual({ spins: 2 * UNIT, then: 'PROGRESS' });
      expect(b.acquireStep(3)).toBe(LOCK_STEP.DONE);
      expect(steals(b, 3)).toBe(1);
      b.release(3); // head 2: vCPU 2's ticket
      expect(kickTarget(b, 3)).toBe(2);
      expect(ctxWord(b, 2, VCPU_CTX.backoffLeft)).toBe(asleep); // its timeout did not run while it slept
      // A waiter whose turn passed while it was on its way to halting (threads engine: two
      // releases between one release and its unlocker's look) is still next: the kick reaches it.
      b.finishAcquire(1);
      b.release(1); // head 3
      expect(b.lock.isNextOwner(b.lockBase, b.ctx(2), 2, 1)).toBe(true);
      expect(kickTarget(b, 1)).toBe(2);
      deregisterHalt(b.machine, b.machine.layout.vcpuHvBase(2));
      b.finishAcquire(2);
      expect(steals(b, 2)).toBe(0);
      b.release(2);
      expect(b.isIdle()).toBe(true);
    });
  });
});
