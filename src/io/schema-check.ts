/**
 * JSON files that a zod schema describes (results files read back by the bench, …): checked
 * with the schema, any mismatch reported as one line naming the field (`cases[3].runs:
 * expected array, got string`); and the compile-time check that a schema and the TypeScript
 * type the code builds describe the same value, so neither can change without the other.
 */
import type { z } from 'zod';
import { ConfigError } from '../config/schema.js';

/** `cases[3].runs` for the path ['cases', 3, 'runs']; empty for the top level. */
function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out;
}

/** What a JSON value is, in the words of a JSON Schema type. */
function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const part of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[part] : undefined;
  return value;
}

/** One line for a schema issue: the field, then what was wrong with it. */
function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const at = (path: readonly PropertyKey[], text: string) => (path.length === 0 ? text : `${formatPath(path)}: ${text}`);
  switch (issue.code) {
    case 'invalid_type': {
      const value = valueAt(root, issue.path);
      if (value === undefined) return at(issue.path, `missing (expected ${issue.expected})`);
      return at(issue.path, `expected ${issue.expected}, got ${typeOf(value)}`);
    }
    case 'unrecognized_keys':
      return at([...issue.path, issue.keys[0]!], `unexpected field${issue.keys.length > 1 ? ` (and ${issue.keys.length - 1} more)` : ''}`);
    case 'invalid_value':
      return at(
        issue.path,
        `expected ${issue.values.length === 1 ? JSON.stringify(issue.values[0]) : `one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`}, got ${JSON.stringify(valueAt(root, issue.path))}`,
      );
    case 'invalid_union': {
      // A discriminated union names its discriminator's options; otherwise the first option's first problem.
      const first = issue.errors[0]?.[0];
      if (issue.errors.length > 0 && first && issue.errors.every((e) => e.length > 0))
        return describeIssue({ ...first, path: [...issue.path, ...first.path] } as z.core.$ZodIssue, root);
      return at(issue.path, issue.message);
    }
    default:
      return at(issue.path, issue.message);
  }
}

/**
 * `value` checked with `schema`: the parsed value, or a `ConfigError` of one line,
 * `<where>: <field>: <problem>` (the first problem found).
 */
export function checkWithSchema<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new ConfigError(`${where}: ${describeIssue(result.error.issues[0]!, value)}`);
}

/** T with every object field and array read-only, all the way down: how the code's result types are written. */
export type DeepReadonly<T> = T extends readonly (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/**
 * `true` when a schema's output type and a hand-written type describe the same values (each
 * assignable to the other once both are read-only throughout): no field missing, extra,
 * optional on one side only, or of another type. Used as `const _same: SameShape<A, B> = true`.
 */
export type SameShape<A, B> = [DeepReadonly<A>] extends [DeepReadonly<B>] ? ([DeepReadonly<B>] extends [DeepReadonly<A>] ? true : false) : false;
