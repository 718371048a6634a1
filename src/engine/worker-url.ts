/**
 * Locates a worker entry file next to the running code: `.ts` when running from source
 * (vitest, tsx), `.js` when running from `dist/`. Threads started from source need tsx.
 */
export interface WorkerEntry {
  readonly filename: string;
  /** undefined: the thread inherits the process's flags (so `node --cpu-prof` profiles every pCPU). */
  readonly execArgv: string[] | undefined;
}

export function workerEntry(name: string, from: string = import.meta.url): WorkerEntry {
  const fromSource = from.endsWith('.ts');
  const url = new URL(`../../workers/${name}.${fromSource ? 'ts' : 'js'}`, from);
  return { filename: url.href, execArgv: fromSource ? ['--import', 'tsx'] : undefined };
}
