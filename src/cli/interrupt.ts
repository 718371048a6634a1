/**
 * Ctrl-C during a threads-engine run: the first stops the run early (its results and its trace
 * cover the run so far, and the trace file is completed); a second one ends the process at
 * once. The virtual engine holds the main thread while it runs, so there the default applies.
 */
import type { Config } from '../config/schema.js';

export function stopOnInterrupt(config: Config): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  if (config.engine !== 'threads') return { signal: controller.signal, dispose() {} };
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    process.stderr.write('\nspinvisor: stopping the run (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onSigint);
  return {
    signal: controller.signal,
    dispose: () => void process.off('SIGINT', onSigint),
  };
}
