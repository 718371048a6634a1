/** Schedulers, rr against global-lock: their cases, figures, tables, claims and report section. */
import type { SuiteGroup } from '../../suite/job.js';
import { schedulerJobs } from './cases.js';
import { schedulersSection } from './section.js';
import { schedulerTables, schedulerClaims } from './table.js';

export const schedulersGroup: SuiteGroup = {
  name: 'schedulers',
  summary: 'hv % of rr vs global-lock at 2x overcommit, 2/16/64 pCPUs (virtual), 100 µs/1 ms slices',
  jobs: schedulerJobs,
  table: schedulerTables,
  claims: schedulerClaims,
  section: schedulersSection,
};
