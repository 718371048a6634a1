/**
 * A time range on the command line, in ms of a trace's clock: `--window FROM..TO` or `--from MS`
 * and `--to MS` (either may be left out: the trace's own start or end). Returned in µs, the
 * trace's unit.
 */
import { ConfigError } from '../config/schema.js';

/** A time range in µs; either end may be left open (the trace's own start or end). */
export interface RangeUs {
  readonly fromUs?: number;
  readonly toUs?: number;
}

/** A non-negative decimal number of ms, e.g. `12`, `12.5`. */
function msFlag(flag: string, text: string): number {
  const t = text.trim();
  if (!/^\+?(\d+(\.\d*)?|\.\d+)$/.test(t)) throw new ConfigError(`--${flag}: expected a time in ms (a number >= 0), got "${text}"`);
  return Number(t);
}

/** `windowFlag` names the FROM..TO flag in messages (`window`, or the bench's `timeline-window`). */
export function timeRangeFlags(values: { readonly from?: string; readonly to?: string; readonly window?: string }, windowFlag = 'window'): RangeUs {
  if (values.window !== undefined) {
    if (values.from !== undefined || values.to !== undefined)
      throw new ConfigError(`--${windowFlag}: give either --${windowFlag} FROM..TO or --from/--to, not both`);
    const parts = values.window.split('..');
    if (parts.length !== 2) throw new ConfigError(`--${windowFlag}: expected FROM..TO in ms (e.g. 20..25), got "${values.window}"`);
    const fromMs = parts[0]!.trim() === '' ? undefined : msFlag(windowFlag, parts[0]!);
    const toMs = parts[1]!.trim() === '' ? undefined : msFlag(windowFlag, parts[1]!);
    return checked(windowFlag, fromMs, toMs);
  }
  const fromMs = values.from === undefined ? undefined : msFlag('from', values.from);
  const toMs = values.to === undefined ? undefined : msFlag('to', values.to);
  return checked(values.to !== undefined ? 'to' : 'from', fromMs, toMs);
}

function checked(flag: string, fromMs: number | undefined, toMs: number | undefined): RangeUs {
  if (fromMs !== undefined && toMs !== undefined && !(fromMs < toMs))
    throw new ConfigError(`--${flag}: the range must end after it starts, got ${fromMs}..${toMs} ms`);
  return { ...(fromMs !== undefined && { fromUs: fromMs * 1000 }), ...(toMs !== undefined && { toUs: toMs * 1000 }) };
}
