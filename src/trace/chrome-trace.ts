/**
 * The trace file: Chrome Trace Event JSON (what ui.perfetto.dev and chrome://tracing open),
 * streamed to a temporary file and renamed into place when it is complete, so that a reader
 * never sees half a file and a long trace never sits in memory whole.
 *
 * `TraceWriter.record` takes the records of every pCPU's ring (core/trace-record.ts) merged in
 * time order (trace/drain.ts) and turns them into tracks:
 *   pid 0 "hypervisor", tid p "pCPU p": a complete event (`X`) per stretch a vCPU ran there,
 *     named `<vm>/vcpu <n>`, coloured by VM; instants for the scheduling decisions and exits
 *     (`slice end`, `notify`, `ple exit`, `halt`, `yield`, `directed yield`, `kick`, and `wake`
 *     where a vCPU woken by a kick runs again);
 *   pid 1 + vm, named after the VM, tid n "vCPU n": `running`, `runnable`, `halted`, and nested
 *     in `running` `spinning` and `critical section`; instants `lock-holder preemption` and
 *     `lock-waiter preemption`; tid 1000 + k "lock k": a complete event per hold, named by its
 *     holder, and the counter `lock k waiters`;
 *   flows (`s` → `f`) from a kick to the wake-up it caused and from a directed yield to the vCPU
 *     it chose.
 * Every track nests by construction: a pCPU runs one vCPU at a time, a vCPU is in one state at
 * a time, a lock has one holder. Where the threads engine's clocks disagree by a little (a
 * vCPU switched in on one pCPU a hair before another pCPU's clock says it left), a slice starts
 * where the one before it on its track ended.
 */
import { AtomicFileStream } from '../io/output-file.js';
import type { Layout } from '../shm/layout.js';
import { DESCHEDULE } from '../hv/scheduler.js';
import { TR } from '../events/table.js';

export const TRACE_FORMAT = 'spinvisor-trace/1';

/** What the file says about the run it traced (its `otherData`). */
export interface TraceRunInfo {
  readonly engine: 'threads' | 'virtual';
  readonly seed: number;
  readonly scenario: string;
  readonly label: string;
}

/** Bounds on what is written. */
export interface TraceBounds {
  /** Only what happened in [from, to] ms of run time (clipped to it); null: the whole run. */
  readonly windowMs: readonly [number, number] | null;
  /** Stop writing events once the file holds this many bytes (MB, 10^6 bytes); null: no limit. */
  readonly maxMb: number | null;
}

/** What a finished trace file holds. */
export interface TraceSummary {
  readonly file: string;
  readonly events: number;
  readonly bytes: number;
  /** Records the pCPUs could not write because a ring was full (the drainer was late). */
  readonly droppedRecords: number;
  /** True when `maxMb` cut the file short. */
  readonly truncated: boolean;
  readonly stoppedEarly: boolean;
  /** Bytes of binary records spooled during the run (trace/drain.ts). */
  readonly spoolBytes: number;
  /** Host ms from the run's end to the complete file: the last copy, the conversion to JSON, the rename. */
  readonly conversionMs: number;
}

/** Colour names of the trace viewers' palette, one per VM (cycled). */
const PALETTE = ['rail_response', 'rail_load', 'rail_animation', 'rail_idle', 'good', 'bad', 'terrible', 'yellow'] as const;
const FLUSH_CHARS = 1 << 16;
/** Lock tracks are tid LOCK_TID + the lock's index in its VM, in the VM's process (the trace contract; src/trace/read.ts reads them). */
export const LOCK_TID = 1000;

export class TraceWriter {
  /** The file, written as a temporary file and renamed into place when complete (io/output-file.ts). */
  private readonly out: AtomicFileStream;
  private chunk = '';
  private first = true;
  private bytes = 0;
  private events = 0;
  private truncated = false;
  private nextFlow = 1;
  private readonly maxBytes: number;
  private readonly fromNs: number;
  private readonly toNs: number;
  private readonly windowed: boolean;

  // Names, JSON-quoted once.
  private readonly runName: string[];
  private readonly holderName: string[];
  private readonly vmPid: Int32Array;
  private readonly vcpuTid: Int32Array;
  private readonly vmColour: string[];
  private readonly lockPid: Int32Array;
  private readonly lockTid: Int32Array;
  private readonly lockName: string[];

  // Per pCPU: the vCPU running there (-1 none) since when, and where its track's last slice ended.
  private readonly pcpuVcpu: Int32Array;
  private readonly pcpuSince: Float64Array;
  private readonly pcpuEnd: Float64Array;
  // Per vCPU: its pCPU (-1 off), since when; off: halted (1) or runnable (0) since when.
  private readonly runPcpu: Int32Array;
  private readonly runSince: Float64Array;
  private readonly offHalted: Uint8Array;
  private readonly offSince: Float64Array;
  private readonly vcpuEnd: Float64Array;
  /** The lock it waits for (-1 none) and when its open `spinning` slice began (NaN: none open). */
  private readonly waitLock: Int32Array;
  private readonly spinSince: Float64Array;
  /** The lock it holds (-1 none), since when, and when its open `critical section` began (NaN: none). */
  private readonly holdLock: Int32Array;
  private readonly holdSince: Float64Array;
  private readonly csSince: Float64Array;
  /** A switch-in seen before the switch-out it follows (clocks of two pCPUs): its pCPU (-1 none) and time. */
  private readonly pendingInPcpu: Int32Array;
  private readonly pendingInAt: Float64Array;
  /** A wake-up seen before the halt it ends: its time (NaN none). */
  private readonly pendingWakeAt: Float64Array;
  /** The kick that woke it, until it runs again: the kicker's pCPU (-1 none) and time. */
  private readonly kickPcpu: Int32Array;
  private readonly kickAt: Float64Array;
  /** A directed yield just made on each pCPU, to the vCPU in `yieldTarget` (-1 none), at `yieldAt`. */
  private readonly yieldTarget: Int32Array;
  private readonly yieldAt: Float64Array;
  // Per lock: waiters, and where its track's last hold ended.
  private readonly waiters: Int32Array;
  private readonly lockEnd: Float64Array;

  constructor(
    private readonly path: string,
    private readonly layout: Layout,
    private readonly info: TraceRunInfo,
    private readonly bounds: TraceBounds,
    /** The run's start on the records' clock (ns): time 0 of the file. */
    private readonly startNs: number,
  ) {
    this.maxBytes = bounds.maxMb === null ? Infinity : bounds.maxMb * 1e6;
    this.windowed = bounds.windowMs !== null;
    this.fromNs = bounds.windowMs === null ? -Infinity : startNs + bounds.windowMs[0] * 1e6;
    this.toNs = bounds.windowMs === null ? Infinity : startNs + bounds.windowMs[1] * 1e6;
    const { vcpus, locks, pcpus } = layout;
    this.runName = [];
    this.holderName = [];
    this.vmPid = new Int32Array(vcpus);
    this.vcpuTid = new Int32Array(vcpus);
    this.vmColour = [];
    for (let v = 0; v < vcpus; v++) {
      const vm = layout.vms[layout.vmOfVcpu[v]!]!;
      const n = v - vm.firstVcpu;
      this.runName.push(JSON.stringify(`${vm.name}/vcpu ${n}`));
      this.vmPid[v] = 1 + vm.index;
      this.vcpuTid[v] = n;
      this.vmColour.push(PALETTE[vm.index % PALETTE.length]!);
    }
    this.holderName = this.runName;
    this.lockPid = new Int32Array(locks);
    this.lockTid = new Int32Array(locks);
    this.lockName = [];
    for (const vm of layout.vms)
      for (let k = 0; k < vm.locks; k++) {
        this.lockPid[vm.firstLock + k] = 1 + vm.index;
        this.lockTid[vm.firstLock + k] = LOCK_TID + k;
        this.lockName.push(JSON.stringify(`lock ${k} waiters`));
      }
    this.pcpuVcpu = new Int32Array(pcpus).fill(-1);
    this.pcpuSince = new Float64Array(pcpus);
    this.pcpuEnd = new Float64Array(pcpus).fill(startNs);
    this.runPcpu = new Int32Array(vcpus).fill(-1);
    this.runSince = new Float64Array(vcpus);
    this.offHalted = new Uint8Array(vcpus);
    // Every vCPU is runnable from the run's start (core/init.ts openRun).
    this.offSince = new Float64Array(vcpus).fill(startNs);
    this.vcpuEnd = new Float64Array(vcpus).fill(startNs);
    this.waitLock = new Int32Array(vcpus).fill(-1);
    this.spinSince = new Float64Array(vcpus).fill(NaN);
    this.holdLock = new Int32Array(vcpus).fill(-1);
    this.holdSince = new Float64Array(vcpus);
    this.csSince = new Float64Array(vcpus).fill(NaN);
    this.pendingInPcpu = new Int32Array(vcpus).fill(-1);
    this.pendingInAt = new Float64Array(vcpus);
    this.pendingWakeAt = new Float64Array(vcpus).fill(NaN);
    this.kickPcpu = new Int32Array(vcpus).fill(-1);
    this.kickAt = new Float64Array(vcpus);
    this.yieldTarget = new Int32Array(pcpus).fill(-1);
    this.yieldAt = new Float64Array(pcpus);
    this.waiters = new Int32Array(locks);
    this.lockEnd = new Float64Array(locks).fill(startNs);

    this.out = new AtomicFileStream(path, 'trace');
    this.chunk = '{"traceEvents":[\n';
    this.metadata();
  }

  /** One record, in time order across pCPUs (trace/drain.ts merges the rings). */
  record(t: number, kind: number, pcpu: number, vcpu: number, lock: number, arg: number): void {
    switch (kind) {
      case TR.switchIn:
        this.switchIn(t, pcpu, vcpu);
        return;
      case TR.switchOut:
        this.switchOut(t, pcpu, vcpu, arg);
        return;
      case TR.lockHolderPreemption:
        this.vcpuInstant(t, vcpu, '"lock-holder preemption"', lock);
        return;
      case TR.lockWaiterPreemption:
        this.vcpuInstant(t, vcpu, '"lock-waiter preemption"', lock);
        return;
      case TR.spinStart:
        this.waitLock[vcpu] = lock;
        this.waiters[lock]! += 1;
        this.waitersCounter(t, lock);
        if (this.runPcpu[vcpu]! >= 0) this.spinSince[vcpu] = Math.max(t, this.runSince[vcpu]!);
        return;
      case TR.spinEnd:
        this.closeSpin(t, vcpu);
        this.waitLock[vcpu] = -1;
        this.waiters[lock]! -= 1;
        this.waitersCounter(t, lock);
        return;
      case TR.acquired:
        this.holdLock[vcpu] = lock;
        this.holdSince[vcpu] = t;
        if (this.runPcpu[vcpu]! >= 0) this.csSince[vcpu] = Math.max(t, this.runSince[vcpu]!);
        return;
      case TR.released:
        this.released(t, vcpu, lock);
        return;
      case TR.halt:
        this.pcpuInstant(t, pcpu, '"halt"', vcpu, -1);
        return;
      case TR.kick:
        this.kickPcpu[arg] = pcpu;
        this.kickAt[arg] = t;
        this.pcpuInstant(t, pcpu, '"kick"', vcpu, arg);
        return;
      case TR.wake:
        this.wake(t, vcpu);
        return;
      case TR.notify:
        this.pcpuInstant(t, pcpu, '"notify"', vcpu, -1);
        return;
      case TR.pleExit:
        this.pcpuInstant(t, pcpu, '"ple exit"', vcpu, -1);
        return;
      case TR.yield:
        this.pcpuInstant(t, pcpu, '"yield"', vcpu, -1);
        return;
      case TR.directedYield:
        this.yieldTarget[pcpu] = arg;
        this.yieldAt[pcpu] = t;
        this.pcpuInstant(t, pcpu, '"directed yield"', vcpu, arg);
        return;
      default:
        throw new Error(`trace: unknown record kind ${kind}`);
    }
  }

  /**
   * Closes what is still open at `endNs` (the run's end), writes the file's tail and renames
   * it into place. `stoppedEarly`: the run did not reach its end.
   */
  finish(endNs: number, droppedRecords: number, stoppedEarly: boolean): Omit<TraceSummary, 'spoolBytes' | 'conversionMs'> {
    const { vcpus } = this.layout;
    for (let v = 0; v < vcpus; v++) {
      const p = this.runPcpu[v]!;
      if (p >= 0) this.switchOut(endNs, p, v, DESCHEDULE.STOP);
      else this.topSlice(v, this.offHalted[v] === 1 ? '"halted"' : '"runnable"', this.offSince[v]!, endNs);
      if (this.holdLock[v]! >= 0) this.holdSlice(v, this.holdLock[v]!, endNs);
    }
    const windowUs = this.bounds.windowMs === null ? null : [this.bounds.windowMs[0] * 1000, this.bounds.windowMs[1] * 1000];
    const otherData = {
      format: TRACE_FORMAT,
      engine: this.info.engine,
      seed: this.info.seed,
      scenario: this.info.scenario,
      label: this.info.label,
      droppedRecords,
      stoppedEarly,
      windowUs,
      truncated: this.truncated,
    };
    this.chunk += `\n],"displayTimeUnit":"ns","otherData":${JSON.stringify(otherData)}}\n`;
    this.flush();
    this.out.commit();
    return { file: this.path, events: this.events, bytes: this.bytes, droppedRecords, truncated: this.truncated, stoppedEarly };
  }

  /** The trace file's name. */
  get file(): string {
    return this.path;
  }

  /** Drops the temporary file (a run that failed). */
  abandon(): void {
    this.out.abandon();
  }

  // ---- state changes -------------------------------------------------------------------------

  private switchIn(t: number, pcpu: number, vcpu: number): void {
    const on = this.runPcpu[vcpu]!;
    if (on >= 0 && on !== pcpu) {
      // The pCPU it left has not said so yet (its clock is a little ahead): wait for it.
      this.pendingInPcpu[vcpu] = pcpu;
      this.pendingInAt[vcpu] = t;
      return;
    }
    if (on === pcpu) return;
    const at = Math.max(t, this.vcpuEnd[vcpu]!, this.pcpuEnd[pcpu]!);
    const halted = this.offHalted[vcpu] === 1;
    if (halted && !Number.isNaN(this.pendingWakeAt[vcpu]!)) this.endHalt(vcpu, this.pendingWakeAt[vcpu]!);
    this.pendingWakeAt[vcpu] = NaN;
    this.topSlice(vcpu, this.offHalted[vcpu] === 1 ? '"halted"' : '"runnable"', this.offSince[vcpu]!, at);
    this.offHalted[vcpu] = 0;
    this.runPcpu[vcpu] = pcpu;
    // The vCPU track's running slice starts where its last slice ended, if that is later: a wake-up
    // stamped by the kicker's clock can end a halt after the switch-in by this pCPU's clock, and
    // the spinning and critical-section slices must nest inside the running one (nestedSlice).
    const runStart = Math.max(at, this.vcpuEnd[vcpu]!);
    this.runSince[vcpu] = runStart;
    this.pcpuVcpu[pcpu] = vcpu;
    this.pcpuSince[pcpu] = at;
    if (this.waitLock[vcpu]! >= 0) this.spinSince[vcpu] = runStart;
    if (this.holdLock[vcpu]! >= 0) this.csSince[vcpu] = runStart;
    // A directed yield's choice, and a woken vCPU's first run since its kick.
    if (this.yieldTarget[pcpu] === vcpu) this.flow('directed-yield', this.yieldAt[pcpu]!, 0, pcpu, this.vmPid[vcpu]!, this.vcpuTid[vcpu]!, at);
    this.yieldTarget[pcpu] = -1;
    const kicker = this.kickPcpu[vcpu]!;
    if (kicker >= 0) {
      this.pcpuInstant(at, pcpu, '"wake"', vcpu, -1);
      this.flow('kick', this.kickAt[vcpu]!, 0, kicker, 0, pcpu, at);
      this.kickPcpu[vcpu] = -1;
    }
  }

  private switchOut(t: number, pcpu: number, vcpu: number, reason: number): void {
    if (this.runPcpu[vcpu] !== pcpu) return;
    const at = Math.max(t, this.runSince[vcpu]!);
    this.closeSpin(at, vcpu);
    this.closeCs(at, vcpu);
    this.topSlice(vcpu, '"running"', this.runSince[vcpu]!, at);
    this.runSlice(pcpu, vcpu, this.pcpuSince[pcpu]!, at);
    this.pcpuVcpu[pcpu] = -1;
    this.runPcpu[vcpu] = -1;
    if (reason === DESCHEDULE.SLICE_END) this.pcpuInstant(at, pcpu, '"slice end"', vcpu, -1);
    this.offHalted[vcpu] = reason === DESCHEDULE.HALT ? 1 : 0;
    this.offSince[vcpu] = at;
    const wokenAt = this.pendingWakeAt[vcpu]!;
    if (!Number.isNaN(wokenAt)) {
      if (this.offHalted[vcpu] === 1) this.endHalt(vcpu, Math.max(wokenAt, at));
      else this.pendingWakeAt[vcpu] = NaN;
    }
    const next = this.pendingInPcpu[vcpu]!;
    if (next >= 0) {
      this.pendingInPcpu[vcpu] = -1;
      this.switchIn(this.pendingInAt[vcpu]!, next, vcpu);
    }
  }

  private wake(t: number, vcpu: number): void {
    if (this.runPcpu[vcpu]! >= 0 || this.offHalted[vcpu] === 0) {
      // The halt it ends is not in yet (the kicker's clock is a little behind the halter's).
      this.pendingWakeAt[vcpu] = t;
      return;
    }
    this.endHalt(vcpu, Math.max(t, this.offSince[vcpu]!));
  }

  /** A halted vCPU becomes runnable at `at`. */
  private endHalt(vcpu: number, at: number): void {
    this.topSlice(vcpu, '"halted"', this.offSince[vcpu]!, at);
    this.offHalted[vcpu] = 0;
    this.offSince[vcpu] = at;
    this.pendingWakeAt[vcpu] = NaN;
  }

  private released(t: number, vcpu: number, lock: number): void {
    this.closeCs(t, vcpu);
    if (this.holdLock[vcpu] === lock) this.holdSlice(vcpu, lock, t);
    this.holdLock[vcpu] = -1;
  }

  private closeSpin(t: number, vcpu: number): void {
    const since = this.spinSince[vcpu]!;
    if (Number.isNaN(since)) return;
    this.spinSince[vcpu] = NaN;
    this.nestedSlice(vcpu, '"spinning"', since, t);
  }

  private closeCs(t: number, vcpu: number): void {
    const since = this.csSince[vcpu]!;
    if (Number.isNaN(since)) return;
    this.csSince[vcpu] = NaN;
    this.nestedSlice(vcpu, '"critical section"', since, t);
  }

  // ---- events --------------------------------------------------------------------------------

  /** Metadata: process and thread names and sort order. */
  private metadata(): void {
    const meta = (name: string, pid: number, tid: number | null, args: string) =>
      this.emit(`{"ph":"M","name":"${name}","pid":${pid}${tid === null ? '' : `,"tid":${tid}`},"args":${args}}`, true);
    meta('process_name', 0, null, '{"name":"hypervisor"}');
    meta('process_sort_index', 0, null, '{"sort_index":0}');
    for (let p = 0; p < this.layout.pcpus; p++) {
      meta('thread_name', 0, p, `{"name":"pCPU ${p}"}`);
      meta('thread_sort_index', 0, p, `{"sort_index":${p}}`);
    }
    for (const vm of this.layout.vms) {
      const pid = 1 + vm.index;
      meta('process_name', pid, null, `{"name":${JSON.stringify(vm.name)}}`);
      meta('process_sort_index', pid, null, `{"sort_index":${pid}}`);
      for (let n = 0; n < vm.vcpus; n++) {
        meta('thread_name', pid, n, `{"name":"vCPU ${n}"}`);
        meta('thread_sort_index', pid, n, `{"sort_index":${n}}`);
      }
      for (let k = 0; k < vm.locks; k++) {
        meta('thread_name', pid, LOCK_TID + k, `{"name":"lock ${k}"}`);
        meta('thread_sort_index', pid, LOCK_TID + k, `{"sort_index":${LOCK_TID + k}}`);
      }
    }
  }

  /** µs of run time, to the ns. */
  private us(ns: number): number {
    return Math.round(ns - this.startNs) / 1000;
  }

  private inWindow(t: number): boolean {
    return t >= this.fromNs && t <= this.toNs;
  }

  private complete(pid: number, tid: number, name: string, s: number, e: number, extra: string): void {
    if (this.windowed) {
      // Clipped to the window; left out when it lies outside.
      if (e < this.fromNs || s > this.toNs) return;
      if (s < this.fromNs) s = this.fromNs;
      if (e > this.toNs) e = this.toNs;
    }
    const ts = Math.round(s - this.startNs);
    const dur = Math.round(e - this.startNs) - ts;
    this.emit(`{"ph":"X","pid":${pid},"tid":${tid},"name":${name},"ts":${ts / 1000},"dur":${dur / 1000}${extra}}`);
  }

  /** A pCPU's run slice (every switch-in gets one, however short). */
  private runSlice(pcpu: number, vcpu: number, s: number, e: number): void {
    const from = Math.max(s, this.pcpuEnd[pcpu]!);
    this.pcpuEnd[pcpu] = Math.max(from, e);
    const vm = this.vmPid[vcpu]! - 1;
    this.complete(0, pcpu, this.runName[vcpu]!, from, Math.max(from, e), `,"cat":"run","cname":"${this.vmColour[vcpu]}","args":{"vm":${vm},"vcpu":${vcpu}}`);
  }

  /** A vCPU's state slice (running, runnable, halted): never before the last one ended; empty ones are left out. */
  private topSlice(vcpu: number, name: string, s: number, e: number): void {
    const from = Math.max(s, this.vcpuEnd[vcpu]!);
    if (!(e > from)) return;
    this.vcpuEnd[vcpu] = e;
    this.complete(this.vmPid[vcpu]!, this.vcpuTid[vcpu]!, name, from, e, ',"cat":"vcpu"');
  }

  /** Spinning or a critical section, inside the vCPU's running slice. */
  private nestedSlice(vcpu: number, name: string, s: number, e: number): void {
    const from = Math.max(s, this.runSince[vcpu]!);
    if (!(e > from)) return;
    this.complete(this.vmPid[vcpu]!, this.vcpuTid[vcpu]!, name, from, e, ',"cat":"vcpu"');
  }

  private holdSlice(vcpu: number, lock: number, e: number): void {
    const from = Math.max(this.holdSince[vcpu]!, this.lockEnd[lock]!);
    if (!(e > from)) return;
    this.lockEnd[lock] = e;
    this.complete(this.lockPid[lock]!, this.lockTid[lock]!, this.holderName[vcpu]!, from, e, `,"cat":"lock","args":{"vcpu":${vcpu}}`);
  }

  private pcpuInstant(t: number, pcpu: number, name: string, vcpu: number, target: number): void {
    if (!this.inWindow(t)) return;
    const args = target >= 0 ? `{"vcpu":${vcpu},"target":${target}}` : `{"vcpu":${vcpu}}`;
    this.emit(`{"ph":"i","s":"t","pid":0,"tid":${pcpu},"name":${name},"ts":${this.us(t)},"args":${args}}`);
  }

  private vcpuInstant(t: number, vcpu: number, name: string, lock: number): void {
    if (!this.inWindow(t)) return;
    this.emit(`{"ph":"i","s":"t","pid":${this.vmPid[vcpu]},"tid":${this.vcpuTid[vcpu]},"name":${name},"ts":${this.us(t)},"args":{"lock":${lock}}}`);
  }

  private waitersCounter(t: number, lock: number): void {
    if (!this.inWindow(t)) return;
    this.emit(
      `{"ph":"C","pid":${this.lockPid[lock]},"tid":${this.lockTid[lock]},"name":${this.lockName[lock]},"ts":${this.us(t)},"args":{"waiters":${this.waiters[lock]}}}`,
    );
  }

  /** A flow arrow from (fromPid, fromTid) at `from` to (toPid, toTid) at `to`; both ends or neither. */
  private flow(cat: string, from: number, fromPid: number, fromTid: number, toPid: number, toTid: number, to: number): void {
    if (!this.inWindow(from) || !this.inWindow(to)) return;
    const id = this.nextFlow++;
    this.emit(`{"ph":"s","cat":"${cat}","name":"${cat}","id":${id},"pid":${fromPid},"tid":${fromTid},"ts":${this.us(from)}}`);
    this.emit(`{"ph":"f","bp":"e","cat":"${cat}","name":"${cat}","id":${id},"pid":${toPid},"tid":${toTid},"ts":${this.us(to)}}`);
  }

  private emit(event: string, always = false): void {
    if (this.truncated && !always) return;
    if (!always && this.bytes + this.chunk.length + event.length > this.maxBytes) {
      this.truncated = true;
      return;
    }
    this.chunk += this.first ? event : `,\n${event}`;
    this.first = false;
    this.events++;
    if (this.chunk.length >= FLUSH_CHARS) this.flush();
  }

  private flush(): void {
    if (this.chunk.length === 0) return;
    const buffer = Buffer.from(this.chunk, 'utf8');
    this.chunk = '';
    this.out.write(buffer);
    this.bytes += buffer.length;
  }
}
