/** The help texts. The column explanations come from the report modules, which take them from the event table. */
import { DEFAULT_PRESET } from '../config/presets.js';
import { LOCK_KINDS, POLICY_KINDS, REACTIONS, SCHEDULER_POLICIES } from '../config/schema.js';
import { SYSTEMS, SYSTEM_NAMES } from '../config/systems.js';
import { JSON_SCHEMAS, JSON_SCHEMA_NAMES } from '../config/write-json-schema.js';
import { QUICK_DURATION_MS } from '../reproduce/run.js';
import { compareColumnsHelp } from '../report/compare-table.js';
import { runColumnsHelp } from '../report/run-table.js';
import { TRACE_BOUNDS_HELP, TRACE_HELP } from './trace-flags.js';

const SCENARIO = `A scenario is a preset name (see \`spinvisor presets\`) or a JSON scenario file: an argument with
a "/" or a .json suffix is a file (./my.json), anything else a preset. Default: "${DEFAULT_PRESET}".`;

const EXIT_CODES = `Exit codes: 0 success; 1 a self-check failed (or an internal error); 2 bad input: nothing was
run and no file was written.`;

const POLICY_HELP = `  --policy POLICY   every VM's spin-wait policy: ${POLICY_KINDS.join(', ')}; or several joined
                    with "+" (e.g. pv-halt+preempted-aware; naive combines with none, notify not
                    with pv-halt)`;

const OVERRIDES = `Overrides (applied to the scenario, then validated like the file itself):
  --system NAME     a named system's guest and host settings (below), applied first: the other
                    flags given with it win over its settings; it sets the mode, so no --mode
  --pcpus N         physical CPUs (worker threads); keep it <= the host's cores for honest figures
  --vms N           N identical copies of the scenario's first VM, named NAME, NAME-2, NAME-3, ...
  --vcpus N         vCPUs of every VM
  --lock KIND       every VM's lock algorithm: ${LOCK_KINDS.join(', ')}
  --mode MODE       virtualized, or bare: the physical machine (the first VM's workload, one vCPU
                    bound to each pCPU, no hypervisor; applied after the other overrides)
  --scheduler S     the hypervisor's scheduler policy: ${SCHEDULER_POLICIES.join(', ')}
  --slice-us N      the scheduler's time slice, in µs
  --ple on|off      pause-loop exiting: the hardware forces an exit from a spin loop longer than
                    the vCPU's window (KVM's defaults: 4096 cycles, doubled per exit, reset at
                    each schedule-in); the exit runs the reaction (default off)
  --reaction R      what the hypervisor does with a detected spin (a PLE exit or a notify
                    hypercall): ${REACTIONS.join(', ')} (default yield: run the next runnable
                    vCPU; directed-yield: KVM's yield to a preempted sibling; sleep: KVM before
                    2.6.39, the spinner sleeps 100 µs)
  --boost on|off    KVM's boost of a kicked vCPU: tried first by a directed yield, and the
                    kicker yields to it (default off)
  --cosched-skew-us N  cosched scheduler: how far, in µs, a vCPU's progress may lead its VM's
                    slowest vCPU before it is co-stopped (default 3000)
  --spin-threshold N  notify policy: spins between two long-spin-wait hypercalls (default 4095)
  --halt-threshold N  pv-halt policy: spins before a waiter halts until kicked (default 32768)
  --extension-us N  cs-hint policy: the slice extension a vCPU inside a critical section is
                    granted, once per critical section, in µs (default 50)
  --duration-ms N   length of the run, in ms
  --seed N          seed of the guests' random streams
  --engine ENGINE   threads (default: every pCPU a worker thread, real time) or virtual (one
                    thread, virtual time from the scenario's cost model: same seed, same result,
                    and machines larger than the host)`;

/** The systems, from their list: name and one line each. */
function systemsHelp(): string {
  const width = Math.max(...SYSTEM_NAMES.map((n) => n.length)) + 2;
  const lines = SYSTEMS.map((s) => `  ${s.name.padEnd(width)}${s.summary}`);
  return `Systems (--system NAME, compare --systems LIST; \`spinvisor presets\` shows what each sets):\n${lines.join('\n')}`;
}

export const MAIN_HELP = `spinvisor: a hypervisor running multiprocessor VMs, simulated at native speed, to show what
time slicing does to guest spinlocks and how the fixes real systems ship help.

Usage:
  spinvisor run [scenario] [flags]        run one scenario; print a table per VM and per pCPU
  spinvisor compare [scenario] [flags]    run it under each spin-wait policy, lock or system, side by side
  spinvisor timeline TRACE --html FILE    draw a trace (Chrome Trace Event JSON) as a self-contained page
  spinvisor presets                       list the shipped presets and named systems
  spinvisor reproduce [NAME]              rerun published experiments, published vs simulated
  spinvisor schema [NAME]                 print a JSON Schema: scenario (default), results, compare
  spinvisor help [command]                this text, or a command's (also: COMMAND --help)
  spinvisor --version                     the version

${SCENARIO}

Examples:
  spinvisor run contended --vms 2                   two 2-vCPU VMs on 2 pCPUs: 2x overcommit
  spinvisor compare contended --vms 2               the same, naive spinning vs notify
  spinvisor compare contended --vms 2 --policies naive,pv-halt,pv-halt+preempted-aware
  spinvisor compare contended --vms 2 --locks ticket,mcs --policies naive,pv-halt
  spinvisor compare contended --engine virtual --pcpus 16 --vcpus 16 --vms 2 --systems bare-metal,hyperv-ws2008,kvm
                                                    named systems side by side, bare metal first
  spinvisor run contended --engine virtual --pcpus 64 --vcpus 64 --vms 2
                                                    a 64-pCPU machine, simulated in virtual time
  spinvisor run my-scenario.json --json out.json
  spinvisor reproduce --list                        the published experiments that ship
  spinvisor reproduce steal-time-2x                 one of them, published vs simulated

${EXIT_CODES}`;

export function runHelp(): string {
  return `spinvisor run [scenario] [flags]

Runs one scenario on the engine it names (--engine; threads by default) and prints what ran, a row per VM, a row per pCPU and the self-checks. Warnings (e.g. more pCPUs than host
cores) go to stderr.

${SCENARIO}

${OVERRIDES}
${POLICY_HELP}

${systemsHelp()}

Output:
  --json FILE       also write the results as JSON (format, ok, engine, system when one was
                    named, config, environment, warnings, selfChecks, metrics); written only once
                    the run has finished; described by \`spinvisor schema results\`
  -h, --help        this text

${TRACE_HELP}
${TRACE_BOUNDS_HELP}

A run that takes 2 s or more shows its progress on one line of stderr (a terminal only).

${runColumnsHelp()}

${EXIT_CODES}`;
}

export function compareHelp(): string {
  return `spinvisor compare [scenario] [flags]

Runs the scenario once per spin-wait policy (every VM set to that policy, the same seed) on the
same pCPU threads, or once per lock algorithm, or once per pair of both, or once per named
system, and prints the runs side by side with each one's throughput as a ratio of the first
run's.

${SCENARIO}

What varies (the first of each list is the baseline):
  --policies LIST   comma-separated spin-wait policies or "+" combinations, in order
                    (default: naive,notify, unless --locks is given)
  --locks LIST      comma-separated lock algorithms, in order (${LOCK_KINDS.join(', ')});
                    with --policies too, every lock under every policy
  --policy POLICY   with --locks alone: every VM's spin-wait policy, as \`spinvisor run\` takes it
  --systems LIST    comma-separated named systems (below), in order: one run each, labelled by
                    its system; not with --policies, --locks or --system. A VM the first run
                    lacks (bare metal has one) is measured against the first run's whole machine

${OVERRIDES}

${systemsHelp()}

Output:
  --json FILE       also write {format, ok, labels, locks, policies, systems, runs: [results, ...]}
                    as JSON, once all runs finished (systems only when runs were named systems);
                    described by \`spinvisor schema compare\`
  -h, --help        this text

${TRACE_HELP}
                    One file per run: FILE less its .json, a dash and the run's label, .json
                    (--trace t.json: t-naive.json, t-notify.json, ...)
${TRACE_BOUNDS_HELP}

${compareColumnsHelp()}

${EXIT_CODES}`;
}

export function timelineHelp(): string {
  return `spinvisor timeline TRACE.json --html FILE [--window FROM..TO | --from MS --to MS] [--width PX]

Draws a trace as a self-contained HTML page (inline SVG and CSS; nothing is fetched, nothing
runs): a lane per pCPU showing which vCPU ran there, coloured by VM; a lane per contended lock
with its holds and a step line of its waiters; a lane per vCPU with its state (running,
runnable, halted; spinning and critical sections inside running); lock-holder and lock-waiter
preemptions marked on the victim's lane; kicks and wake-ups marked on the pCPU lanes, with an
arrow from each kick to the wake-up it caused; a time axis and a legend.

TRACE is Chrome Trace Event JSON: a spinvisor trace ("otherData.format":
"spinvisor-trace/1"), or any other Chrome trace, whose lanes are named by its metadata and
whose events are drawn neutrally. The same file opens in ui.perfetto.dev.

Options:
  --html FILE       the page to write (required)
  --window FROM..TO the range to draw, in ms of the trace's clock (e.g. 20..25; either end may
                    be left out); zooming in is drawing a narrower range
  --from MS, --to MS  the same range as two flags (not with --window)
  --width PX        width of the drawing area, px (default 1000): wider shows more detail
  -h, --help        this text

Large traces: the file is parsed once and only what falls inside the range is kept; slices
narrower than a pixel are merged, close marks of one kind are drawn as one, and at most 400
arrows are drawn, so the page stays small however long the trace.

${EXIT_CODES}`;
}

export const PRESETS_HELP = `spinvisor presets

Lists the shipped presets: name, shape (pCPUs, VMs x vCPUs, lock, policy, duration) and
description. Run one with \`spinvisor run NAME\`; copy its file from the package's presets/
folder to start your own. Then the named systems (${SYSTEM_NAMES.join(', ')}): the lock and
policy, scheduler and host side each sets, for \`--system NAME\` on any preset or file.`;

export function schemaHelp(): string {
  const width = Math.max(...JSON_SCHEMA_NAMES.map((n) => n.length)) + 2;
  const names = JSON_SCHEMA_NAMES.map((n) => `  ${n.padEnd(width)}${JSON_SCHEMAS[n].what}; schema/${JSON_SCHEMAS[n].file}`).join('\n');
  return `spinvisor schema [NAME]

Prints a JSON Schema (draft 2020-12), the same file \`npm run build\` writes to schema/. NAME:
${names}

Point an editor at the scenario's ("$schema" in a scenario file) for completion and checking
while you type. The results files name their format ("format": "spinvisor-results/1", ...);
their schemas describe exactly what this version writes. The bench's results file has its own:
npm run bench -- schema.`;
}

export function reproduceHelp(): string {
  return `spinvisor reproduce [NAME] [flags]

Reruns published experiments, scaled to what the engines run, and prints each published ratio (a
slowdown, a speed-up or a share) beside the simulated one, with whether the two agree in
direction (both up, both down or both flat) and in order of magnitude (their effects, |ratio - 1|
or the share, within 10x of each other). A disagreement is a finding, printed as one; it does not
change the exit code. NAME is one of the package's reproductions/ files (without .json); without
it, all of them run. Each file records the published figures with the link to their source, the
source's setup, how it is scaled here and the runs that reproduce it.

Flags:
  --list            list the reproductions (name, runs, rows, what each reproduces) and exit
  --engine ENGINE   virtual (default: one thread, virtual time, the same result every time) or
                    threads (real worker threads and the real clock; keep pCPUs <= host cores)
  --seed N          seed of the guests' random streams (default 1)
  --duration-ms N   every run this long instead of the file's (200 ms for the shipped ones)
  --quick           every run ${QUICK_DURATION_MS} ms: a smoke run, its figures noisier
  --json FILE       also write {format, ok, engine, seed, reproductions: [{name, title, url,
                    engine, seed, ok, runs, rows}]} as JSON, once every run has finished
  -h, --help        this text

Columns: row (what is compared), kind, published (the figures as the source gives them:
value / baseline, in its unit), ratio (published), simulated (the same ratio from the runs: a
slowdown is the baseline run's throughput over the run's, a speed-up the inverse, a share the
run's share of time) and verdict.

Exit codes: 0 every run passed its self-checks (whatever the verdicts); 1 a self-check failed (or
an internal error); 2 bad input (unknown reproduction, bad flag, a broken reproduction file):
nothing was run and no file was written.`;
}
