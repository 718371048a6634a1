/** The micro-benchmarks (tinybench, batched) as one job of the suite, their table and their report section. */
import type { SuiteGroup } from '../../suite/job.js';
import { microJobs } from './cases.js';
import { microSection } from './section.js';
import { microTable } from './table.js';

export const microGroup: SuiteGroup = {
  name: 'micro',
  summary: 'lock fast paths, run-queue push/pop/steal, switch, core step, hypercall, counters',
  jobs: microJobs,
  table: microTable,
  section: microSection,
};
