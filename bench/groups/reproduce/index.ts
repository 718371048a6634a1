/** Reproduce, the published results beside the simulated ones: its cases, rows, tables and report section. */
import type { SuiteGroup } from '../../suite/job.js';
import { reproduceJobs } from './cases.js';
import { reproduceSection } from './section.js';
import { reproduceTables } from './table.js';

export const reproduceGroup: SuiteGroup = {
  name: 'reproduce',
  summary: 'published results (reproductions/) beside the simulated ones, virtual, 50 ms runs',
  jobs: reproduceJobs,
  table: reproduceTables,
  section: reproduceSection,
};
