/**
 * Copies of a JSON value with one field set or removed, for tests that hand a reader a file that
 * breaks its format on purpose. A path names the field by object keys and array indices.
 */
type Path = readonly (string | number)[];

/** The object or array that holds the field at `path` in `root`, and the field's key. */
function holderOf(root: unknown, path: Path): [Record<string, unknown>, string] {
  if (path.length === 0) throw new Error('tamper: an empty path names no field');
  let node = root;
  for (const [depth, key] of path.entries()) {
    if (typeof node !== 'object' || node === null) throw new Error(`tamper: ${path.slice(0, depth).join('.')} is not an object or array`);
    if (depth === path.length - 1) return [node as Record<string, unknown>, String(key)];
    node = (node as Record<string, unknown>)[String(key)];
  }
  throw new Error('unreachable');
}

/** A deep copy of `value` with the field at `path` set to `replacement` (added if it was not there). */
export function withField(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value);
  const [holder, key] = holderOf(copy, path);
  holder[key] = replacement;
  return copy;
}

/** A deep copy of `value` without the field at `path`, which must be there. */
export function withoutField(value: unknown, path: Path): unknown {
  const copy = structuredClone(value);
  const [holder, key] = holderOf(copy, path);
  if (!(key in holder)) throw new Error(`tamper: ${path.join('.')} is not there to remove`);
  Reflect.deleteProperty(holder, key);
  return copy;
}
