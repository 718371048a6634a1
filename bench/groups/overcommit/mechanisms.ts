/**
 * The overcommit group's choice among the shipped lock · policy pairs (src/config/mechanisms.ts):
 * the baseline every ratio of the matrix is measured against, and the smaller sets that the other
 * presets and `--quick` run.
 */
import { findMechanism, MECHANISMS, type LockAndPolicy, type Mechanism } from '../../../src/config/mechanisms.js';

/** The baseline: ticket spinlocks spinning naively, what a guest without any enlightenment did for a decade. */
export const BASELINE_MECHANISM: Mechanism = MECHANISMS[0]!;

/** Whether a lock and policy are the baseline's. */
export const isBaseline = (m: LockAndPolicy): boolean => m.lock === BASELINE_MECHANISM.lock && m.policy === BASELINE_MECHANISM.policy;

/**
 * The presets other than the matrix's run only the baseline and the enlightened pair that did best
 * at 2× on both engines when the matrix was first run: a full matrix on every preset would
 * double a full run's time.
 */
export const PRESET_MECHANISMS: readonly Mechanism[] = [BASELINE_MECHANISM, findMechanism('ttas', 'notify')];

/** `--quick`: the baseline, one enlightenment of each family (a notification, a pv halt) and the research lock. */
export const QUICK_MECHANISMS: readonly Mechanism[] = [
  BASELINE_MECHANISM,
  findMechanism('ttas', 'notify'),
  findMechanism('unfair-queued', 'pv-halt'),
  findMechanism('preemptable-ticket', 'naive'),
];
