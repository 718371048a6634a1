/**
 * Uncontended acquire + release of each guest lock algorithm, one operation = one complete
 * acquire and release by one vCPU, driven step by step exactly as the core drives it: the
 * context's lockPhase is reset to 0 before the acquire and before the release, and the lock's
 * step function is called until it reports DONE (a ticket lock takes two acquire steps: take a
 * ticket, see it served).
 *
 * Each lock kind gets its own machine and its own copy of the loop (a separate function per
 * kind, see `LOOPS`), so every call site sees one lock class, as in a run, where a pCPU thread
 * only ever meets its scenario's lock classes.
 */
import { LOCK_KINDS, type LockKind } from '../../src/config/schema.js';
import { createLock } from '../../src/guest/locks/index.js';
import { LOCK_STEP, type SpinLock } from '../../src/guest/locks/spin-lock.js';
import { LOCK_WORD, VCPU_CTX } from '../../src/shm/layout.js';
import { type MicroTask, oneVm, sink, startedMachine } from './harness.js';

const BATCH = 4096;

type Loop = (lock: SpinLock, i32: Int32Array, lockBase: number, ctx: number, vcpu: number, ops: number) => number;

/**
 * One acquire+release loop per lock kind. The bodies are identical on purpose: a function
 * literal per kind gives each its own feedback vector, so each stays monomorphic. Returns the
 * steps taken.
 */
const LOOPS: Record<LockKind, Loop> = {
  tas: (lock, i32, lockBase, ctx, vcpu, ops) => {
    let steps = 0;
    for (let i = 0; i < ops; i++) {
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.acquireStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.releaseStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
    }
    return steps;
  },
  ttas: (lock, i32, lockBase, ctx, vcpu, ops) => {
    let steps = 0;
    for (let i = 0; i < ops; i++) {
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.acquireStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.releaseStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
    }
    return steps;
  },
  ticket: (lock, i32, lockBase, ctx, vcpu, ops) => {
    let steps = 0;
    for (let i = 0; i < ops; i++) {
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.acquireStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.releaseStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
    }
    return steps;
  },
  mcs: (lock, i32, lockBase, ctx, vcpu, ops) => {
    let steps = 0;
    for (let i = 0; i < ops; i++) {
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.acquireStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.releaseStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
    }
    return steps;
  },
  'preemptable-ticket': (lock, i32, lockBase, ctx, vcpu, ops) => {
    let steps = 0;
    for (let i = 0; i < ops; i++) {
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.acquireStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.releaseStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
    }
    return steps;
  },
  qspinlock: (lock, i32, lockBase, ctx, vcpu, ops) => {
    let steps = 0;
    for (let i = 0; i < ops; i++) {
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.acquireStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.releaseStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
    }
    return steps;
  },
  'unfair-queued': (lock, i32, lockBase, ctx, vcpu, ops) => {
    let steps = 0;
    for (let i = 0; i < ops; i++) {
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.acquireStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
      i32[ctx + VCPU_CTX.lockPhase] = 0;
      for (steps++; lock.releaseStep(lockBase, ctx, vcpu) !== LOCK_STEP.DONE; steps++);
    }
    return steps;
  },
};

/** Lock steps of one uncontended acquire + release, per kind: anything more means a spin. */
const EXPECTED_STEPS: Record<LockKind, number> = { tas: 2, ttas: 3, ticket: 3, mcs: 2, 'preemptable-ticket': 3, qspinlock: 2, 'unfair-queued': 2 };

export function lockTasks(): MicroTask[] {
  return LOCK_KINDS.map((kind): MicroTask => {
    const machine = startedMachine(oneVm({ pcpus: 1, vcpus: 1, workload: { lock: kind, locks: 1 } }));
    const { i32, layout } = machine;
    const lock = createLock(kind, machine);
    const vcpu = 0;
    const ctx = layout.vcpuCtxBase(vcpu);
    const lockBase = layout.lockBase(0);
    const loop = LOOPS[kind];
    return {
      name: `lock ${kind}: acquire+release`,
      batch: BATCH,
      unit: 'acq+rel',
      run: () => {
        sink.value ^= loop(lock, i32, lockBase, ctx, vcpu, BATCH);
        return BATCH;
      },
      check: () => {
        const steps = loop(lock, i32, lockBase, ctx, vcpu, 64);
        if (steps !== 64 * EXPECTED_STEPS[kind])
          throw new Error(`lock ${kind}: ${steps / 64} steps per uncontended acquire+release, expected ${EXPECTED_STEPS[kind]}`);
        const free =
          kind === 'ticket'
            ? i32[lockBase + LOCK_WORD.a] === i32[lockBase + LOCK_WORD.b]
            : kind === 'preemptable-ticket'
              ? i32[lockBase + LOCK_WORD.a] === i32[lockBase + LOCK_WORD.b] && i32[lockBase + LOCK_WORD.owner] === 0
              : i32[lockBase + LOCK_WORD.a] === 0;
        if (!free) throw new Error(`lock ${kind}: not free after release`);
      },
    };
  });
}
