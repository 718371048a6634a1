/**
 * The one layout module: every region of the machine's SharedArrayBuffer, its offsets and
 * strides. No other file knows a raw index; they combine a base from here with a named slot.
 *
 * The buffer is viewed twice: `i32` (words that threads synchronise on with Atomics) and
 * `f64` (counters, times, guest memory: plain loads and stores by a single writer, published
 * by the atomic operation that hands ownership over). Every region starts on a 64-byte line;
 * words written by different threads never share a line unless noted.
 *
 * Regions, in buffer order:
 *   control   one line per control word (stop, go, ready count, idle count)
 *   pcpus     per pCPU: a line for the words other pCPUs write (sleep, reschedule), then its
 *             counters
 *   queues    per run queue: a Vyukov bounded MPMC ring (enqueue line, dequeue line, cells);
 *             as many as the scheduler policy's registry entry asks (`queueRings`,
 *             config/scheduler-registry.ts), numbered by the policy
 *   vms       per VM: a line with the directed-yield cursor
 *   vcpus     per vCPU: shared line (state, on-CPU witness), owner context, MCS node line,
 *             hypervisor block, time scratch, counters, histograms
 *   locks     per guest lock: one line of lock words and the lock's halt record
 *   memory    per guest lock: one line of guest memory the critical section updates
 *   sched     the scheduler policy's shared words beyond its run queues, as many lines as its
 *             registry entry asks; the policy's file (hv/schedulers/) lays its words out
 *             from `schedByte`
 *   trace     only in a traced run (`LayoutOptions.traceRecords` > 0), so an untraced run's buffer
 *             is the same as ever: per pCPU a single-writer ring of trace records (src/trace/):
 *             a line its pCPU writes (head, dropped), a line the drainer writes (tail), then
 *             `traceRecords` records of `TRACE_RECORD_BYTES`
 */
import type { Config } from '../config/schema.js';
import { SCHEDULERS } from '../config/scheduler-registry.js';
import { HISTOGRAMS, HISTOGRAM_BUCKETS, PCPU_COUNTERS, VCPU_COUNTERS } from '../events/table.js';
import { atomicMemory, plainMemory, type MemoryAccess, type SharedMemory } from './memory.js';

export const LINE_BYTES = 64;
const I32_PER_LINE = LINE_BYTES / 4;

/** Control words (i32 indexes are `CTRL.* * I32_PER_LINE`, one line each). */
export const CTRL = {
  /** 0 while running; set to 1 by the engine to end the run. Read by every pCPU each step. */
  stop: 0,
  /** 0 until the last pCPU arrives at the start barrier, then 1. Partner: `ready`. */
  go: 1,
  /** pCPUs that have arrived at the start barrier (Atomics.add). */
  ready: 2,
  /** pCPUs currently asleep or about to sleep; pushers read it to decide whether to wake one. */
  idle: 3,
} as const;
const CONTROL_LINES = 4;
/** f64 control slots, on their own line after the i32 control lines. */
export const CTRL_F64 = {
  /** Clock value (ns) when the start barrier opened; written once by the last pCPU to arrive, before `go`. */
  startNs: 0,
  /** Clock value (ns) when the engine set the stop word; written by the engine after every pCPU stopped. */
  stopNs: 1,
} as const;

/** Per-pCPU shared line: the words other pCPUs write. */
export const PCPU_SHARED = {
  /** 0 awake, 1 asleep (or about to be). Owner stores 1 then waits; a waker CASes 1→0 and notifies. */
  sleep: 0,
  /**
   * Reschedule request: another pCPU sets it to 1 to ask this one to take a scheduling decision
   * at its next scheduling point (a co-scheduling stop, a kick of the vCPU running here); the
   * owner exchanges it back to 0 when it acts. Reserved: the line and the protocol are laid
   * out here, and the first scheduler policy that needs it (co-scheduling) brings the request
   * and its handling in the core and both engines.
   */
  resched: 1,
} as const;

/** Per-vCPU shared line. */
export const VCPU_SHARED = {
  /** The scheduling state word (see hv/vcpu-state.ts): state, pCPU, QUEUED. */
  state: 0,
  /** Witness for the self-check: pCPU id + 1 while on a pCPU, else 0 (Atomics.exchange on switch in/out). */
  onCpu: 1,
} as const;

/** Per-vCPU guest context (i32), written only by the pCPU that owns the vCPU. */
export const VCPU_CTX = {
  /** Guest program phase (guest/program.ts). */
  phase: 0,
  /** Lock index within the VM for the current critical section. */
  lock: 1,
  /** Lock algorithm's own phase (each lock file defines its codes). */
  lockPhase: 2,
  /** Ticket number, or an MCS predecessor. */
  lockAux: 3,
  /** TTAS backoff: current window and iterations left in it. */
  backoff: 4,
  backoffLeft: 5,
  /** xorshift32 state of the vCPU's random stream. */
  rng: 6,
  /** Guest work loop accumulator, kept so the work cannot be optimised away. */
  work: 7,
  /** Spins since the spin-wait policy last acted (a NotifyLongSpinWait, a halt), or since the wait began. */
  policySpins: 8,
  /** 1 while waiting for a lock (spin time is being measured). */
  waiting: 9,
  /** Spins since the preempted-aware policy last looked at its wait target (it looks every 256). */
  awareSpins: 10,
  /** The argument of the hypercall the guest asks for at the end of a step (YIELD_TO: the target vCPU). */
  hypercallArg: 11,
} as const;

/** Per-vCPU MCS queue node (i32), written by the vCPU and by its neighbours in the queue. */
export const VCPU_MCS = {
  /** Global vCPU id + 1 of the successor, 0 if none yet. Written by the successor. */
  next: 0,
  /** 1 while this node must wait; the predecessor's release stores 0. */
  locked: 1,
} as const;

/**
 * Per-vCPU hypervisor block (i32): the state hypervisor mechanisms keep per vCPU. Written by
 * the vCPU's owner (the pCPU running it, or a kicker between HALTED and RUNNABLE, see
 * hv/vcpu-state.ts); read by other pCPUs (a releaser looking for the waiter to kick) and by the
 * end-of-run self-checks. Later mechanisms (PLE window, credits, extensions, the preempted
 * flag) add their words here.
 */
export const VCPU_HV = {
  /** Global index of the lock whose halt record the vCPU is registered in, or -1. */
  haltLock: 0,
  /** Absolute i32 index of the word a conditional halt waits on (see hv/hypercalls.ts). */
  haltWord: 1,
  /** The value the halt compares that word with, and how (`HALT_MODE`). */
  haltValue: 2,
  haltMode: 3,
  /** The pCPU the vCPU last ran on: a kick queues it there. */
  lastPcpu: 4,
  /** 1 from a kick that woke it until its next poll of the lock (a spurious wake-up is counted then). */
  woken: 5,
  /** 1 while halted (set by the halting owner, cleared by the kicker): the witness that no halted vCPU is run. */
  asleep: 6,
  /** What the vCPU halted waiting for (a `HALT_KIND`, written with the halt; read by the kicker). */
  haltKind: 7,
  /**
   * KVM's steal-time `preempted` flag, which Linux's `vcpu_is_preempted` reads: 1 while the vCPU
   * is off its pCPU but runnable (its slice ended, or it yielded), 0 while it runs or is halted.
   * Written by the owning pCPU at switch-out and switch-in only; read by any vCPU (a hint).
   */
  preempted: 8,
  /** cs-hint: 1 while the guest marks itself inside a critical section; written by the guest (its owner). */
  csHint: 9,
  /** cs-hint: the slice extension of the current critical section (`EXTENSION` in hv/slice-extension.ts). */
  extension: 10,
  /**
   * The scheduler policy's own word for the vCPU (Xen's per-vCPU `sched_priv`): its file says
   * what it holds and who writes it (credit: the vCPU's credit, hv/schedulers/credit.ts).
   */
  schedWord: 11,
  /**
   * PLE (hv/ple.ts): the vCPU's pause-loop window, in cycles, an unsigned value (read `>>> 0`):
   * grown by each PLE exit, shrunk at each switch-in. Owner-written.
   */
  pleWindow: 12,
  /**
   * Directed yield (hv/spin-reaction.ts `SPIN_LOOP`): KVM's spin_loop.in_spin_loop and
   * dy_eligible in one word: set by the owner when its spin reaction starts, cleared at its
   * next switch-in; toggled by another pCPU's directed yield that passes it over. A racy hint,
   * as KVM's is (atomic loads, stores and compare-and-swap).
   */
  spinLoop: 13,
  /**
   * Boost (hv/boost.ts): 1 from a kick that woke the vCPU until its next switch-in (KVM's
   * vcpu->ready set by kvm_vcpu_wake_up). Written by the kicker while it owns the vCPU (WAKING)
   * and by the owner at switch-in; read by any pCPU's directed yield (a hint).
   */
  boosted: 14,
} as const;

/** Per-vCPU f64 scratch, owner-only. */
export const VCPU_TIME = {
  /** Work units left in the current phase. */
  remaining: 0,
  /** Guest memory value read when the critical section began (written back + 1 at its end). */
  savedMemory: 1,
  /** When it last became runnable (steal time starts). */
  runnableSince: 2,
  /** When it last started running. */
  runningSince: 3,
  /** When the current wait for a lock began (first failed poll); for the wait-time histogram. */
  waitStart: 4,
  /** When the vCPU last started spinning in the current wait while on a pCPU; for spin time. */
  waitSince: 5,
  /** Spins in the current wait, up to the last step. */
  waitSpins: 6,
  /** When the lock was acquired. */
  acquiredAt: 7,
  /** When the vCPU halted (halt time starts). */
  haltedSince: 8,
  /** When a kick woke it, until it runs again (the kick-to-run histogram), else -1. */
  wokenAt: 9,
  /**
   * The `sleep` reaction (hv/spin-reaction.ts): the end of the vCPU's last spin sleep (0 if
   * none). Written by the owner before it releases the sleeping vCPU (published by the
   * release); read by whoever claims it, who gives it back while the sleep lasts.
   */
  sleepUntil: 10,
} as const;

export const VM_SHARED = {
  /** KVM's last_boosted_vcpu: index in the VM of the last directed-yield target; a racy hint, stored plainly (as KVM's WRITE_ONCE). */
  lastBoosted: 0,
} as const;

/**
 * Lock words (i32) on the lock's line. `a` and `b` are the algorithm's own (each lock file
 * names its use of them). `owner` is a hint some algorithms keep for waiters (the wait target).
 * `halted` and `wakesInFlight` are the lock's halt record (guest/halt-kick.ts): how many
 * vCPUs are registered as halting on it, and how many were chosen for a kick and have not yet
 * polled it since.
 */
export const LOCK_WORD = { a: 0, b: 1, owner: 2, halted: 3, wakesInFlight: 4 } as const;

/**
 * A pCPU's trace ring (i32 words). The owner's line: `head`, records written so far (an i32
 * that wraps; the ring holds records head - tail .. head - 1, at index `seq & (traceRecords - 1)`),
 * published by a store after the record's words (Atomics on threads); `dropped`, records the
 * owner could not write because the ring was full (the drainer was late). The drainer's line,
 * one line further: `tail`, records drained so far, stored after it has read them.
 */
export const TRACE_RING = { head: 0, dropped: 1, tail: I32_PER_LINE } as const;

/**
 * One trace record, 32 bytes: the time (f64 slot 0, ns since the engine's clock origin) and
 * i32 words (indexes from the record's i32 base): its kind (a `TR` row of events/table.ts), the
 * pCPU, the vCPU (global id, -1 none), the lock (global index, -1 none) and the kind's argument.
 */
export const TRACE_RECORD = { timeF64: 0, kind: 2, pcpu: 3, vcpu: 4, lock: 5, arg: 6 } as const;
export const TRACE_RECORD_BYTES = 32;
const TRACE_RECORD_I32 = TRACE_RECORD_BYTES / 4;

/** What a layout holds beyond the scenario's own regions. */
export interface LayoutOptions {
  /** Records per pCPU trace ring, a power of two; 0 (the default): untraced, no trace region. */
  readonly traceRecords?: number;
}

/** Run queue: a line for the enqueue position, one for the dequeue position, then (seq, value) cells. */
export const QUEUE = { enqueuePos: 0, dequeuePos: I32_PER_LINE, cells: 2 * I32_PER_LINE, cellWords: 2, cellSeq: 0, cellValue: 1 } as const;

const linesFor = (bytes: number) => Math.ceil(bytes / LINE_BYTES);
const nextPow2 = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(2, n)));

export interface VmLayout {
  readonly index: number;
  readonly name: string;
  /** Global id of the VM's first vCPU; its vCPUs are contiguous. */
  readonly firstVcpu: number;
  readonly vcpus: number;
  /** Global index of the VM's first lock; its locks are contiguous. */
  readonly firstLock: number;
  readonly locks: number;
}

/** Byte offsets and strides of every region for one scenario. Pure arithmetic: no buffer. */
export class Layout {
  readonly pcpus: number;
  readonly vcpus: number;
  readonly locks: number;
  readonly vms: readonly VmLayout[];
  /** Owning VM of each global vCPU id. */
  readonly vmOfVcpu: Int32Array;
  readonly queueCapacity: number;
  /**
   * Run-queue rings, as many as the scheduler policy's registry entry asks
   * (config/scheduler-registry.ts): one per pCPU, or more (a policy numbers them so that ring
   * `vcpu mod pcpus` is the start state's right one), or one for the machine.
   */
  readonly queueRings: number;

  // Byte offsets of each region and per-element strides.
  readonly controlF64Byte: number;
  readonly pcpuByte: number;
  readonly pcpuStride: number;
  readonly queueByte: number;
  readonly queueStride: number;
  readonly vmByte: number;
  readonly vcpuByte: number;
  readonly vcpuStride: number;
  readonly lockByte: number;
  readonly memoryByte: number;
  /** The scheduler policy's own words (as many lines as its registry entry asks), laid out by its file. */
  readonly schedByte: number;
  /** Records per pCPU trace ring (0: untraced), and the trace region's offset and per-ring stride. */
  readonly traceRecords: number;
  readonly traceByte: number;
  readonly traceStride: number;
  readonly totalBytes: number;

  // Offsets inside a pCPU block.
  static readonly PCPU_COUNTERS_BYTE = LINE_BYTES;
  // Offsets inside a vCPU block.
  static readonly VCPU_CTX_BYTE = LINE_BYTES;
  static readonly VCPU_MCS_BYTE = 2 * LINE_BYTES;
  static readonly VCPU_HV_BYTE = 3 * LINE_BYTES;
  static readonly VCPU_TIME_BYTE = 4 * LINE_BYTES;
  static readonly VCPU_COUNTERS_BYTE = Layout.VCPU_TIME_BYTE + linesFor(Object.keys(VCPU_TIME).length * 8) * LINE_BYTES;
  static readonly VCPU_HIST_BYTE = Layout.VCPU_COUNTERS_BYTE + linesFor(VCPU_COUNTERS.length * 8) * LINE_BYTES;

  constructor(config: Config, options: LayoutOptions = {}) {
    this.pcpus = config.pcpus;
    const traceRecords = options.traceRecords ?? 0;
    if (traceRecords !== 0 && (traceRecords < 2 || nextPow2(traceRecords) !== traceRecords))
      throw new Error(`layout: trace rings need a power of two records, got ${traceRecords}`);
    this.traceRecords = traceRecords;
    const vms: VmLayout[] = [];
    let vcpu = 0;
    let lock = 0;
    config.vms.forEach((vm, index) => {
      vms.push({ index, name: vm.name, firstVcpu: vcpu, vcpus: vm.vcpus, firstLock: lock, locks: vm.workload.locks });
      vcpu += vm.vcpus;
      lock += vm.workload.locks;
    });
    this.vms = vms;
    this.vcpus = vcpu;
    this.locks = lock;
    this.vmOfVcpu = new Int32Array(vcpu);
    for (const vm of vms) this.vmOfVcpu.fill(vm.index, vm.firstVcpu, vm.firstVcpu + vm.vcpus);
    // Every vCPU has at most one entry in all the queues together, live or stale (left by a
    // directed yield that took a queued vCPU): the QUEUED bit of its state word. So twice the
    // vCPUs never fills.
    this.queueCapacity = nextPow2(2 * vcpu + 2);
    const scheduler = SCHEDULERS[config.scheduler.policy];
    const shape = { pcpus: this.pcpus, vcpus: vcpu, vms: vms.length };
    this.queueRings = scheduler.rings(shape);

    let at = CONTROL_LINES * LINE_BYTES;
    this.controlF64Byte = at;
    at += LINE_BYTES;
    this.pcpuByte = at;
    this.pcpuStride = LINE_BYTES + linesFor(PCPU_COUNTERS.length * 8) * LINE_BYTES;
    at += this.pcpuStride * this.pcpus;
    this.queueByte = at;
    this.queueStride = 2 * LINE_BYTES + linesFor(this.queueCapacity * QUEUE.cellWords * 4) * LINE_BYTES;
    at += this.queueStride * this.queueRings;
    this.vmByte = at;
    at += LINE_BYTES * vms.length;
    this.vcpuByte = at;
    this.vcpuStride = Layout.VCPU_HIST_BYTE + linesFor(HISTOGRAMS.length * HISTOGRAM_BUCKETS * 8) * LINE_BYTES;
    at += this.vcpuStride * this.vcpus;
    this.lockByte = at;
    at += LINE_BYTES * this.locks;
    this.memoryByte = at;
    at += LINE_BYTES * this.locks;
    this.schedByte = at;
    at += LINE_BYTES * scheduler.schedLines(shape, linesFor);
    this.traceByte = at;
    this.traceStride = traceRecords === 0 ? 0 : 2 * LINE_BYTES + traceRecords * TRACE_RECORD_BYTES;
    at += this.traceStride * this.pcpus;
    this.totalBytes = at;
    this.check();
  }

  /** Sizes and alignment, checked once when the buffer is built. */
  private check(): void {
    const regions = [
      this.controlF64Byte,
      this.pcpuByte,
      this.queueByte,
      this.vmByte,
      this.vcpuByte,
      this.lockByte,
      this.memoryByte,
      this.schedByte,
      this.traceByte,
    ];
    for (const r of regions) if (r % LINE_BYTES !== 0) throw new Error(`layout: region at byte ${r} is not line-aligned`);
    for (const s of [this.pcpuStride, this.queueStride, this.vcpuStride, this.traceStride])
      if (s % LINE_BYTES !== 0) throw new Error(`layout: stride ${s} is not a whole number of lines`);
    if (Object.keys(VCPU_CTX).length > I32_PER_LINE) throw new Error('layout: vCPU context exceeds its line');
    if (Object.keys(VCPU_HV).length > I32_PER_LINE) throw new Error('layout: vCPU hypervisor block exceeds its line');
    if (Object.keys(PCPU_SHARED).length > I32_PER_LINE) throw new Error('layout: pCPU shared words exceed their line');
    if (Object.keys(LOCK_WORD).length > I32_PER_LINE) throw new Error('layout: lock words exceed their line');
    if (Layout.VCPU_HIST_BYTE + HISTOGRAMS.length * HISTOGRAM_BUCKETS * 8 > this.vcpuStride) throw new Error('layout: vCPU histograms overflow the vCPU block');
    for (let i = 1; i < regions.length; i++) if (regions[i]! < regions[i - 1]!) throw new Error('layout: regions overlap');
    if (this.totalBytes > 2 ** 31) throw new Error(`layout: ${this.totalBytes} bytes exceed the 2 GiB a typed array can index`);
  }

  // ---- i32 indexes -------------------------------------------------------------------------
  controlWord(word: number): number {
    return word * I32_PER_LINE;
  }
  pcpuSleepWord(pcpu: number): number {
    return (this.pcpuByte + pcpu * this.pcpuStride) / 4 + PCPU_SHARED.sleep;
  }
  /** Base i32 index of run-queue ring `ring` (in the policy's numbering; see `queueRings`); add `QUEUE.*`. */
  queueBase(ring: number): number {
    return (this.queueByte + ring * this.queueStride) / 4;
  }
  /** The ring the start state queues `vcpu` on (core/init.ts): pCPU vcpu mod P's, or the machine's one. */
  startQueue(vcpu: number): number {
    return this.queueRings === 1 ? 0 : vcpu % this.pcpus;
  }
  vmSharedBase(vm: number): number {
    return (this.vmByte + vm * LINE_BYTES) / 4;
  }
  /** Base i32 index of a vCPU's shared line; add `VCPU_SHARED.*`. */
  vcpuSharedBase(vcpu: number): number {
    return (this.vcpuByte + vcpu * this.vcpuStride) / 4;
  }
  /** Base i32 index of a vCPU's guest context; add `VCPU_CTX.*`. */
  vcpuCtxBase(vcpu: number): number {
    return (this.vcpuByte + vcpu * this.vcpuStride + Layout.VCPU_CTX_BYTE) / 4;
  }
  /** Base i32 index of a vCPU's MCS node; add `VCPU_MCS.*`. */
  vcpuMcsBase(vcpu: number): number {
    return (this.vcpuByte + vcpu * this.vcpuStride + Layout.VCPU_MCS_BYTE) / 4;
  }
  /** Base i32 index of a vCPU's hypervisor block; add `VCPU_HV.*`. */
  vcpuHvBase(vcpu: number): number {
    return (this.vcpuByte + vcpu * this.vcpuStride + Layout.VCPU_HV_BYTE) / 4;
  }
  /** Base i32 index of a global lock's words; add `LOCK_WORD.*`. */
  lockBase(globalLock: number): number {
    return (this.lockByte + globalLock * LINE_BYTES) / 4;
  }

  /** Base i32 index of a pCPU's trace ring; add `TRACE_RING.*` (traced layouts only). */
  traceRingBase(pcpu: number): number {
    return (this.traceByte + pcpu * this.traceStride) / 4;
  }
  /** i32 base of record `seq` of a pCPU's trace ring (seq wraps: only its low bits count); add `TRACE_RECORD.*`. */
  traceRecordBase(pcpu: number, seq: number): number {
    return (this.traceByte + pcpu * this.traceStride + 2 * LINE_BYTES) / 4 + (seq & (this.traceRecords - 1)) * TRACE_RECORD_I32;
  }

  // ---- f64 indexes -------------------------------------------------------------------------
  controlF64(slot: number): number {
    return this.controlF64Byte / 8 + slot;
  }
  /** Base f64 index of a pCPU's counters; add `PC.*`. */
  pcpuCounterBase(pcpu: number): number {
    return (this.pcpuByte + pcpu * this.pcpuStride + Layout.PCPU_COUNTERS_BYTE) / 8;
  }
  /** Base f64 index of a vCPU's time scratch; add `VCPU_TIME.*`. */
  vcpuTimeBase(vcpu: number): number {
    return (this.vcpuByte + vcpu * this.vcpuStride + Layout.VCPU_TIME_BYTE) / 8;
  }
  /** Base f64 index of a vCPU's counters; add `VC.*`. */
  vcpuCounterBase(vcpu: number): number {
    return (this.vcpuByte + vcpu * this.vcpuStride + Layout.VCPU_COUNTERS_BYTE) / 8;
  }
  /** f64 index of bucket 0 of one of a vCPU's histograms (`HIST.*`). */
  vcpuHistogramBase(vcpu: number, histogram: number): number {
    return (this.vcpuByte + vcpu * this.vcpuStride + Layout.VCPU_HIST_BYTE) / 8 + histogram * HISTOGRAM_BUCKETS;
  }
  /** f64 index of the guest memory word that a global lock protects. */
  guestMemory(globalLock: number): number {
    return (this.memoryByte + globalLock * LINE_BYTES) / 8;
  }
}

/**
 * The buffer, its two views, and the memory-access implementation its shared structures use
 * (shm/memory.ts: `atomics` where pCPU threads race, `plain` where one thread steps them all).
 * Built on the main thread, attached in workers.
 */
export class Machine {
  readonly i32: Int32Array;
  readonly f64: Float64Array;
  readonly memory: SharedMemory;
  constructor(
    readonly config: Config,
    readonly layout: Layout,
    readonly buffer: SharedArrayBuffer,
    access: MemoryAccess = 'atomics',
  ) {
    if (buffer.byteLength !== layout.totalBytes) throw new Error(`machine: buffer holds ${buffer.byteLength} bytes, layout needs ${layout.totalBytes}`);
    this.i32 = new Int32Array(buffer);
    this.f64 = new Float64Array(buffer);
    this.memory = access === 'plain' ? plainMemory(this.i32) : atomicMemory(this.i32);
  }

  static allocate(config: Config, access: MemoryAccess = 'atomics', options: LayoutOptions = {}): Machine {
    const layout = new Layout(config, options);
    return new Machine(config, layout, new SharedArrayBuffer(layout.totalBytes), access);
  }

  /** In a worker: the buffer built by `allocate` with the same scenario and options. */
  static attach(config: Config, buffer: SharedArrayBuffer, options: LayoutOptions = {}): Machine {
    return new Machine(config, new Layout(config, options), buffer, 'atomics');
  }
}
