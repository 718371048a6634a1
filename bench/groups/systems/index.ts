/** Systems, every named system against bare metal: its cases, matrices, tables and report section. */
import type { SuiteGroup } from '../../suite/job.js';
import { systemJobs } from './cases.js';
import { systemsSection } from './section.js';
import { systemsTables } from './table.js';

export const systemsGroup: SuiteGroup = {
  name: 'systems',
  summary: 'every named system at 1x..3x overcommit, default and contended, vs bare metal',
  jobs: systemJobs,
  table: systemsTables,
  section: systemsSection,
};
