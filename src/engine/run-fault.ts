/**
 * A run that ended because a pCPU failed, not because of bad input or a bug in the caller: a
 * pCPU thread threw, died, or stopped making steps (the watchdog). The run is over, nothing
 * of it is reported as a result, and the message names the pCPU and the cause in one line.
 */
export class RunFault extends Error {
  override readonly name = 'RunFault';
  constructor(
    readonly pcpu: number,
    message: string,
  ) {
    super(message);
  }
}

/** A pCPU's task ended with `cause` (its thread threw, exited, or was terminated). */
export function pcpuFailed(pcpu: number, cause: unknown): RunFault {
  const text = cause instanceof Error ? cause.message : String(cause);
  return new RunFault(pcpu, `pCPU ${pcpu} failed: ${text.split('\n')[0]}; the run was stopped`);
}
