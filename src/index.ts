/** spinvisor's typed library API. */
export { parseScenario, toBareMetal, scenarioSchema, ConfigError } from './config/schema.js';
export type { Config, ScenarioInput, VmConfig, Workload, Distribution, LockKind, PolicyKind } from './config/schema.js';
export { simulate } from './simulate.js';
export { ThreadsEngine, oversubscriptionWarning } from './engine/threads.js';
export type { RunOutput } from './engine/threads.js';
export type { Results } from './stats/results.js';
export type { Metrics, VmMetrics, PcpuMetrics, VcpuMetrics } from './stats/metrics.js';
export type { SelfCheck } from './stats/self-checks.js';
export { VCPU_COUNTERS, PCPU_COUNTERS, HISTOGRAMS } from './stats/events.js';
