/**
 * The report's timeline, recorded by the bench itself: whenever it writes an HTML report (and no
 * `--timeline A,B` names traces of the user's), it traces one short window of one overcommit case
 * under a naive spinlock and under its enlightened counterpart, on the virtual engine
 * (deterministic: the same bytes for a seed; and cheap), into temporary files that it removes once
 * they are read, and the report draws the two one above the other.
 *
 * The pair: Linux's queued spinlock without pv spinlocks (`qspinlock · naive`, what a Linux ≥ 4.2
 * guest runs on a hypervisor that hides itself) against the same kernel's pv qspinlock
 * (`unfair-queued · pv-halt`: pv_wait halts a waiter, pv_kick wakes it), in the matrix's one-VM
 * shape at 2× (every preempted vCPU is a sibling of the running ones), where the matrix measured
 * the widest gap between a naive lock and its pv counterpart (0.06× against 0.87× of the VM's
 * throughput alone, 16 pCPUs). Here on 4 pCPUs (1 VM of 8 vCPUs), so that each lane can be read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';
import { simulate } from '../../../src/simulate.js';
import { findMechanism, mechanismLabel, type Mechanism } from '../../../src/config/mechanisms.js';
import { timelinePairFromFiles, type TimelinePair } from './section.js';

/** The preset of the mitigation matrix (the workload where the lock decides throughput). */
const TIMELINE_PRESET = 'contended';
/** 1 VM of 8 vCPUs on 4 pCPUs: the matrix's "more vCPUs in one VM" shape at 2×, small enough to read lane by lane. */
const TIMELINE_PCPUS = 4;
const TIMELINE_RATIO = 2;
/** The run, and the window traced in its middle: 6 ms, past the first slice end (10 ms slices), where preempted vCPUs already wait. */
const TIMELINE_DURATION_MS = 30;
const TIMELINE_WINDOW_MS: readonly [number, number] = [12, 18];
const TIMELINE_SEED = 1;

/** One traced run: its mechanism, its label in the report, its scenario. */
interface TimelineCase {
  readonly mechanism: Mechanism;
  readonly label: string;
  readonly scenario: string;
  readonly config: Config;
}

export interface TimelineCases {
  readonly naive: TimelineCase;
  readonly enlightened: TimelineCase;
  /** The traced part of each run, ms of run time. */
  readonly windowMs: readonly [number, number];
}

/** The case pair the report's timeline shows: the same scenario, seed and machine, naive and enlightened (see the file's comment for why these). */
export function timelineCases(): TimelineCases {
  const vcpus = TIMELINE_PCPUS * TIMELINE_RATIO;
  const scenario = `${TIMELINE_PRESET} at ${TIMELINE_RATIO}×: 1 VM × ${vcpus} vCPUs on ${TIMELINE_PCPUS} pCPUs`;
  const build = (m: Mechanism): TimelineCase => ({
    mechanism: m,
    label: mechanismLabel(m),
    scenario,
    config: loadScenario(TIMELINE_PRESET, {
      pcpus: TIMELINE_PCPUS,
      vms: 1,
      vcpus,
      lock: m.lock,
      policy: m.policy,
      mode: 'virtualized',
      durationMs: TIMELINE_DURATION_MS,
      seed: TIMELINE_SEED,
      engine: 'virtual',
    }),
  });
  return { naive: build(findMechanism('qspinlock', 'naive')), enlightened: build(findMechanism('unfair-queued', 'pv-halt')), windowMs: TIMELINE_WINDOW_MS };
}

/** Traces both runs of `cases` into a temporary folder, reads them as the report's pair, and removes the folder. */
export async function recordTimelinePair(cases: TimelineCases = timelineCases()): Promise<TimelinePair> {
  const dir = mkdtempSync(join(tmpdir(), 'spinvisor-bench-timeline-'));
  try {
    const files: string[] = [];
    for (const which of ['naive', 'enlightened'] as const) {
      const c = cases[which];
      const file = join(dir, `${which}.json`);
      await simulate(c.config, undefined, { trace: { file, windowMs: cases.windowMs, scenario: c.scenario, label: c.label } });
      files.push(file);
    }
    return timelinePairFromFiles([files[0]!, files[1]!]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
