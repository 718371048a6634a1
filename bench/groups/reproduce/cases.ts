/**
 * Reproduce: every run of every shipped reproduction of a published result (reproductions/*.json),
 * on the virtual engine, as `spinvisor reproduce --quick` runs them: seed 1 only (the virtual engine
 * gives the same result every time) and 50 virtual ms a run instead of the files' 200, so that the
 * group's 28 runs cost seconds, not minutes, of a full run's quarter of an hour. The terminal table
 * and the report's section derive each row's ratio from the cases and judge it as `spinvisor
 * reproduce` does. `--quick` skips the group: it would double a quick run.
 */
import { listReproductions } from '../../../src/reproduce/file.js';
import { QUICK_DURATION_MS, runConfig } from '../../../src/reproduce/run.js';
import type { CaseJob, PlanContext } from '../../suite/job.js';
import type { ReproductionParams } from '../../suite/model.js';

/**
 * Host ms per run: `spinvisor reproduce --quick` (the 28 runs of the four shipped files, 50 virtual
 * ms each, 4 to 48 vCPUs on up to 16 pCPUs) took 6.9 s of CPU in all on the 2-core development
 * machine, start-up included: 0.25 s a run; 0.3 s keeps the estimate above it.
 */
const RUN_ESTIMATE_MS = 300;

export function reproduceJobs(context: PlanContext): CaseJob[] {
  if (context.quick || !context.engines.includes('virtual')) return [];
  return listReproductions().flatMap((repro) =>
    repro.runs.map((run): CaseJob => {
      const params: ReproductionParams = { kind: 'reproduction', reproduction: repro.name, run: run.id };
      const config = (seed: number) => runConfig(repro, run.overrides, { engine: 'virtual', seed, durationMs: QUICK_DURATION_MS });
      return {
        kind: 'case',
        id: `reproduce/virtual/${repro.name}/${run.id}`,
        group: 'reproduce',
        engine: 'virtual',
        label: `${repro.name}: ${run.label}`,
        params,
        durationMs: QUICK_DURATION_MS,
        runs: 1,
        config,
        estimateMs: RUN_ESTIMATE_MS,
      };
    }),
  );
}
