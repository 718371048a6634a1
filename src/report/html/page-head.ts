/**
 * The opening of every self-contained page the package writes (the bench's report, the timeline
 * view): one file that opens anywhere (a file, an e-mail, a CI artefact) and fetches nothing, so
 * its Content-Security-Policy forbids every source but inline styles and data: images.
 */
import { attrs, esc } from './escape.js';

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/** The doctype, `<html>` and the whole `<head>`: the policy, the viewport, `generator`, `title` (escaped here) and `style` inline. */
export function pageHead(title: string, generator: string, style: string): string[] {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta${attrs({ 'http-equiv': 'Content-Security-Policy', content: CSP })}>`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta${attrs({ name: 'generator', content: generator })}>`,
    '<link rel="icon" href="data:,">',
    `<title>${esc(title)}</title>`,
    `<style>${style}</style>`,
    '</head>',
  ];
}
