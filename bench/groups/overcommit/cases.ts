/**
 * Overcommit, the mitigation matrix: 1×, 1.5×, 2× and 3× as many vCPUs as pCPUs, in two shapes
 * (more VMs: identical VMs of P vCPUs, 1.5× as 3 VMs of P/2; more vCPUs in one VM), under every
 * lock × wait-policy pair of src/config/mechanisms.ts. A VM alone on the machine is each VM's
 * 1× value. The claim it tests: naive spinlocks collapse under overcommit, enlightened ones do
 * not, and what each enlightenment costs when nothing is overcommitted.
 *
 * The full matrix runs on the contended preset, the one where the lock decides throughput (two
 * hot locks, critical sections as long as the work between them); the other presets run the
 * baseline and one enlightened pair, on the host engine only, to keep a full run near a quarter
 * of an hour on 2 cores. Engines: the host engine at the host's pCPUs and, in a full run that
 * includes it, the virtual engine at 16 pCPUs, a machine the host may not have.
 */
import { loadScenario } from '../../../src/config/load.js';
import { presetNames } from '../../../src/config/presets.js';
import type { EngineKind } from '../../../src/config/schema.js';
import { MECHANISMS, mechanismLabel, type Mechanism } from '../../../src/config/mechanisms.js';
import { durationOf, estimateRunsMs, hostEngine, type CaseJob, type PlanContext } from '../../suite/job.js';
import { PRESET_MECHANISMS, QUICK_MECHANISMS } from './mechanisms.js';
import type { OvercommitParams } from '../../suite/model.js';

const OVERCOMMIT_RATIOS = [1.5, 2, 3] as const;
/** `--quick`: 2× alone, the ratio where naive spinning has collapsed and the fair share is half the machine. */
const QUICK_RATIOS = [2] as const;

/** The preset of the whole matrix: the workload where the lock and its wait policy matter. */
const MATRIX_PRESET = 'contended';

/** The virtual engine's machine: larger than most hosts, so that the matrix is also seen where a queue of waiters is long. */
const VIRTUAL_OVERCOMMIT_PCPUS = 16;

type Shape = Pick<OvercommitParams, 'shape' | 'ratio' | 'pcpus' | 'vms' | 'vcpusPerVm'>;

/** The machine of a matrix on `engine`: the host engine at `--pcpus`; the virtual engine at 16 pCPUs, or `--pcpus` when larger. */
export const matrixPcpus = (engine: EngineKind, context: PlanContext): number =>
  engine === 'virtual' ? Math.max(VIRTUAL_OVERCOMMIT_PCPUS, context.pcpus) : context.pcpus;

/**
 * More VMs at `ratio` on `pcpus` pCPUs: identical VMs of P vCPUs (2× is 2 VMs), or of P/2 where
 * the ratio is not whole (1.5× is 3 VMs of P/2); undefined where P/2 is not whole.
 */
export function vmsShape(pcpus: number, ratio: number): Shape | undefined {
  if (Number.isInteger(ratio)) return { shape: 'vms', ratio, pcpus, vms: ratio, vcpusPerVm: pcpus };
  if (pcpus % 2 !== 0 || !Number.isInteger(ratio * 2)) return undefined;
  return { shape: 'vms', ratio, pcpus, vms: ratio * 2, vcpusPerVm: pcpus / 2 };
}

/** The VM shapes of one preset and mechanism at `pcpus`: the 1× case, the alone reference of the half-size VMs and each ratio in each shape. */
function overcommitShapes(pcpus: number, ratios: readonly number[]): Shape[] {
  const shapes: Shape[] = [{ shape: 'vms', ratio: 1, pcpus, vms: 1, vcpusPerVm: pcpus }];
  const half = pcpus % 2 === 0 ? pcpus / 2 : undefined;
  // The 1× value of the VMs of P/2 vCPUs, needed only where such VMs run (1.5×).
  if (half !== undefined && ratios.some((r) => !Number.isInteger(r))) shapes.push({ shape: 'vms', ratio: 0.5, pcpus, vms: 1, vcpusPerVm: half });
  for (const ratio of ratios) {
    // More VMs: identical VMs of P vCPUs, or of P/2 where the ratio is not whole.
    const split = vmsShape(pcpus, ratio);
    if (split) shapes.push(split);
    // More vCPUs in one VM.
    if (Number.isInteger(ratio * pcpus)) shapes.push({ shape: 'vcpus', ratio, pcpus, vms: 1, vcpusPerVm: ratio * pcpus });
  }
  return shapes;
}

function overcommitJob(context: PlanContext, engine: EngineKind, preset: string, mechanism: Mechanism, shape: Shape): CaseJob {
  const durationMs = durationOf(engine, context.quick);
  const { lock, policy } = mechanism;
  const params: OvercommitParams = { kind: 'overcommit', preset, lock, policy, ...shape };
  const { ratio, vms, vcpusPerVm, pcpus } = shape;
  const tail = ratio === 1 ? '1x' : ratio < 1 ? `alone-v${vcpusPerVm}` : `${shape.shape}/${ratio}x`;
  const what = ratio < 1 ? `1 VM of ${vcpusPerVm} alone` : `${ratio}x ${vms} VM${vms > 1 ? 's' : ''} × ${vcpusPerVm}`;
  return {
    kind: 'case',
    id: `overcommit/${engine}/${preset}/${lock}/${policy}/${tail}`,
    group: 'overcommit',
    engine,
    label: `${preset} ${mechanismLabel(mechanism)} ${what}`,
    params,
    durationMs,
    config: (seed) => loadScenario(preset, { pcpus, vms, vcpus: vcpusPerVm, lock, policy, mode: 'virtualized', durationMs, seed, engine }),
    // A virtual run's host time follows the events in it, and they are bounded by the pCPUs' virtual time, not by the vCPUs
    // waiting for them: on 2 busy cores, 16 pCPUs, 200 virtual ms, from 0.01 s (one collapsed naive VM) to 0.76 s (under
    // pv-halt, whose halts and kicks are events), 0.24 s on average over a full run's matrix; the estimate is 0.66 s.
    estimateMs: estimateRunsMs(engine, context.runs, durationMs, pcpus, pcpus),
  };
}

/** The engines of the matrix and their machines: the host engine at `--pcpus`; in a full run, the virtual engine at 16 pCPUs (or `--pcpus`, when larger). */
function machines(context: PlanContext): { readonly engine: EngineKind; readonly pcpus: number; readonly everyPreset: boolean }[] {
  const host = hostEngine(context);
  const engines = context.quick ? [host] : context.engines;
  return engines.map((engine) => ({
    engine,
    pcpus: matrixPcpus(engine, context),
    everyPreset: engine === host,
  }));
}

export function overcommitJobs(context: PlanContext): CaseJob[] {
  const jobs: CaseJob[] = [];
  const ratios = context.quick ? QUICK_RATIOS : OVERCOMMIT_RATIOS;
  for (const { engine, pcpus, everyPreset } of machines(context)) {
    const shapes = overcommitShapes(pcpus, ratios);
    for (const preset of presetNames()) {
      if (preset !== MATRIX_PRESET && !everyPreset) continue;
      const mechanisms = preset !== MATRIX_PRESET ? PRESET_MECHANISMS : context.quick ? QUICK_MECHANISMS : MECHANISMS;
      for (const mechanism of mechanisms) for (const shape of shapes) jobs.push(overcommitJob(context, engine, preset, mechanism, shape));
    }
  }
  return jobs;
}
