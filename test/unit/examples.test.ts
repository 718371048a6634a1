/**
 * examples/: the GitHub Actions matrix workflow and the Kubernetes Indexed Job that run a sweep
 * across machines. No YAML parser is a dependency of the project, so their shape is checked as
 * text (YAML's indentation rules, the keys each engine needs), and the bench command lines they
 * hold are run with --list, so that an option the bench does not know fails here, not on a cluster.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const text = (file: string) => readFileSync(join(ROOT, 'examples', file), 'utf8');

/** Lines that are neither blank nor comments. */
const content = (yaml: string) => yaml.split('\n').filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));

/** What YAML needs of a block-style file: spaces (never tabs) in steps of 2, no trailing blanks, no stray `key:value`. */
function expectPlainYaml(yaml: string): void {
  expect(yaml).not.toContain('\t');
  for (const line of yaml.split('\n')) expect(line, JSON.stringify(line)).not.toMatch(/\s$/);
  for (const line of content(yaml)) {
    if (line === '---') continue;
    const indent = line.length - line.trimStart().length;
    expect(indent % 2, JSON.stringify(line)).toBe(0);
    // A key's colon is followed by a space or the line's end (`key:value` would be one string).
    expect(line.trimStart(), JSON.stringify(line)).not.toMatch(/^(- )?[\w-]+:\S/);
  }
}

/** `node dist/bench/main.js ARGS --list`: exit 0 if the bench accepts the options. */
function benchAccepts(args: readonly string[]): { code: number | null; stderr: string } {
  const child = spawnSync(process.execPath, ['dist/bench/main.js', ...args, '--list'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: child.status, stderr: child.stderr };
}

describe('examples/github-actions-sweep.yml', () => {
  const yaml = text('github-actions-sweep.yml');

  it("is block-style YAML with a workflow's top-level keys", () => {
    expectPlainYaml(yaml);
    expect(content(yaml).filter((l) => /^\S/.test(l))).toEqual(['name: spinvisor sweep', 'on:', 'permissions:', 'jobs:']);
  });

  it('runs shard i/n of the matrix on each job, n the matrix size, and merges the parts after all', () => {
    expect(yaml).toMatch(/^ {8}shard: \[1, 2, 3, 4\]$/m);
    expect(yaml).toContain('--shard ${{ matrix.shard }}/${{ strategy.job-total }} --json part-${{ matrix.shard }}.json');
    expect(yaml).toMatch(/^ {2}merge:\n {4}needs: shard$/m);
    expect(yaml).toContain('npm run bench -- merge parts/part-*.json --json sweep.json --html sweep.html');
  });

  it('holds default bench options the bench accepts, with a shard', () => {
    const options = /default: '([^']*)'/.exec(yaml)![1]!.split(' ');
    expect(benchAccepts([...options, '--shard', '1/4'])).toMatchObject({ code: 0 });
  });
});

describe('examples/k8s-indexed-job.yaml', () => {
  const yaml = text('k8s-indexed-job.yaml');
  const documents = yaml.split(/^---$/m);

  it('is block-style YAML: a volume claim, the Indexed Job and the merge Job', () => {
    expectPlainYaml(yaml);
    expect(documents.map((d) => /^kind: (\w+)$/m.exec(d)?.[1])).toEqual(['PersistentVolumeClaim', 'Job', 'Job']);
    for (const d of documents) expect(d).toMatch(/^apiVersion: \S+$/m);
  });

  it('maps the completion index to --shard: pod i runs shard i+1 of n, n = completions', () => {
    const job = documents[1]!;
    expect(job).toMatch(/^ {2}completionMode: Indexed$/m);
    const completions = /^ {2}completions: (\d+)$/m.exec(job)![1];
    const shards = [...yaml.matchAll(/- name: SHARDS\n\s+value: '(\d+)'/g)].map((m) => m[1]);
    expect(shards).toEqual([completions, completions]);
    expect(job).toContain('i=$((JOB_COMPLETION_INDEX + 1))');
    expect(job).toContain('--shard "$i/$SHARDS" --json "/results/part-$i.json"');
    expect(documents[2]).toContain('node dist/bench/main.js merge /results/part-*.json --json /results/sweep.json');
  });

  it('holds bench options the bench accepts, with a shard', () => {
    const options = /- name: BENCH_OPTIONS\n\s+value: '([^']*)'/.exec(yaml)![1]!.split(' ');
    expect(benchAccepts([...options, '--shard', '1/4'])).toMatchObject({ code: 0 });
  });
});
