/**
 * The bench report's timeline section: a naive and an enlightened trace of one case, drawn one
 * above the other on the same window, from the hand-written contract traces. Drawn in a browser
 * in test/e2e/timeline.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../bench/report/html.js';
import { renderTimelineSection, timelinePair } from '../../bench/groups/timeline/section.js';
import { buildSuiteResults } from '../fixtures/suite-results.js';
import { buildTimelineTrace } from '../fixtures/timeline-trace.js';

const pair = () => timelinePair(buildTimelineTrace('naive'), buildTimelineTrace('pv-halt'));

describe('timeline section of the bench report', () => {
  it('is rendered when the report is given a pair of traces, and linked from the contents', () => {
    const html = renderHtmlReport(buildSuiteResults({ groups: ['scaling'] }), { timeline: pair() });
    expect(html).toContain('data-section="timeline"');
    expect(html).toContain('href="#timeline"');
  });

  it('has no section without traces', () => {
    const html = renderHtmlReport(buildSuiteResults({ groups: ['scaling'] }));
    expect(html).not.toContain('data-section="timeline"');
    expect(renderTimelineSection(undefined)).toBe('');
  });

  it('draws the naive run above the enlightened one, each labelled by its trace', () => {
    const html = renderTimelineSection(pair());
    const naive = html.indexOf('data-timeline="timeline/naive"');
    const enlightened = html.indexOf('data-timeline="timeline/enlightened"');
    expect(naive).toBeGreaterThan(0);
    expect(enlightened).toBeGreaterThan(naive);
    expect(html).toContain('<h3>Naive: naive</h3>');
    expect(html).toContain('<h3>Enlightened: pv-halt</h3>');
  });

  it('clips both traces to the same window', () => {
    const { naive, enlightened } = timelinePair(buildTimelineTrace('naive'), buildTimelineTrace('pv-halt'), { fromUs: 2000, toUs: 7000 });
    expect([naive.model.fromUs, naive.model.toUs]).toEqual([2000, 7000]);
    expect([enlightened.model.fromUs, enlightened.model.toUs]).toEqual([2000, 7000]);
  });

  it('states the spinning of each run and the cure in its claim', () => {
    // naive: 4.7 ms spun of 37.15 ms running (13%); pv-halt: 0.6 ms of 31.6 ms (2%), two kicks.
    expect(renderTimelineSection(pair())).toContain(
      'In the same 10 ms, naive’s vCPUs spun 13% of their running time (1 lock-holder preemption), pv-halt’s 2% (1 lock-holder preemption, 2 kicks).',
    );
  });
});
