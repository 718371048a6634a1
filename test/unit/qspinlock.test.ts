/**
 * The qspinlock and unfair-queued locks (src/guest/locks/qspinlock.ts, unfair-queued.ts) as
 * state machines stepped by hand on one thread: the lock word's bits through the fast path, the
 * pending path and the queue; the hand-over, deferred to the release when the successor sleeps;
 * the paravirtual hooks (what each waiter's halt writes, which waiter a release goes to); lock
 * stealing past the queue; and a random interleaving with halts that checks what the virtual
 * engine relies on (a parked waiter's poll fails until a lock step says otherwise).
 */
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../src/config/schema.js';
import { initMachine } from '../../src/core/init.js';
import { VC } from '../../src/events/table.js';
import { createLock } from '../../src/guest/locks/index.js';
import { Q, Q_PENDING_LOOPS, QSPIN_PHASE as P } from '../../src/guest/locks/qspinlock.js';
import { LOCK_STEP, type SpinLock } from '../../src/guest/locks/spin-lock.js';
import { HALT_KIND, HALT_MODE } from '../../src/hv/hypercalls.js';
import { LOCK_WORD, Machine, VCPU_CTX, VCPU_HV, VCPU_MCS } from '../../src/shm/layout.js';

const STEP_NAME = ['DONE', 'SPIN', 'PROGRESS'];
const { DONE, SPIN, PROGRESS } = LOCK_STEP;
/** The tail field naming vCPU `v`. */
const tail = (v: number) => (v + 1) << Q.TAIL_OFFSET;

/** One VM of `vcpus` vCPUs with one lock of `kind`, stepped by hand. */
class Rig {
  readonly machine: Machine;
  readonly lock: SpinLock;
  readonly lockBase: number;

  constructor(
    readonly kind: 'qspinlock' | 'unfair-queued',
    vcpus = 6,
  ) {
    this.machine = Machine.allocate(parseScenario({ pcpus: 2, vms: [{ name: 'vm', vcpus, policy: 'pv-halt', workload: { locks: 1, lock: kind } }] }));
    initMachine(this.machine);
    this.lock = createLock(kind, this.machine);
    this.lockBase = this.machine.layout.lockBase(0);
  }

  ctx(v: number): number {
    return this.machine.layout.vcpuCtxBase(v);
  }
  hv(v: number): number {
    return this.machine.layout.vcpuHvBase(v);
  }
  /** The lock word, as an unsigned number. */
  get word(): number {
    return this.machine.i32[this.lockBase + LOCK_WORD.a]! >>> 0;
  }
  phase(v: number): number {
    return this.machine.i32[this.ctx(v) + VCPU_CTX.lockPhase]!;
  }
  node(v: number, slot: number): number {
    return this.machine.i32[this.machine.layout.vcpuMcsBase(v) + slot]!;
  }
  steals(v: number): number {
    return this.machine.f64[this.machine.layout.vcpuCounterBase(v) + VC.lockSteals]!;
  }

  begin(v: number): void {
    this.machine.i32[this.ctx(v) + VCPU_CTX.lockPhase] = 0;
  }
  step(v: number): number {
    return this.lock.acquireStep(this.lockBase, this.ctx(v), v);
  }
  releaseStep(v: number): number {
    return this.lock.releaseStep(this.lockBase, this.ctx(v), v);
  }
  /** Steps `v` once per expected result, checking each. */
  expectSteps(v: number, ...results: number[]): void {
    for (const [i, r] of results.entries()) expect(STEP_NAME[this.step(v)], `vCPU ${v} step ${i}`).toBe(STEP_NAME[r]);
  }
  acquire(v: number): void {
    this.begin(v);
    for (let i = 0; i < 100; i++) if (this.step(v) === DONE) return;
    throw new Error(`vCPU ${v} did not acquire`);
  }
  finishAcquire(v: number): void {
    for (let i = 0; i < 100; i++) if (this.step(v) === DONE) return;
    throw new Error(`vCPU ${v} did not acquire`);
  }
  release(v: number): number[] {
    this.begin(v);
    const results: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = this.releaseStep(v);
      results.push(r);
      if (r === DONE) return results;
    }
    throw new Error(`vCPU ${v} did not release`);
  }
  /** Steps `v` until its first poll: the steps before it are PROGRESS, and it is left in `phase`. */
  arrive(v: number, phase: number): void {
    this.begin(v);
    for (let i = 0; i < 8 && this.phase(v) !== phase; i++) expect(STEP_NAME[this.step(v)], `vCPU ${v} arriving`).toBe('PROGRESS');
    expect(this.phase(v)).toBe(phase);
  }
  wouldSpin(v: number): boolean {
    return this.lock.wouldSpin(this.lockBase, this.ctx(v), v, false);
  }
  haltOn(v: number): number {
    return this.lock.haltOn(this.lockBase, this.ctx(v), v, this.hv(v));
  }
  isNextOwner(v: number, releaser: number): boolean {
    return this.lock.isNextOwner(this.lockBase, this.ctx(v), v, releaser);
  }
  waitTarget(v: number): number {
    return this.lock.waitTarget(this.lockBase, this.ctx(v), v);
  }
  earlyWaitTarget(v: number): number {
    return this.lock.earlyWaitTarget(this.lockBase, this.ctx(v), v);
  }
  /** The conditional halt `v`'s hypervisor block holds. */
  halt(v: number): { word: number; value: number; mode: number; kind: number } {
    const i32 = this.machine.i32;
    const hv = this.hv(v);
    return { word: i32[hv + VCPU_HV.haltWord]!, value: i32[hv + VCPU_HV.haltValue]!, mode: i32[hv + VCPU_HV.haltMode]!, kind: i32[hv + VCPU_HV.haltKind]! };
  }
}

describe('qspinlock: the lock word, step by step', () => {
  it('takes a free lock in one step (cmpxchg 0 → locked) and releases it in one, the word going 0 → 1 → 0', () => {
    const r = new Rig('qspinlock');
    r.begin(0);
    r.expectSteps(0, DONE);
    expect(r.word).toBe(Q.LOCKED_VAL);
    expect(r.machine.i32[r.lockBase + LOCK_WORD.owner]).toBe(1);
    expect(r.release(0)).toEqual([DONE]);
    expect(r.word).toBe(0);
  });

  it('pending path: the first contender sets pending, spins on the locked byte, then clears pending and sets locked, with no queue node', () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.begin(1);
    r.expectSteps(1, PROGRESS); // the fast path fails on 0,0,1
    expect(r.phase(1)).toBe(P.PENDING_SET);
    r.expectSteps(1, PROGRESS); // 0,0,1 → 0,1,1
    expect(r.word).toBe(Q.PENDING_VAL | Q.LOCKED_VAL);
    expect(r.lock.isQueued(r.ctx(1))).toBe(true);
    expect(r.waitTarget(1)).toBe(0);
    r.expectSteps(1, SPIN, SPIN, SPIN);
    expect(r.wouldSpin(1)).toBe(true);
    expect(r.release(0)).toEqual([DONE]);
    expect(r.word).toBe(Q.PENDING_VAL); // the release clears the locked byte only
    expect(r.wouldSpin(1)).toBe(false);
    r.expectSteps(1, PROGRESS, DONE); // the poll sees it free; clear_pending_set_locked
    expect(r.word).toBe(Q.LOCKED_VAL);
    expect(r.machine.i32[r.lockBase + LOCK_WORD.owner]).toBe(2);
    expect(r.release(1)).toEqual([DONE]);
    expect(r.word).toBe(0);
  });

  it(`a contender that sees the word exactly pending waits out the hand-over for at most ${Q_PENDING_LOOPS} polls, then queues`, () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.arrive(1, P.PENDING_WAIT);
    r.release(0);
    r.expectSteps(1, PROGRESS); // sees it free; preempted before clear_pending_set_locked
    expect(r.word).toBe(Q.PENDING_VAL);
    r.begin(2);
    r.expectSteps(2, PROGRESS);
    expect(r.phase(2)).toBe(P.SETTLE);
    for (let i = 0; i < Q_PENDING_LOOPS; i++) {
      expect(STEP_NAME[r.step(2)], `poll ${i}`).toBe('SPIN');
      // What a virtual engine may skip: exactly the polls left.
      expect(r.lock.certainSpins(r.lockBase, r.ctx(2))).toBe(Q_PENDING_LOOPS - 1 - i);
      expect(r.wouldSpin(2)).toBe(i < Q_PENDING_LOOPS - 1);
    }
    r.expectSteps(2, PROGRESS); // bound reached, still pending: queue
    expect(r.phase(2)).toBe(P.ENQUEUE);
    r.expectSteps(2, PROGRESS); // tail exchanged: the head, with nobody ahead in the queue
    expect(r.word).toBe((tail(2) | Q.PENDING_VAL) >>> 0);
    expect(r.phase(2)).toBe(P.HEAD_WAIT);
    r.expectSteps(2, SPIN); // the pending waiter goes first
    r.expectSteps(1, DONE);
    expect(r.word).toBe((tail(2) | Q.LOCKED_VAL) >>> 0);
    r.expectSteps(2, SPIN);
    r.release(1);
    r.expectSteps(2, PROGRESS, DONE); // alone in the queue: n,0,0 → 0,0,1 clears the tail
    expect(r.word).toBe(Q.LOCKED_VAL);
    r.release(2);
    expect(r.word).toBe(0);
  });

  it('a contender waiting out the hand-over goes for pending when the waiter claims, and its skipped polls count down', () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.arrive(1, P.PENDING_WAIT);
    r.release(0);
    r.expectSteps(1, PROGRESS);
    r.begin(2);
    r.expectSteps(2, PROGRESS, SPIN, SPIN);
    r.lock.skipSpins(r.ctx(2), 100);
    expect(r.lock.certainSpins(r.lockBase, r.ctx(2))).toBe(Q_PENDING_LOOPS - 102);
    r.expectSteps(1, DONE); // 0,1,0 → 0,0,1
    expect(r.wouldSpin(2)).toBe(false);
    r.expectSteps(2, PROGRESS, PROGRESS); // sees 0,0,1: the pending path
    expect(r.phase(2)).toBe(P.PENDING_WAIT);
    expect(r.word).toBe(Q.PENDING_VAL | Q.LOCKED_VAL);
  });

  it('queues behind a pending waiter: tail exchange, link; the release keeps pending and tail; each head hands over to the next', () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.arrive(1, P.PENDING_WAIT);
    r.arrive(2, P.HEAD_WAIT); // pending set: queue, and the queue was empty: head
    r.arrive(3, P.NODE_WAIT); // behind 2
    r.arrive(4, P.NODE_WAIT); // behind 3
    expect(r.word).toBe((tail(4) | Q.PENDING_VAL | Q.LOCKED_VAL) >>> 0);
    expect([r.node(2, VCPU_MCS.next), r.node(3, VCPU_MCS.next), r.node(4, VCPU_MCS.next)]).toEqual([4, 5, 0]);
    expect([1, 2, 3, 4].map((v) => r.lock.isQueued(r.ctx(v)))).toEqual([true, true, true, true]);
    // Wait targets: the holder for the pending waiter and the head, the predecessor for a node.
    expect([1, 2, 3, 4].map((v) => r.waitTarget(v))).toEqual([0, 0, 2, 3]);
    expect([1, 2, 3, 4].map((v) => r.earlyWaitTarget(v))).toEqual([-1, -1, 2, 3]);
    for (const v of [1, 2, 3, 4]) r.expectSteps(v, SPIN);

    r.release(0);
    expect(r.word).toBe((tail(4) | Q.PENDING_VAL) >>> 0);
    r.expectSteps(2, SPIN); // pending is still set
    r.expectSteps(1, PROGRESS, DONE);
    r.release(1);
    r.expectSteps(2, PROGRESS, PROGRESS); // sees *,0,0; claims *,0,1 keeping the tail: someone is behind
    expect(r.phase(2)).toBe(P.HAND_OVER);
    expect(r.word).toBe((tail(4) | Q.LOCKED_VAL) >>> 0);
    r.expectSteps(3, SPIN);
    r.expectSteps(2, DONE); // arch_mcs_spin_unlock_contended: 3 is the head now
    expect(r.node(3, VCPU_MCS.locked)).toBe(0);
    r.expectSteps(3, PROGRESS, SPIN); // as head it spins on the lock word
    expect(r.earlyWaitTarget(3)).toBe(-1);
    r.expectSteps(4, SPIN);
    r.release(2);
    r.expectSteps(3, PROGRESS, PROGRESS, DONE);
    r.release(3);
    r.expectSteps(4, PROGRESS, PROGRESS, DONE); // 4 was the tail: the queue empties
    expect(r.word).toBe(Q.LOCKED_VAL);
    r.release(4);
    expect(r.word).toBe(0);
  });

  it('a new owner whose successor swapped into the tail but has not linked waits in HAND_OVER, holding the lock', () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.arrive(1, P.PENDING_WAIT);
    r.arrive(2, P.HEAD_WAIT);
    r.begin(3);
    r.expectSteps(3, PROGRESS, PROGRESS); // fast path, tail exchange: preempted before linking
    expect(r.phase(3)).toBe(P.LINK);
    r.release(0);
    r.finishAcquire(1);
    r.release(1);
    r.expectSteps(2, PROGRESS, PROGRESS, SPIN, SPIN);
    expect(r.phase(2)).toBe(P.HAND_OVER);
    expect(r.wouldSpin(2)).toBe(true);
    expect(r.word & Q.LOCKED_MASK).toBe(Q.LOCKED_VAL); // it holds the lock meanwhile
    r.begin(5);
    r.expectSteps(5, PROGRESS, PROGRESS, PROGRESS, SPIN); // a later arrival queues behind 3
    r.expectSteps(3, PROGRESS); // links
    expect(r.wouldSpin(2)).toBe(false);
    r.expectSteps(2, DONE);
    r.release(2);
    r.finishAcquire(3);
    r.release(3);
    r.finishAcquire(5);
    r.release(5);
    expect(r.word).toBe(0);
  });

  it('a successor found asleep is handed headship by the release step, right before the unlock, and is then the one to kick', () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.arrive(1, P.PENDING_WAIT);
    r.arrive(2, P.HEAD_WAIT);
    r.arrive(3, P.NODE_WAIT);
    expect(r.haltOn(3)).toBe(HALT_KIND.NODE);
    r.machine.i32[r.hv(3) + VCPU_HV.asleep] = 1; // what the halt's switch-out writes
    r.release(0);
    r.finishAcquire(1);
    r.release(1);
    r.expectSteps(2, PROGRESS, PROGRESS, DONE);
    expect(r.node(3, VCPU_MCS.locked)).toBe(1); // not yet: its halt condition still holds
    expect(r.isNextOwner(3, 2)).toBe(false);
    expect(r.release(2)).toEqual([DONE]); // the deferred hand-over, then the unlock, in one step
    expect(r.node(3, VCPU_MCS.locked)).toBe(0);
    expect(r.word).toBe(tail(3) >>> 0);
    expect(r.isNextOwner(3, 2)).toBe(true); // the lazy kick goes to it
    r.machine.i32[r.hv(3) + VCPU_HV.asleep] = 0; // kicked
    r.expectSteps(3, PROGRESS, PROGRESS, DONE);
    // The next acquisition's release has no hand-over left over.
    expect(r.release(3)).toEqual([DONE]);
    expect(r.word).toBe(0);
  });
});

describe('qspinlock: the paravirtual hooks', () => {
  it('a node waiter halts until its node is handed over (NODE); the pending waiter and the head mark the lock slow and halt while its locked byte is 3', () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.arrive(1, P.PENDING_WAIT);
    r.arrive(2, P.HEAD_WAIT);
    r.arrive(3, P.NODE_WAIT);
    const word = r.lockBase + LOCK_WORD.a;

    expect(r.haltOn(3)).toBe(HALT_KIND.NODE);
    expect(r.halt(3)).toEqual({ word: r.machine.layout.vcpuMcsBase(3) + VCPU_MCS.locked, value: 0, mode: HALT_MODE.UNTIL_EQUAL, kind: HALT_KIND.NODE });
    // The head does not sleep while a pending waiter is ahead of it: the next release is not its turn.
    expect(r.haltOn(2)).toBe(HALT_KIND.NONE);
    expect(r.word).toBe((tail(3) | Q.PENDING_VAL | Q.LOCKED_VAL) >>> 0);
    expect(r.haltOn(1)).toBe(HALT_KIND.TURN);
    expect(r.halt(1)).toEqual({ word, value: Q.SLOW_VAL, mode: HALT_MODE.WHILE_LOW_BYTE_EQUAL, kind: HALT_KIND.TURN });
    expect(r.word).toBe((tail(3) | Q.PENDING_VAL | Q.SLOW_VAL) >>> 0); // 1 → 3, the other bits kept
    // The mark lets no poll through.
    for (const v of [1, 2, 3]) expect(r.wouldSpin(v)).toBe(true);
    for (const v of [1, 2, 3]) r.expectSteps(v, SPIN);

    r.release(0);
    expect(r.word).toBe((tail(3) | Q.PENDING_VAL) >>> 0); // a slow lock's unlock is the same `and`
    expect([1, 2, 3].map((v) => r.isNextOwner(v, 0))).toEqual([true, false, false]);
    r.finishAcquire(1);
    expect(r.haltOn(2)).toBe(HALT_KIND.HEAD);
    expect(r.halt(2)).toEqual({ word, value: Q.SLOW_VAL, mode: HALT_MODE.WHILE_LOW_BYTE_EQUAL, kind: HALT_KIND.HEAD });
    expect(r.word).toBe((tail(3) | Q.SLOW_VAL) >>> 0);
    expect(r.haltOn(2)).toBe(HALT_KIND.HEAD); // again (a kick overtook its halt): already slow
    expect(r.word).toBe((tail(3) | Q.SLOW_VAL) >>> 0);
    r.release(1);
    expect([2, 3].map((v) => r.isNextOwner(v, 1))).toEqual([true, false]);
    expect(r.haltOn(2)).toBe(HALT_KIND.NONE); // free: it polls and takes it instead
    expect(r.word).toBe(tail(3) >>> 0);
  });

  it('refuses a halt to every vCPU that no release hands the lock to', () => {
    const r = new Rig('qspinlock');
    r.acquire(0);
    r.arrive(1, P.PENDING_WAIT);
    r.arrive(2, P.HEAD_WAIT);
    r.begin(3);
    r.expectSteps(3, PROGRESS, PROGRESS);
    expect(r.phase(3)).toBe(P.LINK); // in the queue, not linked: its predecessor cannot hand over
    expect(r.haltOn(3)).toBe(HALT_KIND.NONE);
    r.release(0);
    r.finishAcquire(1);
    r.release(1);
    r.expectSteps(2, PROGRESS, PROGRESS, SPIN);
    expect(r.phase(2)).toBe(P.HAND_OVER); // it owns the lock
    expect(r.haltOn(2)).toBe(HALT_KIND.NONE);
    expect(r.word & Q.LOCKED_MASK).toBe(Q.LOCKED_VAL);
  });
});

describe('unfair-queued: stealing past the queue', () => {
  it('an arrival that finds the queue empty queues and, as head, sets pending while it spins', () => {
    const r = new Rig('unfair-queued');
    r.acquire(0);
    r.begin(1);
    r.expectSteps(1, PROGRESS); // fast path fails; no queue to overtake: queue (no pending path)
    expect(r.phase(1)).toBe(P.ENQUEUE);
    r.expectSteps(1, PROGRESS); // tail exchanged: head
    expect(r.phase(1)).toBe(P.HEAD_PENDING);
    r.expectSteps(1, PROGRESS); // set_pending
    expect(r.word).toBe((tail(1) | Q.PENDING_VAL | Q.LOCKED_VAL) >>> 0);
    r.expectSteps(1, SPIN, SPIN);
    r.release(0);
    r.expectSteps(1, PROGRESS, DONE); // trylock_clear_pending, and the queue empties
    expect(r.word).toBe(Q.LOCKED_VAL);
  });

  it('does not steal while the head spins (pending set): the arrival queues behind it', () => {
    const r = new Rig('unfair-queued');
    r.acquire(0);
    r.arrive(1, P.HEAD_WAIT);
    r.arrive(2, P.NODE_WAIT);
    r.release(0);
    r.expectSteps(2, SPIN); // free, but it is queued behind the head
    r.expectSteps(1, PROGRESS, PROGRESS, DONE);
    expect(r.word).toBe((tail(2) | Q.LOCKED_VAL) >>> 0);
    r.release(1);
    r.finishAcquire(2);
    expect([0, 1, 2].map((v) => r.steals(v))).toEqual([0, 0, 0]);
  });

  it('steals past a non-empty queue while pending is clear (the head halted), counts it, and the woken head spins again', () => {
    const r = new Rig('unfair-queued');
    r.acquire(0);
    r.arrive(1, P.HEAD_WAIT);
    // The head halts: clear_pending, then the slow mark.
    expect(r.haltOn(1)).toBe(HALT_KIND.HEAD);
    expect(r.word).toBe((tail(1) | Q.SLOW_VAL) >>> 0);
    expect(r.phase(1)).toBe(P.HEAD_PENDING);
    r.begin(2);
    r.expectSteps(2, PROGRESS); // held, a queue, pending clear: spin to steal
    expect(r.phase(2)).toBe(P.STEAL_POLL);
    expect(r.lock.isQueued(r.ctx(2))).toBe(false);
    expect(r.waitTarget(2)).toBe(0);
    r.expectSteps(2, SPIN, SPIN);
    expect(r.wouldSpin(2)).toBe(true);
    r.release(0);
    expect(r.isNextOwner(1, 0)).toBe(true); // the unlock kicks the head ...
    expect(r.wouldSpin(2)).toBe(false);
    r.expectSteps(2, PROGRESS, DONE); // ... and the stealer takes the lock first
    expect(r.word).toBe((tail(1) | Q.LOCKED_VAL) >>> 0);
    expect(r.steals(2)).toBe(1);
    r.expectSteps(1, PROGRESS, SPIN); // the woken head sets pending again and finds it held
    expect(r.word).toBe((tail(1) | Q.PENDING_VAL | Q.LOCKED_VAL) >>> 0);
    r.begin(3);
    r.expectSteps(3, PROGRESS, PROGRESS, PROGRESS, SPIN); // pending set: no steal, it queues
    expect(r.phase(3)).toBe(P.NODE_WAIT);
    r.release(2);
    r.finishAcquire(1);
    r.release(1);
    r.finishAcquire(3);
    r.release(3);
    expect(r.word).toBe(0);
    expect([1, 3].map((v) => r.steals(v))).toEqual([0, 0]);
  });

  it('a head that would halt on a free lock keeps pending and takes it', () => {
    const r = new Rig('unfair-queued');
    r.acquire(0);
    r.arrive(1, P.HEAD_WAIT);
    r.release(0);
    expect(r.haltOn(1)).toBe(HALT_KIND.NONE);
    expect(r.word).toBe((tail(1) | Q.PENDING_VAL) >>> 0);
    expect(r.phase(1)).toBe(P.HEAD_WAIT);
    r.expectSteps(1, PROGRESS, DONE);
  });
});

describe.each(['qspinlock', 'unfair-queued'] as const)('%s: random interleavings with halts', (kind) => {
  it('a waiter parked on a failed poll fails again until a lock step lets it through, halts included; one holder at most', () => {
    // vCPUs acquire and release in a loop, stepped in a pseudo-random order in bursts of 1-4
    // steps (3 vCPUs, then 6); a vCPU whose last step was a SPIN sometimes "halts" (haltOn
    // writes what it writes, and the vCPU goes on as if woken at once). The virtual engine's
    // view is kept alongside: after a SPIN a vCPU is parked for certainSpins polls; after
    // another vCPU's lock step that is not a failed poll, it stays parked only if wouldSpin says
    // so; after a halt (a hypercall, not a lock step) nobody is asked again. Every poll of a
    // parked vCPU must fail.
    const spinsIn = new Map<number, number>();
    const halts = new Map<number, number>();
    let acquisitions = 0;
    let steals = 0;
    for (const vcpus of [3, 6]) {
      const r = new Rig(kind, vcpus);
      const state = new Array<'acquiring' | 'inside' | 'releasing'>(vcpus).fill('acquiring');
      const parked = new Array<number>(vcpus).fill(0); // polls it may still skip
      const spun = new Array<boolean>(vcpus).fill(false);
      const insideFor = new Array<number>(vcpus).fill(0);
      let holders = 0;
      for (let v = 0; v < vcpus; v++) r.begin(v);
      let rng = 2024 + vcpus;
      const next = (n: number) => {
        rng = (Math.imul(rng, 1103515245) + 12345) >>> 0;
        return (rng >>> 16) % n;
      };
      const stepOnce = (v: number, i: number) => {
        if (state[v] === 'inside') {
          if (--insideFor[v]! <= 0) {
            state[v] = 'releasing';
            r.begin(v);
          }
          return;
        }
        if (state[v] === 'acquiring' && spun[v] && next(16) === 0) {
          const got = r.haltOn(v);
          halts.set(got, (halts.get(got) ?? 0) + 1);
          spun[v] = false;
          parked[v] = 0;
          return;
        }
        const phase = r.phase(v);
        const result = state[v] === 'releasing' ? r.releaseStep(v) : r.step(v);
        if (parked[v]! > 0) {
          expect(STEP_NAME[result], `parked vCPU ${v} step ${i}, phase ${phase}`).toBe('SPIN');
          parked[v]!--;
        }
        if (result === SPIN) {
          spinsIn.set(phase, (spinsIn.get(phase) ?? 0) + 1);
          if (!spun[v]) parked[v] = r.lock.certainSpins(r.lockBase, r.ctx(v));
          spun[v] = true;
          return;
        }
        spun[v] = false;
        parked[v] = 0;
        // A lock step that may have written: the engine asks every other parked waiter again.
        for (let u = 0; u < vcpus; u++) if (u !== v && parked[u]! > 0 && !r.wouldSpin(u)) parked[u] = 0;
        if (result !== DONE) return;
        if (state[v] === 'acquiring') {
          holders++;
          acquisitions++;
          expect(holders, `step ${i}`).toBe(1);
          state[v] = 'inside';
          insideFor[v] = 1 + next(8);
        } else {
          holders--;
          state[v] = 'acquiring';
          r.begin(v);
        }
      };
      for (let i = 0; i < 40_000;) {
        const v = next(vcpus);
        for (let burst = 1 + next(4); burst > 0; burst--) stepOnce(v, i++);
      }
      for (let v = 0; v < vcpus; v++) steals += r.steals(v);
    }
    expect(acquisitions).toBeGreaterThan(1000);
    // Not vacuous: the polls of every waiting phase came up, and halts of each kind.
    const phases =
      kind === 'qspinlock' ? [P.SETTLE, P.PENDING_WAIT, P.NODE_WAIT, P.HEAD_WAIT, P.HAND_OVER] : [P.STEAL_POLL, P.NODE_WAIT, P.HEAD_WAIT, P.HAND_OVER];
    for (const phase of phases) expect(spinsIn.get(phase) ?? 0, `spins in phase ${phase}`).toBeGreaterThan(0);
    for (const got of kind === 'qspinlock' ? [HALT_KIND.NODE, HALT_KIND.HEAD, HALT_KIND.TURN] : [HALT_KIND.NODE, HALT_KIND.HEAD])
      expect(halts.get(got) ?? 0, `halts of kind ${got}`).toBeGreaterThan(0);
    if (kind === 'unfair-queued') expect(steals).toBeGreaterThan(0);
    else expect(steals).toBe(0);
  });
});
