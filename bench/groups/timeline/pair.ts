/**
 * What the report's timeline draws: two traces of one case, the same window of each. Its own
 * file so that the report's section types (bench/report/section.ts) can name it without
 * importing the timeline's section, which imports them.
 */
import type { TimelineModel } from '../../../src/trace/read.js';

/** Two traces of one case, the same window of each: the naive run's first. */
export interface TimelinePair {
  readonly naive: { readonly label: string; readonly model: TimelineModel };
  readonly enlightened: { readonly label: string; readonly model: TimelineModel };
}
