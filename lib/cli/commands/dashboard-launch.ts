import path from 'node:path';
import { UsageError } from '../../errors.js';
import type { LoadingScreen } from '../../dashboard/loading-screen.js';
import type { CliIO } from '../io.js';
import type { DashboardOptions } from './dashboard.js';

/**
 * `chorus dashboard`'s entry: draw, then fill. The first frame is plain text written before
 * anything else is loaded; then blessed and the loading screen, which says what is being done;
 * the command itself (the engine, the pool, the panels: most of
 * chorus's code, 0.1 to 0.3 s to load here) is imported after it is on the terminal, then reads
 * the tracker while the frame says so.
 */
export async function launchDashboard(opts: DashboardOptions, io: CliIO): Promise<number> {
  const terminal = io.terminal;
  if (!terminal) {
    throw new UsageError(
      'CHORUS_NOT_A_TERMINAL',
      'chorus dashboard draws on a terminal, and stdin or stdout is not one; to run the work without it use `chorus batch --all-ready` (--json for machine-readable events)',
    );
  }
  const repoDir = path.resolve(opts.dir ?? '.');
  const early = drawEarlyFrame(terminal.output, repoDir);
  let loading: LoadingScreen;
  try {
    // blessed, and its reading of the terminal's terminfo, are most of the time before a frame: the early frame is already up.
    const [{ openLoadingScreen }, { wantsColour }] = await Promise.all([import('../../dashboard/loading-screen.js'), import('../../dashboard/theme.js')]);
    loading = openLoadingScreen({ ...terminal, repoDir, colour: wantsColour(process.env), onInterrupt: io.onInterrupt });
  } catch (error) {
    early.undo();
    throw error;
  }
  try {
    loading.step('reading the tracker');
    const { dashboardCommand } = await import('./dashboard.js');
    return await dashboardCommand(opts, io, terminal, loading);
  } finally {
    // A start that failed or was quit before the grid took over: the terminal is given back before anything is printed.
    loading.close();
  }
}

/**
 * The very first frame, written as plain text before blessed is loaded: the alternate screen, the
 * cursor hidden, the loading screen's first two lines. The loading screen draws over it (the same
 * words) once blessed has read the terminal's description. `undo` gives the terminal back when
 * that fails.
 */
function drawEarlyFrame(output: NodeJS.WritableStream & { columns?: number }, repoDir: string): { undo(): void } {
  const width = Math.max(1, output.columns ?? 80);
  const fit = (text: string) => (text.length > width ? text.slice(0, width) : text);
  const repo = path.basename(repoDir) || repoDir;
  // Alternate screen, cursor hidden, home, clear; then the text, lines ended by CR LF (the terminal is not in raw mode yet).
  output.write(`\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J${fit(`chorus dashboard · ${repo} · starting`)}\r\n\r\n${fit('  … reading the tracker')}`);
  return { undo: () => output.write('\x1b[?25h\x1b[?1049l') };
}
