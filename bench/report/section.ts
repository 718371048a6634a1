/**
 * A section of the HTML report: its anchor, its title in the page's navigation, and how it is
 * drawn from the results (and the extras the page is given). Each group's section lives in its
 * folder (bench/groups/NAME/section.ts); a section with nothing to draw returns '' and is left
 * out of the page and its navigation.
 */
import type { TimelinePair } from '../groups/timeline/pair.js';
import type { SuiteResults } from '../suite/model.js';

/** What the report draws besides the results: the timeline of a naive and an enlightened trace of one case, when given. */
export interface ReportExtras {
  readonly timeline?: TimelinePair;
}

export interface ReportSection {
  /** The section's id: its anchor and `data-section`. */
  readonly id: string;
  /** Its entry in the page's navigation. */
  readonly title: string;
  render(results: SuiteResults, extras: ReportExtras): string;
}
