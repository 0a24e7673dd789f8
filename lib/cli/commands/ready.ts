import { writeLine, type CliIO } from '../io.js';
import { openRepo } from '../open-repo.js';
import { formatTaskRow, rowWidths } from '../format-task.js';
import { EXIT } from '../exit-codes.js';
import type { SettingFlags } from './setting-flags.js';

export interface ReadyOptions extends SettingFlags {
  dir?: string;
  json?: boolean;
}

/** `chorus ready`: the tasks that could start now, in dispatch order. */
export async function readyCommand(opts: ReadyOptions, io: CliIO): Promise<number> {
  const { graph } = await openRepo(opts.dir, opts.settingFlags ?? {}, io, { readOnly: true });
  const ready = graph.readyTasks(Date.now());
  if (opts.json) {
    io.stdout.write(`${JSON.stringify(ready.map((t) => t.raw))}\n`);
    return EXIT.ok;
  }
  if (ready.length === 0) writeLine(io.stdout, 'Nothing is ready.');
  const widths = rowWidths(ready);
  for (const task of ready) writeLine(io.stdout, formatTaskRow(task, widths));
  for (const cycle of graph.cycles()) writeLine(io.stderr, `cycle (never started): ${cycle.join(' -> ')}`);
  return EXIT.ok;
}
