/**
 * Escaping for the HTML pages (the bench report and the timeline view). Every string that reaches
 * a page goes through one of these: scenario, preset, VM and trace event names come from user
 * files, so none of them is trusted.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for an element's content or a quoted attribute value (HTML and SVG alike). */
export const esc = (value: string | number): string => String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/**
 * An attribute list from an object: ` a="1" b="x"`, values escaped, `undefined`/`false` left
 * out, `true` written as a bare attribute. Numbers are rounded to 0.01 so SVG stays short.
 */
export function attrs(values: Readonly<Record<string, string | number | boolean | undefined>>): string {
  let out = '';
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined || value === false) continue;
    if (value === true) out += ` ${name}`;
    else out += ` ${name}="${esc(typeof value === 'number' ? num(value) : value)}"`;
  }
  return out;
}

/** A coordinate for SVG: at most two decimals, no "-0", never NaN (0 instead). */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}

/** An element with escaped attributes; `inner` is markup the caller already escaped. */
export const el = (tag: string, attributes: Readonly<Record<string, string | number | boolean | undefined>>, inner?: string): string =>
  inner === undefined ? `<${tag}${attrs(attributes)}/>` : `<${tag}${attrs(attributes)}>${inner}</${tag}>`;

/** A native SVG tooltip, escaped. */
export const svgTitle = (text: string): string => `<title>${esc(text)}</title>`;

/**
 * JSON for an inline `<script type="application/json">` block: every `<` becomes `\u003c`, so
 * no `</script>` or `<!--` inside the data can end the block early. JSON.parse reads it back
 * unchanged. U+2028/U+2029 are escaped too, for any reader that treats the block as script.
 */
export const jsonForScript = (value: unknown): string =>
  JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
