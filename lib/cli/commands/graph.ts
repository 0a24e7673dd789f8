import { UsageError } from '../../errors.js';
import { renderDot, renderJson, renderText } from '../../graph/index.js';
import { EXIT } from '../exit-codes.js';
import type { CliIO } from '../io.js';
import { openRepo } from '../open-repo.js';
import type { SettingFlags } from './setting-flags.js';

export interface GraphOptions extends SettingFlags {
  dir?: string;
  format?: string;
}

/** `chorus graph`: the dependency graph with cycles and the critical path marked. */
export async function graphCommand(opts: GraphOptions, io: CliIO): Promise<number> {
  const format = opts.format ?? 'text';
  if (!['text', 'dot', 'json'].includes(format)) {
    throw new UsageError('CHORUS_USAGE', `--format: expected one of text, dot, json, got "${format}"`);
  }
  const { graph } = await openRepo(opts.dir, opts.settingFlags ?? {}, io, { readOnly: true });
  const now = Date.now();
  const out = format === 'dot' ? renderDot(graph, now) : format === 'json' ? renderJson(graph, now) : renderText(graph, now);
  io.stdout.write(out.endsWith('\n') ? out : `${out}\n`);
  return EXIT.ok;
}
