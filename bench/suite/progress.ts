/**
 * Progress of the suite: on a terminal, one line redrawn in place (a bar, job i of n, the
 * current job, time left); elsewhere (CI logs, pipes), one plain line per finished job. It is
 * redrawn only when a run or a job ends, never on a timer: a main thread that wakes often
 * slows the pCPU threads it shares the cores with (a 1 ms timer on the main thread made two-thread
 * lock figures up to 18× worse on the 2-core development machine).
 *
 * Time left: the remaining jobs' estimated ms, scaled by how the finished jobs' real time
 * compared with their estimates.
 */
import type { Job } from './job.js';

export interface Progress {
  jobStarted(job: Job): void;
  /** A run of the current job ended (cases only). */
  runDone(seed: number, runs: number): void;
  jobDone(job: Job, hostMs: number): void;
  /** A message that must not be overwritten by the bar. */
  note(line: string): void;
  finish(): void;
}

export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): boolean;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '?';
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

/** Tracks estimates against real times to predict the rest. */
export class Eta {
  private estimatedDone = 0;
  private actualDone = 0;
  private remaining: number;

  constructor(jobs: readonly Job[]) {
    this.remaining = jobs.reduce((s, j) => s + j.estimateMs, 0);
  }

  done(job: Job, hostMs: number): void {
    this.estimatedDone += job.estimateMs;
    this.actualDone += hostMs;
    this.remaining -= job.estimateMs;
  }

  /** Ms left, given `currentFraction` of the current job (estimated `currentMs`) is done. */
  leftMs(currentMs = 0, currentFraction = 0): number {
    const scale = this.estimatedDone > 0 ? this.actualDone / this.estimatedDone : 1;
    return Math.max(0, (this.remaining - currentMs * currentFraction) * scale);
  }
}

export function createProgress(jobs: readonly Job[], stream: ProgressStream): Progress {
  return stream.isTTY ? new BarProgress(jobs, stream) : new LineProgress(jobs, stream);
}

class LineProgress implements Progress {
  private index = 0;
  private readonly eta: Eta;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly out: ProgressStream,
  ) {
    this.eta = new Eta(jobs);
  }

  jobStarted(): void {
    this.index++;
  }

  runDone(): void {}

  jobDone(job: Job, hostMs: number): void {
    this.eta.done(job, hostMs);
    const left = this.index < this.jobs.length ? `, about ${formatDuration(this.eta.leftMs())} left` : '';
    this.out.write(`  [${this.index}/${this.jobs.length}] ${job.id} (${(hostMs / 1000).toFixed(1)} s${left})\n`);
  }

  note(line: string): void {
    this.out.write(`${line}\n`);
  }

  finish(): void {}
}

class BarProgress implements Progress {
  private index = 0;
  private current: Job | undefined;
  private fraction = 0;
  private readonly eta: Eta;
  private drawn = false;

  constructor(
    private readonly jobs: readonly Job[],
    private readonly out: ProgressStream,
  ) {
    this.eta = new Eta(jobs);
  }

  jobStarted(job: Job): void {
    this.index++;
    this.current = job;
    this.fraction = 0;
    this.draw();
  }

  runDone(seed: number, runs: number): void {
    this.fraction = seed / runs;
    this.draw();
  }

  jobDone(job: Job, hostMs: number): void {
    this.eta.done(job, hostMs);
    this.current = undefined;
    this.fraction = 0;
    this.draw();
  }

  note(line: string): void {
    this.clear();
    this.out.write(`${line}\n`);
    this.draw();
  }

  finish(): void {
    this.clear();
  }

  private clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(): void {
    const width = Math.max(40, Math.min(this.out.columns ?? 100, 160));
    const done = this.index - (this.current ? 1 - this.fraction : 0);
    const share = this.jobs.length > 0 ? done / this.jobs.length : 1;
    const barWidth = 20;
    const filled = Math.round(share * barWidth);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(barWidth - filled)}]`;
    const left = formatDuration(this.eta.leftMs(this.current?.estimateMs ?? 0, this.fraction));
    const head = `${bar} ${this.index}/${this.jobs.length} · ${left} left · `;
    const label = this.current?.id ?? '';
    const room = width - head.length - 1;
    const text = head + (label.length > room ? `…${label.slice(label.length - room + 1)}` : label);
    this.out.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }
}
