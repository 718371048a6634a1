/**
 * The suite's groups, each a folder of its own (bench/groups/NAME/: cases.ts its jobs, derive.ts
 * its figures, table.ts its terminal table, section.ts its part of the HTML report, index.ts the
 * group): the plan, the terminal report and the HTML report iterate these lists and name no
 * group. A new group is one folder, one line in SUITE_GROUPS and one in REPORT_SECTIONS.
 */
import type { ReportSection } from '../report/section.js';
import { environmentSection } from '../report/sections/environment.js';
import type { SuiteGroup } from '../suite/job.js';
import { microGroup } from './micro/index.js';
import { overcommitGroup } from './overcommit/index.js';
import { reproduceGroup } from './reproduce/index.js';
import { scalingGroup } from './scaling/index.js';
import { schedulersGroup } from './schedulers/index.js';
import { sweepGroup } from './sweeps/index.js';
import { systemsGroup } from './systems/index.js';
import { timelineSection } from './timeline/section.js';

/** The suite, in the order it runs and its terminal report shows it. */
export const SUITE_GROUPS: readonly SuiteGroup[] = [microGroup, scalingGroup, overcommitGroup, sweepGroup, schedulersGroup, systemsGroup, reproduceGroup];

/**
 * The HTML report's sections in page order: the groups' results first, the timeline after the
 * matrix it shows a window of, then how fast the simulator's hot paths are and where it all ran.
 */
export const REPORT_SECTIONS: readonly ReportSection[] = [
  scalingGroup.section,
  overcommitGroup.section,
  timelineSection,
  sweepGroup.section,
  schedulersGroup.section,
  systemsGroup.section,
  reproduceGroup.section,
  microGroup.section,
  environmentSection,
];
