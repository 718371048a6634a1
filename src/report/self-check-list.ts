/** A run's self-checks as a list a reader can scan: a passing run says so in one line, a failure stands out. */
import type { SelfCheck } from '../results/self-checks.js';

export function renderSelfChecks(checks: readonly SelfCheck[]): string {
  const failed = checks.filter((c) => !c.ok).length;
  const unchecked = checks.filter((c) => c.checked === false).length;
  const head =
    failed > 0
      ? `self-checks: ${failed} of ${checks.length} FAILED — the figures above cannot be trusted`
      : unchecked > 0
        ? `self-checks: ${checks.length - unchecked} passed, ${unchecked} not checked`
        : `self-checks: all ${checks.length} passed`;
  const lines = checks.map((c) =>
    c.checked === false ? `  - not checked ${c.name}: ${c.detail}` : c.ok ? `  ✓ ${c.name}: ${c.detail}` : `  ✗ FAILED ${c.name}: ${c.detail}`,
  );
  return [head, ...lines].join('\n');
}
