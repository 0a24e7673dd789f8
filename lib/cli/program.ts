import { Command, CommanderError, Option } from 'commander';
import { ChorusError, StoreError, UsageError } from '../errors.js';
import path from 'node:path';
import { checkRepoDir } from './check-repo-dir.js';
import { findRepo } from '../repo/find-repo.js';
import { flagName, SETTING_FLAGS, settingFlagsFrom, type FlagKey } from './commands/setting-flags.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

// Commands are imported when run, so `chorus ready` does not pay for loading the agent pool.

/** Parses argv, runs one command, and returns its exit code. Throws nothing a user caused: those become messages and code 2. */
export async function runCli(argv: string[], io: CliIO, version: string): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = buildProgram(io, version, (code) => (exitCode = code));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit 0; every parse problem is bad usage.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ChorusError) {
      io.stderr.write(`chorus: ${error.message}\n`);
      // Bad usage, config or tracker input is the user's to fix (2); anything else that stopped the run is 1.
      return error instanceof UsageError || error instanceof StoreError ? EXIT.usage : EXIT.failed;
    }
    throw error;
  }
}

function buildProgram(io: CliIO, version: string, setExit: (code: number) => void): Command {
  const program = new Command('chorus')
    .description('Run coding agents over the tasks of a Beads tracker, in dependency order, several at once.')
    .version(version)
    .option('-C, --dir <dir>', 'the repository to work in (default: the current directory)')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(chorus --help lists the commands)');

  const asked = () => program.opts<{ dir?: string }>().dir;
  // The repository every command works on: -C DIR or the working directory, or the nearest one above it (find-repo.ts).
  let repoDir: string | undefined;
  const dir = () => repoDir;
  program.hook('preAction', async () => {
    await checkRepoDir(asked());
    const start = path.resolve(asked() ?? process.cwd());
    const found = findRepo(start);
    repoDir = found.dir;
    // Said once, on stderr: --json output on stdout stays data.
    if (found.foundAbove) io.stderr.write(`chorus: using the repository at ${found.dir} (found ${found.foundAbove} above ${start})\n`);
  });
  const action =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) =>
      setExit(await fn(...args));
  // Every flag that overrides a setting is that key in kebab case (setting-flags.ts).
  const flagOptions = (cmd: Command, keys: readonly FlagKey[]) => {
    for (const key of keys) cmd.option(`${flagName(key)} ${SETTING_FLAGS[key].value}`, `${SETTING_FLAGS[key].help} (overrides ${key})`);
    if (keys.includes('redisUrl')) cmd.addOption(new Option('--redis <url>').hideHelp());
    return cmd;
  };
  const settingOptions = (cmd: Command) => flagOptions(cmd, Object.keys(SETTING_FLAGS) as FlagKey[]);
  // Every command that reads the tracker can be told where it lives.
  const backendOption = (cmd: Command) => flagOptions(cmd, ['backend']);

  backendOption(program.command('ready').description('list the tasks ready to start, in dispatch order').option('--json', 'a JSON array of task objects')).action(
    action(async (o: Record<string, unknown>) => (await import('./commands/ready.js')).readyCommand({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io)),
  );

  settingOptions(
    program
      .command('batch')
      .description('run every ready task, and what becomes ready, until nothing is left')
      .option('--all-ready', 'run all ready tasks (required)')
      .option('--dry-run', 'print the order tasks would start in; run and write nothing')
      .option('--json', 'one JSON event per line instead of text'),
  ).action(
    action(async (o: Record<string, unknown>) =>
      (await import('./commands/batch.js')).batchCommand({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io),
    ),
  );

  settingOptions(
    program.command('dashboard').description('a live grid over the run: tasks, agents, logs and events, with keys to start, pause, retry and kill'),
  ).action(
    action(async (o: Record<string, unknown>) =>
      (await import('./commands/dashboard-launch.js')).launchDashboard({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io),
    ),
  );

  settingOptions(
    program
      .command('run')
      .description('run these tasks now (refuses one that is not ready, unless --force)')
      .argument('<ids...>', 'task ids')
      .option('--force', 'run even if not ready')
      .option('--json', 'one JSON event per line'),
  ).action(
    action(async (ids: string[], o: Record<string, unknown>) =>
      (await import('./commands/run.js')).runCommand(ids, { ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io),
    ),
  );

  settingOptions(
    program
      .command('retry')
      .description('reopen blocked tasks (default: all that chorus blocked) and run them')
      .argument('[ids...]', 'task ids')
      .option('--no-run', 'only reopen them')
      .option('--json', 'one JSON event per line'),
  ).action(
    action(async (ids: string[], o: Record<string, unknown>) =>
      (await import('./commands/retry.js')).retryCommand(ids, { ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io),
    ),
  );

  backendOption(program.command('review').description('the verified branches awaiting review (mergeMode "review"), each with its diff stat').option('--json', 'as JSON')).action(
    action(async (o: Record<string, unknown>) => (await import('./commands/review.js')).reviewCommand({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io)),
  );

  backendOption(program.command('approve').description('merge a branch awaiting review through the merge queue, and close its task').argument('<id>', 'task id')).action(
    action(async (id: string, o: Record<string, unknown>) => (await import('./commands/approve.js')).approveCommand(id, { ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io)),
  );

  settingOptions(
    program
      .command('reject')
      .description('send a branch awaiting review back to its agent with the reason, and run it again')
      .argument('<id>', 'task id')
      .requiredOption('--reason <text>', 'what the agent is told')
      .option('--json', 'one JSON event per line'),
  ).action(
    action(async (id: string, o: Record<string, unknown>) => (await import('./commands/reject.js')).rejectCommand(id, { ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io)),
  );

  backendOption(
    program
      .command('logs')
      .description("print a task's agent output, all attempts")
      .argument('<id>', 'task id')
      .option('-f, --follow', 'keep printing while the task runs')
      .option('--raw', "the log's bytes as written, not the agent's output as a person reads it"),
  ).action(
    action(async (id: string, o: Record<string, unknown>) =>
      (await import('./commands/logs.js')).logsCommand(id, { ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io),
    ),
  );

  backendOption(program.command('status').description('counts, running and blocked tasks, cycles').option('--json', 'as JSON')).action(
    action(async (o: Record<string, unknown>) => (await import('./commands/status.js')).statusCommand({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io)),
  );

  backendOption(
    program
      .command('graph')
      .description('the dependency graph, cycles and critical path marked')
      .addOption(new Option('--format <format>', 'output format').choices(['text', 'dot', 'json']).default('text')),
  ).action(
    action(async (o: Record<string, unknown>) => (await import('./commands/graph.js')).graphCommand({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io)),
  );

  backendOption(program.command('clean').description('remove the worktrees and branches closed tasks left, and prune stale worktrees')).action(
    action(async (o: Record<string, unknown>) => (await import('./commands/clean.js')).cleanCommand({ dir: dir(), settingFlags: settingFlagsFrom(o) }, io)),
  );

  settingOptions(
    program.command('config').description('print the effective settings and where each came from').option('--json', 'as JSON'),
  ).action(action(async (o: Record<string, unknown>) => (await import('./commands/config.js')).configCommand({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io)));

  settingOptions(
    program
      .command('doctor')
      .description('what chorus sees here (settings, backend, tracker, bd, agent, run lock) and whether a batch can run; writes nothing')
      .option('--json', 'as JSON'),
  ).action(
    action(async (o: Record<string, unknown>) =>
      (await import('./commands/doctor.js')).doctorCommand({ ...o, dir: dir(), version, settingFlags: settingFlagsFrom(o) }, io),
    ),
  );

  settingOptions(
    program
      .command('worker')
      .description('run the jobs of a bullmq leader on this machine, in this clone, with its own settings (until Ctrl-C)')
      .option('--concurrency <n>', 'agents at once on this machine (default: maxAgents)')
      .option('--name <name>', 'how the leader names this worker (default: host name and pid)'),
  ).action(
    action(async (o: Record<string, unknown>) =>
      (await import('./commands/worker.js')).workerCommand({ ...o, dir: dir(), settingFlags: settingFlagsFrom(o) }, io),
    ),
  );

  program
    .command('init')
    .description('write a starting .chorus.json')
    .option('--force', 'replace an existing one')
    .action(action(async (o: { force?: boolean }) => (await import('./commands/init.js')).initCommand({ ...o, dir: dir() }, io)));

  return program;
}
