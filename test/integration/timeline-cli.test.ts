/**
 * `spinvisor timeline` as a user meets it, in process (`main(argv, io)`, test/helpers/cli.ts),
 * on the hand-written contract trace; the bench's `--timeline` as a child process (its build). Bad input is one line on stderr, exit 2, and no page.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildSuiteResults } from '../fixtures/suite-results.js';
import { buildTimelineTrace, FIXTURE_FACTS } from '../fixtures/timeline-trace.js';
import { expectUsageError as expectOneLineError, node, nodeWith, spinvisor } from '../helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'spinvisor-timeline-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const trace = join(tmp, 'fixture.json');
writeFileSync(trace, JSON.stringify(buildTimelineTrace()));

/** `spinvisor timeline ARGS…`. */
function timeline(...args: string[]) {
  return spinvisor('timeline', ...args);
}

/** Exit 2, nothing on stdout, one line on stderr matching `pattern`, and no page written. */
async function expectUsageError(html: string, args: string[], pattern: RegExp): Promise<void> {
  expectOneLineError(await timeline(...args, '--html', html), pattern);
  expect(existsSync(html)).toBe(false);
}

describe('spinvisor timeline', () => {
  it('writes the page for a window of the trace and says what it drew', async () => {
    const html = join(tmp, 'ok.html');
    const outcome = await timeline(trace, '--html', html, '--window', '2..8');
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/1 lock-holder preemption/);
    const page = readFileSync(html, 'utf8');
    expect(page.match(/data-lane-kind="pcpu"/g)).toHaveLength(FIXTURE_FACTS.pcpus);
    expect(page).toContain('2 ms to 8 ms of the trace');
  });

  it('rejects a missing trace file', async () => {
    await expectUsageError(join(tmp, 'missing.html'), [join(tmp, 'nope.json')], /nope\.json: cannot read: ENOENT$/);
  });

  it('rejects a file that is not JSON', async () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, '{"traceEvents": [');
    await expectUsageError(join(tmp, 'bad.html'), [bad], /bad\.json: not JSON \(/);
  });

  it('rejects JSON that is not a trace', async () => {
    const other = join(tmp, 'results.json');
    writeFileSync(other, JSON.stringify({ format: 'spinvisor-results/1', runs: [] }));
    await expectUsageError(join(tmp, 'other.html'), [other], /results\.json: not a Chrome trace/);
  });

  it('rejects a malformed range, an empty one, and one outside the trace', async () => {
    await expectUsageError(join(tmp, 'r1.html'), [trace, '--window', 'soon'], /^spinvisor: --window: expected FROM\.\.TO in ms/);
    await expectUsageError(join(tmp, 'r2.html'), [trace, '--from', '5', '--to', '5'], /^spinvisor: --to: the range must end after it starts/);
    await expectUsageError(join(tmp, 'r3.html'), [trace, '--from', '50'], /fixture\.json: the range 50\.\. ms is outside the trace, which spans 0\.\.10 ms$/);
  });

  it('prints its help with --help and through spinvisor help timeline, exit 0', async () => {
    const own = await timeline('--help');
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/^spinvisor timeline TRACE\.json --html FILE/);
    const viaHelp = await spinvisor('help', 'timeline');
    expect(viaHelp.stdout).toBe(own.stdout);
  });

  it('asks for the page to write when --html is missing', async () => {
    const outcome = await timeline(trace);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trimEnd()).toBe('spinvisor: --html: expects the page to write (spinvisor timeline TRACE.json --html FILE)');
  });
});

describe('npm run bench -- --timeline', () => {
  const enlightened = join(tmp, 'pv-halt.json');
  writeFileSync(enlightened, JSON.stringify(buildTimelineTrace('pv-halt')));
  const shard = join(tmp, 'suite.json');
  writeFileSync(shard, JSON.stringify(buildSuiteResults({ groups: ['scaling'] })));

  it('draws the two traces in the report of a merge', () => {
    const html = join(tmp, 'report.html');
    const outcome = node(
      'bench/main.ts',
      'merge',
      shard,
      '--json',
      join(tmp, 'merged.json'),
      '--html',
      html,
      '--timeline',
      `${trace},${enlightened}`,
      '--timeline-window',
      '2..8',
    );
    expect(outcome.code, outcome.stderr).toBe(0);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('data-timeline="timeline/naive"');
    expect(page).toContain('data-timeline="timeline/enlightened"');
    expect(page).toContain('In the same 6 ms');
  });

  it('without --timeline, draws a naive and an enlightened run it traces itself, and leaves no trace file behind', { timeout: 90_000 }, () => {
    const html = join(tmp, 'recorded.html');
    const childTmp = join(tmp, 'child-tmp');
    mkdirSync(childTmp);
    const outcome = nodeWith({ TMPDIR: childTmp }, 'bench/main.ts', 'merge', shard, '--json', join(tmp, 'recorded.json'), '--html', html);
    expect(outcome.code, outcome.stderr).toBe(0);
    expect(outcome.stdout).toMatch(/^timeline: qspinlock · naive and unfair-queued · pv-halt, 12\.\.18 ms of /m);
    const page = readFileSync(html, 'utf8');
    expect(page).toContain('data-timeline="timeline/naive"');
    expect(page).toContain('Naive: qspinlock · naive');
    expect(page).toContain('Enlightened: unfair-queued · pv-halt');
    // tsx keeps its cache there too (tsx-N).
    expect(readdirSync(childTmp).filter((name) => name.startsWith('spinvisor-'))).toEqual([]);
  });

  it('rejects a --timeline that does not name two files, in one line with exit 2, before writing anything', () => {
    const json = join(tmp, 'not-written.json');
    const outcome = node('bench/main.ts', 'merge', shard, '--json', json, '--html', join(tmp, 'x.html'), '--timeline', trace);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr.trimEnd()).toBe(`bench: --timeline: expected two trace files, NAIVE.json,ENLIGHTENED.json, got "${trace}"`);
    expect(existsSync(json)).toBe(false);
  });
});
