/**
 * The one kind of error bad input gets, everywhere in the package: one line that names the
 * field (or flag, or file) and the problem. The command line prints it and exits 2.
 *
 * A message may echo what the user wrote (an unknown key, a flag's value, a file name), and a
 * hostile input can be a megabyte long or hold line breaks and terminal control characters. So
 * the values a message quotes go through `quoted` (shortened, escaped), and the message itself
 * is kept to one bounded line whatever its parts hold.
 */

/** The longest message, in characters: a line a terminal shows whole. */
export const MAX_ERROR_CHARS = 500;

/** The longest piece of user text a message quotes. */
const MAX_QUOTED_CHARS = 60;

/** One line naming the field and the problem; the CLI prints it and exits 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(message: string) {
    super(oneLine(message));
  }
}

/** `text` in double quotes, escaped as JSON escapes it; past 60 characters, its first 60, "…" and its length. */
export function quoted(text: string): string {
  const chars = Array.from(text);
  if (chars.length <= MAX_QUOTED_CHARS) return JSON.stringify(text).replace(CONTROL, escape);
  return `${JSON.stringify(`${chars.slice(0, MAX_QUOTED_CHARS).join('')}…`).replace(CONTROL, escape)} (${chars.length} characters)`;
}

/** A flag or argument as written when it is short and plain (`--turbo`, `./a.json`), else `quoted`. */
export function shown(text: string): string {
  return /^[\w./+=:@,-]{1,60}$/.test(text) ? text : quoted(text);
}

/** C0 and C1 control characters and the two Unicode line separators: what would break a line or drive a terminal. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function escape(char: string): string {
  if (char === '\n') return '\\n';
  if (char === '\r') return '\\r';
  if (char === '\t') return '\\t';
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `message` with every control character escaped, cut to MAX_ERROR_CHARS with "…". */
function oneLine(message: string): string {
  const line = message.replace(CONTROL, escape);
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line;
}
