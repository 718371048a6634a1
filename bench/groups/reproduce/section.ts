/**
 * Reproduce: the published results of reproductions/, each published ratio beside the simulated
 * one (virtual engine, seed 1, 50 ms a run) and whether they agree in direction and order of
 * magnitude; a disagreement is marked as a finding, with the file's explanation under its table.
 */
import { formatRatio, verdictWords } from '../../../src/report/reproduce-table.js';
import type { ReproducedRow } from '../../../src/reproduce/run.js';
import type { ReportSection } from '../../report/section.js';
import type { CaseResult } from '../../suite/model.js';
import { attrs, esc } from '../../../src/report/html/escape.js';
import { section } from '../../report/sections/common.js';
import { reproductionTables, type ReproductionTable } from './derive.js';

const cell = (text: string, numeric = false) => `<td${numeric ? ' class="num"' : ''}>${esc(text)}</td>`;

function published(r: ReproducedRow): string {
  const { value, baseline, unit } = r.published;
  return baseline === null ? `${value} ${unit}` : `${value} / ${baseline} ${unit}`;
}

function row(r: ReproducedRow): string {
  const agrees = r.verdict.direction && r.verdict.magnitude;
  return (
    `<tr${attrs({ class: agrees ? 'agrees' : 'disagrees' })}>${cell(r.label)}${cell(r.kind)}${cell(published(r))}` +
    `${cell(formatRatio(r.kind, r.published.ratio), true)}${cell(formatRatio(r.kind, r.simulated.ratio), true)}${cell(verdictWords(r))}</tr>`
  );
}

function table({ repro, rows }: ReproductionTable): string {
  const head = ['row', 'kind', 'published figures', 'published ratio', 'simulated ratio', 'verdict'];
  const agreeing = rows.filter((r) => r.verdict.direction && r.verdict.magnitude).length;
  return (
    `<h3>${esc(repro.title)}</h3>` +
    `<p>Source: <a${attrs({ href: repro.source.url })}>${esc(repro.source.citation)}</a>. ${esc(repro.scaling)}</p>` +
    `<table${attrs({ class: 'data reproduce', 'data-reproduction': repro.name })}><caption>${esc(`${agreeing} of ${rows.length} rows agree`)}</caption>` +
    `<thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map(row).join('')}</tbody></table>` +
    `<p class="claim">${esc(repro.notes)}</p>`
  );
}

function renderReproduceSection(cases: readonly CaseResult[]): string {
  const tables = reproductionTables(cases);
  if (tables.length === 0) return '';
  return section(
    'reproduce',
    'Published results, reproduced',
    'Published experiments scaled to the virtual engine (reproductions/ in the package), run as spinvisor reproduce --quick runs them (seed 1, 50 virtual ms a run; spinvisor reproduce runs the files\u2019 200 ms): each published ratio (a slowdown, a speed-up or a share) beside the simulated one. ' +
      'A row agrees when both ratios point the same way (up, down, or within 5% of no effect) and their effects are within 10× of each other; a disagreement is a finding, explained under its table.',
    tables.map(table).join(''),
  );
}

export const reproduceSection: ReportSection = { id: 'reproduce', title: 'Published results', render: (results) => renderReproduceSection(results.cases) };
