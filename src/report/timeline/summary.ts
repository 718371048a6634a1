/**
 * What a timeline's range holds, in numbers: the marked events and how the vCPUs spent their time.
 * The captions under a timeline (the page's, the bench report's) state these.
 */
import type { TimelineModel } from '../../trace/read.js';

export interface TimelineSummary {
  readonly lockHolderPreemptions: number;
  readonly lockWaiterPreemptions: number;
  /** `kick` instants (the unlocker's pv kick), and kick flows drawn from them to the wake-up. */
  readonly kicks: number;
  readonly kickFlows: number;
  readonly directedYieldFlows: number;
  /** Summed over the vCPU lanes, µs: `running`, `spinning` (inside running), `halted`, `runnable`. */
  readonly runningUs: number;
  readonly spinningUs: number;
  readonly haltedUs: number;
  readonly runnableUs: number;
  /** Summed over the lock lanes, µs. */
  readonly lockHeldUs: number;
}

export function summarizeTimeline(model: TimelineModel): TimelineSummary {
  let lockHolderPreemptions = 0;
  let lockWaiterPreemptions = 0;
  let kicks = 0;
  const state: Record<string, number> = { running: 0, spinning: 0, halted: 0, runnable: 0 };
  let lockHeldUs = 0;
  for (const lane of model.lanes) {
    for (const i of lane.instants) {
      if (i.name === 'lock-holder preemption') lockHolderPreemptions++;
      else if (i.name === 'lock-waiter preemption') lockWaiterPreemptions++;
      else if (i.name === 'kick' && lane.kind === 'pcpu') kicks++;
    }
    if (lane.kind === 'vcpu') for (const s of lane.slices) if (s.name in state) state[s.name]! += s.endUs - s.startUs;
    if (lane.kind === 'lock') for (const s of lane.slices) if (s.depth === 0) lockHeldUs += s.endUs - s.startUs;
  }
  return {
    lockHolderPreemptions,
    lockWaiterPreemptions,
    kicks,
    kickFlows: model.flows.filter((f) => f.cat === 'kick').length,
    directedYieldFlows: model.flows.filter((f) => f.cat === 'directed-yield').length,
    runningUs: state.running!,
    spinningUs: state.spinning!,
    haltedUs: state.halted!,
    runnableUs: state.runnable!,
    lockHeldUs,
  };
}

/** µs as a short duration: "850 µs", "12.4 ms", "1.25 s". */
export function formatUs(us: number): string {
  const abs = Math.abs(us);
  if (abs >= 1e6) return `${round3(us / 1e6)} s`;
  if (abs >= 1e3) return `${round3(us / 1e3)} ms`;
  return `${round3(us)} µs`;
}

const round3 = (v: number): string => String(Number(v.toPrecision(3)));

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** One sentence on the range: its marked events and the vCPUs' spinning, as plain text. */
export function summarySentence(summary: TimelineSummary): string {
  const events = [
    plural(summary.lockHolderPreemptions, 'lock-holder preemption'),
    plural(summary.lockWaiterPreemptions, 'lock-waiter preemption'),
    plural(summary.kicks, 'kick'),
  ].join(', ');
  const spin =
    summary.runningUs > 0
      ? `the vCPUs spun ${formatUs(summary.spinningUs)} of their ${formatUs(summary.runningUs)} running (${Math.round((summary.spinningUs / summary.runningUs) * 100)}%)`
      : 'no vCPU ran';
  const halted = summary.haltedUs > 0 ? ` and were halted ${formatUs(summary.haltedUs)}` : '';
  return `${events}; ${spin}${halted}.`;
}
