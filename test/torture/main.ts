/**
 * `npm run torture`: every lock × spin-wait policy × scheduler the scenario schema declares,
 * hammered on both engines with all pCPUs, two VMs overcommitting them twice, one hot lock per
 * VM and critical sections of a few work units, for a given time. Preemption comes at random
 * points: every run draws a tiny time slice (10 to 200 µs) and a seed, so vCPUs are preempted
 * all the time, mid-acquire, mid-critical-section and mid-release (the virtual engine can
 * preempt a vCPU between any two of its lock steps). Every run is judged by the self-checks
 * every run makes: mutual exclusion (guest memory against acquisitions), no vCPU on two pCPUs,
 * none lost from the run queues, none run while halted, no wake-up lost, every kick accounted,
 * every vCPU ran. `ended-in-time` is a timing figure of a loaded host, not a lock property:
 * reported, never a failure.
 *
 * It prints, as Linux's locktorture does (kernel/locking/locktorture.c, lock_torture_printk),
 * per lock: the operations (critical sections), Max/Min per vCPU ("???" when the most is over
 * twice the least) and the failures ("!!!" when any), then "--- End of test: SUCCESS" or
 * "FAILURE". Exit 1 on any failure, 130 on Ctrl-C (the figures so far are printed).
 *
 *   npm run torture -- [--duration-s S] [--engine threads|virtual] [--seed N]
 *
 * Not in `npm test`; CI runs a short one (.ci/run).
 */
import { availableParallelism } from 'node:os';
import { INTERRUPTED_EXIT_CODE, stopOnSignals } from '../../src/cli/interrupt.js';
import { POLICY_KINDS } from '../../src/config/policy-spec.js';
import { ConfigError, ENGINES, LOCK_KINDS, MAX_PCPUS, parseScenario, SCHEDULER_POLICIES, type Config, type EngineKind } from '../../src/config/schema.js';
import { RunInterrupted } from '../../src/engine/run-control.js';
import { ThreadsEngine } from '../../src/engine/threads.js';
import { choiceFlag, HELP_OPTION, integerFlag, parseFlags } from '../../src/io/flags.js';
import { simulate } from '../../src/simulate.js';

const HELP = `npm run torture -- [--duration-s S] [--engine E] [--pcpus N] [--seed N]

Every lock x spin-wait policy x scheduler, on both engines, with random tiny slices, judged
by the self-checks; prints operations and failures per lock like Linux's locktorture.

  --duration-s S   total time, two thirds to threads, one to virtual (default 600); each engine
                   runs the combinations in a random order (a new one, and new seeds, each
                   round) until its time ends, and says how many it covered
  --engine E       threads or virtual only
  --pcpus N        the threads engine's pCPUs (default: the host's cores, ${availableParallelism()} here);
                   the virtual engine's are 4
  --seed N         first seed (default 1)`;

const OPTIONS = {
  'duration-s': { type: 'string' },
  engine: { type: 'string' },
  pcpus: { type: 'string' },
  seed: { type: 'string' },
  ...HELP_OPTION,
} as const;

/** Per engine: each run's duration (ms; virtual ms for the virtual engine) and its pCPUs. */
const RUN_MS: Record<EngineKind, number> = { threads: 40, virtual: 2 };
const VIRTUAL_PCPUS = 4;
/**
 * Shares of the time: a threads run costs far more host time than its duration (each pCPU
 * thread warms up its JIT on the scenario first: 0.4 to 2 s a run on the loaded 2-core
 * development host), a virtual run a fraction of a second.
 */
const TIME_SHARE: Record<EngineKind, number> = { threads: 2, virtual: 1 };
const SLICE_US = { min: 10, max: 200 } as const;
/** Timing, not correctness: reported, never a failure. */
const TIMING_CHECKS = new Set(['ended-in-time']);

interface Combination {
  readonly lock: (typeof LOCK_KINDS)[number];
  readonly policy: (typeof POLICY_KINDS)[number];
  readonly scheduler: (typeof SCHEDULER_POLICIES)[number];
}

interface LockStats {
  runs: number;
  operations: number;
  failures: number;
  /** Acquisitions per vCPU slot (VM × vCPU), summed over the runs. */
  perVcpu: number[];
}

/** A small deterministic generator (mulberry32) for the slices: a torture run is reproducible from its seed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function scenario(c: Combination, engine: EngineKind, pcpus: number, seed: number, sliceUs: number): Config {
  const vm = (name: string) => ({
    name,
    vcpus: pcpus,
    workload: { lock: c.lock, locks: 1, outsideUnits: { kind: 'exponential', mean: 40 }, insideUnits: { kind: 'fixed', value: 20 } },
    policy: c.policy,
    // Hypercalls often: notify and halt after a few spins, so the kick and yield paths run all the time.
    spinThreshold: 64,
    haltThreshold: 64,
  });
  return parseScenario({ engine, pcpus, seed, durationMs: RUN_MS[engine], scheduler: { policy: c.scheduler, sliceUs }, vms: [vm('a'), vm('b')] });
}

async function main(): Promise<number> {
  const { values, positionals } = parseFlags('torture', process.argv.slice(2), OPTIONS, 'npm run torture -- --help');
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`${positionals[0]}: unexpected argument (see npm run torture -- --help)`);
  const durationS = integerFlag('duration-s', values['duration-s']) ?? 600;
  if (durationS < 1) throw new ConfigError(`--duration-s: expected a positive integer, got ${durationS}`);
  const only = choiceFlag('engine', values.engine, ENGINES);
  const engines: EngineKind[] = only ? [only] : ['threads', 'virtual'];
  const hostPcpus = integerFlag('pcpus', values.pcpus) ?? availableParallelism();
  if (hostPcpus < 1 || hostPcpus > MAX_PCPUS) throw new ConfigError(`--pcpus: expected an integer from 1 to ${MAX_PCPUS}, got ${hostPcpus}`);
  const firstSeed = integerFlag('seed', values.seed) ?? 1;

  // Every combination the schema declares; the ones it refuses are listed, not run.
  const all: Combination[] = LOCK_KINDS.flatMap((lock) =>
    POLICY_KINDS.flatMap((policy) => SCHEDULER_POLICIES.map((scheduler) => ({ lock, policy, scheduler }))),
  );
  const refused: string[] = [];
  const combinations = all.filter((c) => {
    try {
      scenario(c, 'virtual', VIRTUAL_PCPUS, 1, SLICE_US.min);
      return true;
    } catch (error) {
      refused.push(`${c.lock} · ${c.policy} · ${c.scheduler}: ${(error as Error).message}`);
      return false;
    }
  });
  const pcpusOf = (engine: EngineKind) => (engine === 'threads' ? hostPcpus : VIRTUAL_PCPUS);
  console.log(
    `spinvisor torture: ${LOCK_KINDS.length} locks × ${POLICY_KINDS.length} wait policies × ${SCHEDULER_POLICIES.length} schedulers = ${combinations.length} combinations` +
      ` on ${engines.map((e) => `${e} (${pcpusOf(e)} pCPUs, 2 VMs × ${pcpusOf(e)} vCPUs, ${RUN_MS[e]} ms runs)`).join(' and ')};` +
      ` slices ${SLICE_US.min}-${SLICE_US.max} µs at random; ${durationS} s; seed ${firstSeed}`,
  );
  for (const line of refused) console.log(`  not a valid scenario, skipped: ${line}`);

  // Per engine, per lock (an engine's runs all have the same vCPUs, so Max/Min compares like with like).
  const stats = new Map<string, LockStats>(
    engines.flatMap((engine) => LOCK_KINDS.map((lock) => [`${lock} (${engine})`, { runs: 0, operations: 0, failures: 0, perVcpu: [] }] as const)),
  );
  const failures: string[] = [];
  const timing: string[] = [];
  const threads = new ThreadsEngine();
  const interrupt = stopOnSignals('torture');
  const started = performance.now();
  let runs = 0;
  try {
    const shares = engines.reduce((sum, engine) => sum + TIME_SHARE[engine], 0);
    let until = started;
    for (const [e, engine] of engines.entries()) {
      // Each engine gets its share of the time.
      until += (durationS * 1000 * TIME_SHARE[engine]) / shares;
      const pcpus = pcpusOf(engine);
      const covered = new Set<Combination>();
      let seed = firstSeed;
      let rounds = 0;
      let engineRuns = 0;
      while (!interrupt.signal.aborted && performance.now() < until) {
        const draw = random(seed * 7919 + e);
        // A new order each round (Fisher-Yates), so a run cut short by its time still covers every lock.
        const order = [...combinations];
        for (let i = order.length - 1; i > 0; i--) {
          const j = Math.floor(draw() * (i + 1));
          [order[i], order[j]] = [order[j]!, order[i]!];
        }
        for (const c of order) {
          if (interrupt.signal.aborted || performance.now() >= until) break;
          const sliceUs = SLICE_US.min + Math.floor(draw() * (SLICE_US.max - SLICE_US.min + 1));
          const config = scenario(c, engine, pcpus, seed, sliceUs);
          const name = `${engine} · ${c.lock} · ${c.policy} · ${c.scheduler} · slice ${sliceUs} µs · seed ${seed}`;
          const lock = stats.get(`${c.lock} (${engine})`)!;
          try {
            const results = await simulate(config, threads, { signal: interrupt.signal });
            if (results.interrupted) break;
            covered.add(c);
            engineRuns++;
            runs++;
            lock.runs++;
            lock.operations += results.metrics.acquisitions;
            results.metrics.vcpus.forEach((v, i) => (lock.perVcpu[i] = (lock.perVcpu[i] ?? 0) + v.acquisitions));
            for (const check of results.selfChecks) {
              if (check.ok) continue;
              if (TIMING_CHECKS.has(check.name)) timing.push(`${name}: ${check.name}: ${check.detail}`);
              else {
                lock.failures++;
                failures.push(`${name}: ${check.name}: ${check.detail}`);
              }
            }
          } catch (error) {
            if (error instanceof RunInterrupted) break;
            covered.add(c);
            engineRuns++;
            runs++;
            lock.runs++;
            lock.failures++;
            failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        if (performance.now() < until && !interrupt.signal.aborted) rounds++;
        seed++;
      }
      console.log(`  ${engine}: ${engineRuns} runs, ${covered.size} of ${combinations.length} combinations, ${rounds} full round(s)`);
    }
  } finally {
    interrupt.dispose();
    await threads.close();
  }

  const elapsedS = (performance.now() - started) / 1000;
  console.log(`\n${runs} runs in ${elapsedS.toFixed(1)} s${interrupt.signal.aborted ? ' (INTERRUPTED: the figures so far)' : ''}`);
  const width = Math.max(...[...stats.keys()].map((key) => key.length)) + '-torture'.length + 1;
  for (const [key, s] of stats) {
    const lock = key.replace(' (', '-torture (').replace(')', '):');
    const max = Math.max(0, ...s.perVcpu);
    const min = s.perVcpu.length > 0 ? Math.min(...s.perVcpu) : 0;
    console.log(
      `${lock.padEnd(width)} Writes:  Total: ${s.operations}  Max/Min: ${max}/${min} ${max / 2 > min ? '???' : ''}  Fail: ${s.failures} ${s.failures > 0 ? '!!!' : ''}` +
        `  (${s.runs} runs)`,
    );
  }
  for (const line of timing.slice(0, 10)) console.log(`  timing, not a failure: ${line}`);
  for (const line of failures.slice(0, 20)) console.log(`!!! FAILURE ${line}`);
  if (failures.length > 20) console.log(`!!! … and ${failures.length - 20} more failures`);
  console.log(`--- End of test: ${failures.length > 0 ? 'FAILURE' : interrupt.signal.aborted ? 'INTERRUPTED' : 'SUCCESS'}`);
  if (failures.length > 0) return 1;
  return interrupt.signal.aborted ? INTERRUPTED_EXIT_CODE : 0;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`torture: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = error instanceof ConfigError ? 2 : 1;
  },
);
