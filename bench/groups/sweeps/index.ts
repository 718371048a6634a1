/** Sweeps of one knob at a time: their cases, curves, tables and report section. */
import type { SuiteGroup } from '../../suite/job.js';
import { sweepJobs } from './cases.js';
import { sweepSection } from './section.js';
import { sweepTables } from './table.js';

export const sweepGroup: SuiteGroup = {
  name: 'sweep',
  summary: 'notify at 2x: spin threshold, time slice; pv-halt at 1x, 2x: halt threshold 2^4..2^16',
  jobs: sweepJobs,
  table: sweepTables,
  section: sweepSection,
};
