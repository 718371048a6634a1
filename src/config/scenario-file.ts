/**
 * Reads a scenario file as raw JSON, turning the ways a file can be wrong (missing, not a
 * file, too large, not UTF-8 text, not JSON) into one-line `ConfigError`s that name the file.
 *
 * Hostile files are refused before they cost anything: at most MAX_SCENARIO_BYTES are read
 * (so a 100 MB file, or an endless one such as /dev/zero, is refused after reading 1 MiB), and
 * the bytes are decoded strictly (an invalid UTF-8 byte is an error naming its offset, not a
 * U+FFFD replacement that would reach the schema as text nobody wrote). A byte-order mark, as
 * some editors write, is dropped.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { ConfigError, shown } from './config-error.js';

/**
 * The largest scenario file, in bytes. The largest valid scenario (64 VMs, every field written
 * out with the longest names and description, indented by 4) takes 48 kB; 1 MiB leaves room
 * for any formatting.
 */
export const MAX_SCENARIO_BYTES = 1024 * 1024;

export function readScenarioFile(path: string): unknown {
  const name = shown(path);
  let bytes: Uint8Array;
  try {
    bytes = readAtMost(path, MAX_SCENARIO_BYTES + 1);
  } catch (error) {
    throw new ConfigError(`${name}: ${describeReadError(error)}`);
  }
  if (bytes.length > MAX_SCENARIO_BYTES) throw new ConfigError(`${name}: larger than ${MAX_SCENARIO_BYTES} bytes (1 MiB), the most a scenario file may hold`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new ConfigError(`${name}: not UTF-8 text: invalid byte sequence at byte ${at} (0x${bytes[at]!.toString(16).padStart(2, '0')})`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof RangeError) throw new ConfigError(`${name}: malformed JSON: nested too deeply to read`);
    throw new ConfigError(`${name}: malformed JSON: ${(error as Error).message}`);
  }
}

/** The file's first `limit` bytes (all of it if shorter). */
function readAtMost(path: string, limit: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(limit);
    let length = 0;
    while (length < limit) {
      const n = readSync(fd, buffer, length, limit - length, null);
      if (n === 0) break;
      length += n;
    }
    return buffer.subarray(0, length);
  } finally {
    closeSync(fd);
  }
}

/**
 * Offset of the first byte that does not start a well-formed UTF-8 sequence (Unicode 15, table
 * 3-7: no overlong forms, no surrogates, nothing past U+10FFFF, no sequence cut short).
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const form = wellFormed(lead);
    if (form === undefined) return i;
    const [count, low, high] = form;
    for (let k = 1; k <= count; k++) {
      const byte = bytes[i + k];
      if (byte === undefined || (k === 1 ? byte < low || byte > high : byte < 0x80 || byte > 0xbf)) return i;
    }
    i += count + 1;
  }
  return Math.max(0, bytes.length - 1);
}

/** For a lead byte: how many continuation bytes follow and the range of the first; undefined if no sequence starts with it. */
function wellFormed(lead: number): readonly [count: number, low: number, high: number] | undefined {
  if (lead < 0x80) return [0, 0, 0];
  if (lead >= 0xc2 && lead <= 0xdf) return [1, 0x80, 0xbf];
  if (lead === 0xe0) return [2, 0xa0, 0xbf];
  if (lead === 0xed) return [2, 0x80, 0x9f];
  if (lead >= 0xe1 && lead <= 0xef) return [2, 0x80, 0xbf];
  if (lead === 0xf0) return [3, 0x90, 0xbf];
  if (lead >= 0xf1 && lead <= 0xf3) return [3, 0x80, 0xbf];
  if (lead === 0xf4) return [3, 0x80, 0x8f];
  return undefined;
}

function describeReadError(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EISDIR':
      return 'is a folder, not a scenario file';
    case 'EACCES':
      return 'permission denied';
    case 'ENAMETOOLONG':
      return 'file name too long';
    default:
      return `cannot read: ${(error as Error).message}`;
  }
}
