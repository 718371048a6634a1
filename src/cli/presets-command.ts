/** `spinvisor presets`: what ships, in a few lines each: the presets, then the named systems that `--system` applies to them. */
import { DEFAULT_PRESET, listPresets } from '../config/presets.js';
import { distinct, vmShape } from '../report/scenario-summary.js';
import { ConfigError } from '../config/schema.js';
import { SYSTEMS, guestSummary, hostSummary, schedulerSummary } from '../config/systems.js';
import { renderTable } from '../report/text-table.js';
import { HELP_OPTION, parseFlags } from '../io/flags.js';
import { PRESETS_HELP } from './help.js';
import type { CliIo } from './io.js';

export function presetsCommand(args: readonly string[], io: CliIo): number {
  const { values, positionals } = parseFlags('presets', args, HELP_OPTION);
  if (values.help) {
    io.out(PRESETS_HELP);
    return 0;
  }
  if (positionals.length > 0) throw new ConfigError(`${positionals[0]}: unexpected argument (spinvisor presets takes none)`);
  const presets = listPresets();
  const width = Math.max(...presets.map((p) => p.name.length)) + 2;
  const blocks = presets.map(({ name, config }) => {
    const shape =
      config.mode === 'bare'
        ? `${config.pcpus} pCPUs bare metal`
        : `${config.pcpus} pCPUs · ${vmShape(config)} · ${distinct(config.vms.map((vm) => vm.workload.lock))} · ${distinct(config.vms.map((vm) => vm.policy))}`;
    const usedByDefault = name === DEFAULT_PRESET ? ' · used when no scenario is named' : '';
    return `${name.padEnd(width)}${shape} · ${config.durationMs} ms${usedByDefault}\n${' '.repeat(width)}${config.description}`;
  });
  io.out(blocks.join('\n'));
  io.out(`\nSystems (--system NAME applies one to any preset or file; compare --systems a,b runs each):\n${systemsTable()}`);
  return 0;
}

/** The named systems, one row each: what the guest and the host do. */
function systemsTable(): string {
  return renderTable(
    [
      { header: 'system', cell: (s) => s.name, align: 'left' },
      { header: 'lock · policy', cell: (s) => guestSummary(s), align: 'left' },
      { header: 'scheduler', cell: (s) => schedulerSummary(s), align: 'left' },
      { header: 'host side', cell: (s) => hostSummary(s), align: 'left' },
      { header: 'what it is', cell: (s) => s.summary, align: 'left' },
    ],
    SYSTEMS,
  );
}
