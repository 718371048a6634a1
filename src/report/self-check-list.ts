/** A run's self-checks as a list a reader can scan: a passing run says so in one line, a failure stands out. */
import type { SelfCheck } from '../results/self-checks.js';

export function renderSelfChecks(checks: readonly SelfCheck[]): string {
  const failed = checks.filter((c) => !c.ok).length;
  const head =
    failed === 0 ? `self-checks: all ${checks.length} passed` : `self-checks: ${failed} of ${checks.length} FAILED — the figures above cannot be trusted`;
  const lines = checks.map((c) => (c.ok ? `  ✓ ${c.name}: ${c.detail}` : `  ✗ FAILED ${c.name}: ${c.detail}`));
  return [head, ...lines].join('\n');
}
