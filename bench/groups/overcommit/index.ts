/** Overcommit, the mitigation matrix: its cases, figures, table, claims and report section. */
import type { SuiteGroup } from '../../suite/job.js';
import { overcommitJobs } from './cases.js';
import { overcommitSection } from './section.js';
import { overcommitTables, overcommitClaims } from './table.js';

export const overcommitGroup: SuiteGroup = {
  name: 'overcommit',
  summary: '1x..3x vCPUs per pCPU: every lock x wait policy shipped (other presets: 2)',
  jobs: overcommitJobs,
  table: overcommitTables,
  claims: overcommitClaims,
  section: overcommitSection,
};
