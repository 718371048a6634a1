/** Scaling, the claim that a VM scales like bare metal: its cases, figures, table, claims and report section. */
import type { SuiteGroup } from '../../suite/job.js';
import { scalingJobs } from './cases.js';
import { scalingSection } from './section.js';
import { scalingTables, scalingClaims } from './table.js';

export const scalingGroup: SuiteGroup = {
  name: 'scaling',
  summary: 'bare metal vs 1 VM, pCPUs 1..cores (threads) and 1..64 (virtual), two workloads',
  jobs: scalingJobs,
  table: scalingTables,
  claims: scalingClaims,
  section: scalingSection,
};
