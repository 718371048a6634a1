/**
 * TEST-ONLY fault injection for the threads engine, so that tests can check how a run ends
 * when a pCPU thread fails. Never set it outside tests: it is read from the environment, in no
 * scenario, flag or schema, and a run without it is untouched (one environment read per pCPU
 * thread at its task's start, one per run on the main thread).
 *
 *   SPINVISOR_TEST_FAULT=KIND@PCPU[+MS]
 *
 * Once every pCPU has passed the start barrier, pCPU PCPU makes no step for MS ms (default 0),
 * then, by KIND:
 *   throw      its task throws an Error
 *   exit       its thread calls process.exit(3)
 *   livelock   it spins forever without a step (what the watchdog is for)
 *   terminate  the main thread terminates its thread (Worker.terminate), MS ms after the start
 *              (the pCPU keeps stepping meanwhile)
 */
import { BroadcastChannel, threadId, type Worker } from 'node:worker_threads';

const KINDS = ['throw', 'exit', 'livelock', 'terminate'] as const;
type FaultKind = (typeof KINDS)[number];

interface TestFault {
  readonly kind: FaultKind;
  readonly pcpu: number;
  readonly afterMs: number;
}

const ENV = 'SPINVISOR_TEST_FAULT';
/** The channel on which a pCPU to be terminated tells the main thread its thread id. */
const CHANNEL = 'spinvisor-test-fault';

function testFault(): TestFault | null {
  const text = process.env[ENV];
  if (text === undefined || text === '') return null;
  const match = /^([a-z]+)@(\d+)(?:\+(\d+))?$/.exec(text);
  if (!match || !(KINDS as readonly string[]).includes(match[1]!))
    throw new Error(`${ENV}: expected KIND@PCPU[+MS] with KIND one of ${KINDS.join(', ')}, got "${text}"`);
  return { kind: match[1] as FaultKind, pcpu: Number(match[2]), afterMs: Number(match[3] ?? 0) };
}

/** In a pCPU thread: what to do once the run has started, or undefined when no fault is set for `pcpu`. */
export function pcpuFaultHook(pcpu: number): (() => void) | undefined {
  const fault = testFault();
  if (fault?.pcpu !== pcpu) return undefined;
  return () => {
    if (fault.kind === 'terminate') {
      const channel = new BroadcastChannel(CHANNEL);
      channel.postMessage(threadId);
      channel.close();
      return;
    }
    const until = performance.now() + fault.afterMs;
    while (performance.now() < until);
    if (fault.kind === 'throw') throw new Error(`injected fault (${ENV}=${process.env[ENV]})`);
    if (fault.kind === 'exit') process.exit(3);
    for (;;);
  };
}

/** On the main thread, for a run on `threads`: terminates the pCPU thread that asks to be; returns the disarm. */
export function armTermination(threads: () => readonly Worker[]): () => void {
  const fault = testFault();
  if (fault?.kind !== 'terminate') return () => undefined;
  const channel = new BroadcastChannel(CHANNEL);
  let timer: NodeJS.Timeout | undefined;
  channel.onmessage = (event) => {
    const id = (event as { data: unknown }).data;
    timer = setTimeout(
      () =>
        void threads()
          .find((worker) => worker.threadId === id)
          ?.terminate(),
      fault.afterMs,
    );
  };
  return () => {
    clearTimeout(timer);
    channel.close();
  };
}
