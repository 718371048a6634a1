/**
 * Schedulers: rr's and global-lock's hypervisor share and throughput per pCPU count and slice,
 * one table per engine, with the claim the group tests: a global run-queue lock costs hypervisor
 * time that grows with the pCPUs contending for it, which the lock-free run queues do not pay.
 */
import type { ReportSection } from '../../report/section.js';
import type { CaseResult } from '../../suite/model.js';
import { esc } from '../../../src/report/html/escape.js';
import { percent, si, times } from '../../report/charts/format.js';
import { claimParagraph, ENGINE_LABEL, perSecond, section } from '../../report/sections/common.js';
import { formatSlice, schedulerClaim, schedulerRows, type SchedulerRow } from './derive.js';

const cell = (text: string, numeric = false) => `<td${numeric ? ' class="num"' : ''}>${esc(text)}</td>`;
const share = (c: CaseResult | undefined, digits = 2) => percent(c?.metrics.hvFraction.median ?? Number.NaN, digits);
const points = (d: number) => (Number.isFinite(d) ? `${d >= 0 ? '+' : ''}${(d * 100).toFixed(3)}` : '–');

function row(r: SchedulerRow): string {
  const lock = r.globalLock?.metrics;
  return (
    `<tr>${cell(String(r.pcpus), true)}${cell(formatSlice(r.sliceUs), true)}${cell(share(r.rr), true)}${cell(share(r.globalLock), true)}` +
    `${cell(points(r.hvDelta), true)}${cell(si(r.rr?.metrics.acquisitionsPerSec.median ?? Number.NaN), true)}` +
    `${cell(si(r.globalLock?.metrics.acquisitionsPerSec.median ?? Number.NaN), true)}${cell(times(r.throughputRatio), true)}` +
    `${cell(percent(lock?.globalLockFraction.median ?? Number.NaN, 3), true)}${cell(si(lock?.globalLockSpins.median ?? Number.NaN), true)}</tr>`
  );
}

function engineTable(rows: readonly SchedulerRow[]): string {
  const engine = rows[0]!.engine;
  const head = [
    'pCPUs',
    'slice',
    'rr hv %',
    'global-lock hv %',
    'Δ (points)',
    'rr acq/s',
    'global-lock acq/s',
    'global-lock / rr',
    'lock wait %',
    'lock spins / pCPU',
  ];
  return (
    `<table class="data schedulers"><caption>${esc(`${ENGINE_LABEL[engine]} (acquisitions ${perSecond(engine)})`)}</caption>` +
    `<thead><tr>${head.map((h) => `<th class="num">${esc(h)}</th>`).join('')}</tr></thead><tbody>${rows.map(row).join('')}</tbody></table>` +
    claimParagraph(schedulerClaim(rows, engine))
  );
}

function renderSchedulersSection(cases: readonly CaseResult[]): string {
  const rows = schedulerRows(cases);
  if (rows.length === 0) return '';
  const engines = [...new Set(rows.map((r) => r.engine))];
  return section(
    'schedulers',
    'Schedulers: lock-free run queues against one global lock',
    'The hypervisor\u2019s share of pCPU time (hv %) and throughput under rr (lock-free per-pCPU run queues) and global-lock (one run queue under one spinlock), ' +
      'on the contended workload with one VM of 2 vCPUs per pCPU, so that every slice ends in a switch through the run queue. Δ is global-lock\u2019s hv % minus rr\u2019s in percentage points; ' +
      'lock wait % is the part of global-lock\u2019s hv % spent waiting for its lock (on the virtual engine, the modelled wait). Medians over the runs.',
    engines.map((engine) => engineTable(rows.filter((r) => r.engine === engine))).join(''),
  );
}

export const schedulersSection: ReportSection = { id: 'schedulers', title: 'Schedulers', render: (results) => renderSchedulersSection(results.cases) };
