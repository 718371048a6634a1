/** spinvisor's typed library API. */
export { parseScenario, toBareMetal, scenarioSchema, ConfigError } from './config/schema.js';
export type {
  Config,
  ScenarioInput,
  VmConfig,
  Workload,
  Distribution,
  LockKind,
  PolicyKind,
  EngineKind,
  VirtualCosts,
  SchedulerConfig,
  SchedulerPolicy,
} from './config/schema.js';
export { loadScenario, readScenario, isPresetName } from './config/load.js';
export { applyOverrides } from './config/overrides.js';
export type { Overrides } from './config/overrides.js';
export { listPresets, presetNames, DEFAULT_PRESET } from './config/presets.js';
export type { Preset } from './config/presets.js';
export { scenarioJsonSchema } from './config/write-json-schema.js';
export { simulate } from './simulate.js';
export type { SimulateOptions } from './simulate.js';
export type { TraceOptions } from './trace/options.js';
export type { TraceSummary } from './trace/chrome-trace.js';
export { TRACE_FORMAT } from './trace/chrome-trace.js';
export type { RunProgress, EngineRunOptions } from './engine/run-output.js';
export { ThreadsEngine, oversubscriptionWarning, hostWarning } from './engine/threads.js';
export { VirtualEngine } from './engine/virtual/engine.js';
export type { RunOutput } from './engine/run-output.js';
export type { Results } from './results/results.js';
export { RESULTS_FORMAT, COMPARE_FORMAT, REPRODUCE_FORMAT } from './results/formats.js';
export { resultsSchema, compareResultsSchema, resultsJsonSchema, compareJsonSchema } from './results/results-schema.js';
export type { CompareResults } from './results/results-schema.js';
export type { Metrics, VmMetrics, PcpuMetrics, VcpuMetrics } from './stats/metrics.js';
export type { SelfCheck } from './results/self-checks.js';
export { VCPU_COUNTERS, PCPU_COUNTERS, HISTOGRAMS, TRACE_EVENTS } from './events/table.js';
export { listReproductions, loadReproduction, parseReproduction, reproductionNames, reproductionSchema } from './reproduce/file.js';
export type { Reproduction, ReproductionRun, ReproductionRow, ReproductionMetric, RunOverrides } from './reproduce/file.js';
export { runReproduction, runConfig, reproduceRow, QUICK_DURATION_MS } from './reproduce/run.js';
export type { ReproduceOptions, ReproductionResult, ReproducedRow, ReproducedRun } from './reproduce/run.js';
export { judge, effectOf, directionOf, RATIO_KINDS } from './reproduce/verdict.js';
export type { Verdict, Direction, RatioKind } from './reproduce/verdict.js';
