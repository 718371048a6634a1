/**
 * The results files' schemas: derived from the event table, and the bench's read-back check
 * (`--baseline`, `merge`) refusing a tampered file with one line that names the field.
 */
import { describe, expect, it } from 'vitest';
import { checkSuiteFile } from '../../bench/suite/baseline.js';
import { SUITE_FORMAT, suiteJsonSchema } from '../../bench/suite/model.js';
import { ConfigError, POLICY_KINDS } from '../../src/config/schema.js';
import { HISTOGRAMS, PCPU_COUNTERS, VCPU_COUNTERS } from '../../src/events/table.js';
import { RESULTS_FORMAT } from '../../src/results/formats.js';
import { resultsJsonSchema } from '../../src/results/results-schema.js';
import { buildSuiteResults } from '../fixtures/suite-results.js';
import { withField, withoutField } from '../helpers/tamper.js';

/** The fixture as a file would hold it. */
const suiteFile = (): unknown => JSON.parse(JSON.stringify(buildSuiteResults()));

/** The one-line error `checkSuiteFile` throws for `file`. */
function rejection(file: unknown): string {
  try {
    checkSuiteFile(file, 'baseline.json');
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message.split('\n')).toHaveLength(1);
    return message;
  }
  throw new Error('the file was accepted');
}

interface JsonSchema {
  properties: Record<string, JsonSchema>;
  items: JsonSchema;
  required: string[];
  description?: string;
  const?: unknown;
  additionalProperties?: boolean;
}

describe('results schema', () => {
  const schema = resultsJsonSchema() as unknown as JsonSchema;
  const metrics = schema.properties.metrics!;

  it('has a field, with its meaning, for every counter and histogram of the event table', () => {
    const vcpu = metrics.properties.vcpus!.items;
    const vm = metrics.properties.vms!.items;
    const pcpu = metrics.properties.pcpus!.items;
    for (const counter of VCPU_COUNTERS) {
      expect(vcpu.required).toContain(counter.name);
      expect(vm.required).toContain(counter.name);
      expect(vcpu.properties[counter.name]!.description).toContain(counter.meaning);
    }
    for (const counter of PCPU_COUNTERS) expect(pcpu.required).toContain(counter.name);
    expect(Object.keys(vm.properties.histograms!.properties)).toEqual(HISTOGRAMS.map((h) => h.name));
  });

  it('names the format and admits no other field', () => {
    expect(schema.properties.format!.const).toBe(RESULTS_FORMAT);
    expect(schema.additionalProperties).toBe(false);
    expect(metrics.properties.vcpus!.items.additionalProperties).toBe(false);
  });

  it('describes the scenario inside as it ran: every defaulted field present', () => {
    const config = schema.properties.config!;
    for (const field of ['pcpus', 'vms', 'scheduler', 'durationMs', 'seed', 'mode', 'engine', 'virtualCosts']) expect(config.required).toContain(field);
  });
});

describe('bench results file read back (--baseline, merge)', () => {
  it('accepts a suite file as the bench writes it', () => {
    expect(checkSuiteFile(suiteFile(), 'baseline.json').cases.length).toBeGreaterThan(3);
    expect((suiteJsonSchema() as unknown as JsonSchema).properties.format!.const).toBe(SUITE_FORMAT);
  });

  it('rejects a field of the wrong type, naming it', () => {
    expect(rejection(withField(suiteFile(), ['cases', 3, 'runs'], 'three'))).toBe('baseline.json: cases[3].runs: expected array, got string');
  });

  it('rejects a missing field, naming it', () => {
    expect(rejection(withoutField(suiteFile(), ['cases', 0, 'metrics', 'spinFraction']))).toBe(
      'baseline.json: cases[0].metrics.spinFraction: missing (expected object)',
    );
  });

  it('rejects a field the format does not have', () => {
    expect(rejection(withField(suiteFile(), ['cases', 1, 'runs', 0, 'speed'], 3))).toBe('baseline.json: cases[1].runs[0].speed: unexpected field');
  });

  it('rejects a value outside its set, naming the allowed ones', () => {
    const index = buildSuiteResults().cases.findIndex((c) => c.params.kind === 'overcommit');
    expect(index).toBeGreaterThanOrEqual(0);
    expect(rejection(withField(suiteFile(), ['cases', index, 'params', 'policy'], 'hopeful'))).toBe(
      `baseline.json: cases[${index}].params.policy: expected one of ${POLICY_KINDS.map((p) => `"${p}"`).join(', ')}, got "hopeful"`,
    );
  });

  it('rejects another format before looking further, and a file that is not a suite file at all', () => {
    expect(rejection(withField(suiteFile(), ['format'], 'spinvisor-bench/1'))).toBe(
      `baseline.json: format "spinvisor-bench/1", expected "${SUITE_FORMAT}" (re-run npm run bench to make one)`,
    );
    expect(rejection([1, 2])).toBe('baseline.json: not a spinvisor bench results file (no "format" field)');
    expect(rejection({ ok: true })).toBe('baseline.json: not a spinvisor bench results file (no "format" field)');
  });
});
