/**
 * Warnings go to stderr, loudly, each once: the oversubscription warning is printed before a
 * run starts (so a user sees it while waiting) and comes back in the results afterwards.
 */
export class Warnings {
  private readonly printed = new Set<string>();

  /** `err`: where each goes (CliIo.err). */
  constructor(private readonly err: (text: string) => void) {}

  print(warnings: readonly (string | null)[]): void {
    for (const warning of warnings) {
      if (warning === null || this.printed.has(warning)) continue;
      this.printed.add(warning);
      this.err(`spinvisor: WARNING: ${warning}`);
    }
  }
}
