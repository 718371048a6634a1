/**
 * Spin-wait policy names and their `+` combinations: which names exist, which combinations a
 * real system could ship, and the one-line reason a combination is refused. The schema checks a
 * VM's `policy` with `policySpecProblem`; the guest builds its policy from `policyParts`.
 */
import { quoted } from './config-error.js';

/** The single spin-wait policies (guest/policies/, one file each). */
export const POLICY_KINDS = ['naive', 'notify', 'pv-halt', 'preempted-aware', 'cs-hint'] as const;
export type PolicyKind = (typeof POLICY_KINDS)[number];
/** A VM's spin-wait policy as written: one of POLICY_KINDS, or a `+` combination such as `pv-halt+preempted-aware`. */
export type PolicySpec = PolicyKind | `${PolicyKind}+${string}`;

const isPolicyKind = (name: string): name is PolicyKind => (POLICY_KINDS as readonly string[]).includes(name);

/** Why `spec` is not a policy or a combination that makes sense, in one line; undefined when it is. */
export function policySpecProblem(spec: string): string | undefined {
  const names = spec.split('+');
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') return `empty policy name in ${quoted(spec)}; join names with a single "+"`;
    if (!isPolicyKind(name)) return `unknown policy ${quoted(name)}; expected ${POLICY_KINDS.join(', ')}, or several joined with "+"`;
    if (seen.has(name)) return `${quoted(name)} named twice in ${quoted(spec)}`;
    seen.add(name);
  }
  if (names.length > 1 && seen.has('naive')) return `naive means no enlightenment: it cannot be combined (in ${quoted(spec)})`;
  if (seen.has('notify') && seen.has('pv-halt')) return `notify and pv-halt both act on a long spin (one yields, one halts): choose one (in ${quoted(spec)})`;
  return undefined;
}

/** Whether `spec` names a valid policy or combination. */
export function isPolicySpec(spec: string): spec is PolicySpec {
  return policySpecProblem(spec) === undefined;
}

/** The single policies a valid spec combines, in the order written. */
export function policyParts(spec: PolicySpec): PolicyKind[] {
  return spec.split('+') as PolicyKind[];
}

/** Whether the valid spec `spec` includes policy `kind`. */
export function hasPolicy(spec: PolicySpec, kind: PolicyKind): boolean {
  return spec === kind || policyParts(spec).includes(kind);
}
