/** `spinvisor timeline TRACE.json --html FILE [--window FROM..TO | --from MS --to MS]`: a trace as a self-contained HTML page. */
import { basename } from 'node:path';
import { ConfigError } from '../config/schema.js';
import { HELP_OPTION, integerFlag, parseFlags } from '../io/flags.js';
import { checkOutputPath, writeTextAtomically } from '../io/output-file.js';
import { timeRangeFlags } from '../io/time-range.js';
import { renderTimelinePage } from '../report/timeline/page.js';
import { summarizeTimeline, summarySentence } from '../report/timeline/summary.js';
import { readTraceFile } from '../trace/read.js';
import { timelineHelp } from './help.js';
import type { CliIo } from './io.js';

const OPTIONS = {
  html: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  window: { type: 'string' },
  width: { type: 'string' },
  ...HELP_OPTION,
} as const;

const MIN_WIDTH_PX = 200;
const MAX_WIDTH_PX = 20_000;

export function timelineCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseFlags('timeline', args, OPTIONS);
  if (values.help) {
    io.out(timelineHelp());
    return 0;
  }
  if (positionals.length === 0) throw new ConfigError('timeline: expects a trace file (spinvisor timeline TRACE.json --html FILE)');
  if (positionals.length > 1) throw new ConfigError(`${positionals[1]}: unexpected argument (spinvisor timeline takes one trace file)`);
  if (values.html === undefined) throw new ConfigError('--html: expects the page to write (spinvisor timeline TRACE.json --html FILE)');
  const html = checkOutputPath(values.html, 'html');
  const range = timeRangeFlags(values);
  const widthPx = integerFlag('width', values.width);
  if (widthPx !== undefined && (widthPx < MIN_WIDTH_PX || widthPx > MAX_WIDTH_PX))
    throw new ConfigError(`--width: expected an integer from ${MIN_WIDTH_PX} to ${MAX_WIDTH_PX} (px), got ${widthPx}`);
  const trace = positionals[0]!;
  const model = readTraceFile(trace, range);
  writeTextAtomically(html, renderTimelinePage(model, { source: basename(trace), widthPx }), 'html');
  io.out(`timeline: ${html} (${model.lanes.length} lanes, ${model.flows.length} flows; ${summarySentence(summarizeTimeline(model))})`);
  return 0;
}
