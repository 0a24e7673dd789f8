import { openLoadingScreen } from '../../dashboard/loading-screen.js';
import { wantsColour } from '../../dashboard/theme.js';
import { UsageError } from '../../errors.js';
import type { CliIO } from '../io.js';
import type { DashboardOptions } from './dashboard.js';

/**
 * `chorus dashboard`'s entry: draw, then fill. Only the screen is loaded before the first frame
 * (blessed and the loading screen); the command itself (the engine, the pool, the panels: most of
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
  const loading = openLoadingScreen({ ...terminal, repoDir: opts.dir ?? process.cwd(), colour: wantsColour(process.env), onInterrupt: io.onInterrupt });
  try {
    loading.step('reading the tracker');
    const { dashboardCommand } = await import('./dashboard.js');
    return await dashboardCommand(opts, io, terminal, loading);
  } finally {
    // A start that failed or was quit before the grid took over: the terminal is given back before anything is printed.
    loading.close();
  }
}
