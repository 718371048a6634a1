/** Building blocks shared by the report's sections: a chart's figure, a section, labels. */
import type { EngineKind } from '../../../src/config/schema.js';
import type { OvercommitParams } from '../../suite/model.js';
import { attrs, esc } from '../../../src/report/html/escape.js';

/**
 * One chart: `<figure class="chart" data-chart="name">`, a heading, the SVG, and the claim the
 * chart supports as its caption. `caption` is plain text (escaped here); `svg` is markup.
 */
export function figure(name: string, title: string, svg: string, caption: string): string {
  return `<figure${attrs({ class: 'chart', 'data-chart': name })}><h3>${esc(title)}</h3>${svg}<figcaption>${esc(caption)}</figcaption></figure>`;
}

/** A section of the page; `body` is markup, `intro` plain text. */
export function section(id: string, title: string, intro: string, body: string): string {
  return `<section${attrs({ id, 'data-section': id })}><h2>${esc(title)}</h2>${intro ? `<p class="intro">${esc(intro)}</p>` : ''}${body}</section>`;
}

export const charts = (figures: readonly string[]): string => `<div class="charts">${figures.join('')}</div>`;

/** A figure that takes a whole row of `charts` (a chart of many series, drawn wide so that each stays legible). */
export const fullRow = (figureMarkup: string): string => `<div class="full-row">${figureMarkup}</div>`;

export const ENGINE_LABEL: Record<EngineKind, string> = { threads: 'threads engine', virtual: 'virtual engine' };

/** "acquisitions/s" in the engine's time: real seconds for threads, virtual seconds for virtual. */
export const perSecond = (engine: EngineKind): string => (engine === 'virtual' ? 'per virtual second' : 'per second');

/** The throughput axes' unit, short enough to run along a chart's height. */
export const acquisitionsUnit = (engine: EngineKind): string => (engine === 'virtual' ? 'lock acquisitions / virtual s' : 'lock acquisitions / s');

export const SHAPE_LABEL: Record<OvercommitParams['shape'], string> = { vms: 'split into VMs', vcpus: 'one big VM' };

/** A claim stated in a section's text (plain text, escaped here); nothing when empty. */
export const claimParagraph = (text: string): string => (text ? `<p class="claim">${esc(text)}</p>` : '');
