import type { BdVersion } from '../bd/bd-version.js';
import type { SettingSource } from '../config/load-config.js';
import type { Settings, SettingKey } from '../config/schema.js';
import { describeCommandProblem, type CommandProblem } from '../process/check-command.js';
import { formatDuration } from '../text/format-duration.js';
import type { RunLockLook } from '../state/peek-run-lock.js';
import type { BackendChoice } from '../repo/choose-backend.js';

/**
 * `chorus doctor`'s verdicts, from facts gathered beforehand (commands/doctor.ts): pure, so each
 * wording and status is decided in one place and can be tested without a repository.
 */
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  /** One line. */
  message: string;
  details: Record<string, unknown>;
}

/** An error as doctor reports it: its stable code and its message. */
export interface ErrorFact {
  code: string | null;
  message: string;
}

/** How a path is shown to the user (relative to where they are, when that is shorter). */
export type ShowPath = (file: string) => string;

/** The oldest Node chorus supports (package.json `engines`). */
export const MIN_NODE: readonly [number, number] = [20, 12];

export function versionsCheck(chorusVersion: string, nodeVersion: string): DoctorCheck {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  const tooOld = major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1]);
  const message = `${chorusVersion} on Node ${nodeVersion}${tooOld ? `: chorus needs Node ${MIN_NODE.join('.')} or later` : ''}`;
  return { name: 'chorus', status: tooOld ? 'warn' : 'ok', message, details: { version: chorusVersion, node: nodeVersion, minNode: MIN_NODE.join('.') } };
}

export interface ConfigFacts {
  /** Where `.chorus.json` is looked for. */
  path: string;
  /** The file read, or null when there is none (or it could not be used). */
  file: string | null;
  /** Why the settings could not be loaded as given. */
  error: ErrorFact | null;
  /** What the other checks use instead: `.chorus.json` without the flags (a flag was bad), or chorus's defaults. */
  fallback: 'file' | 'defaults' | null;
  settings: Settings;
  sources: Record<SettingKey, SettingSource>;
}

export function configCheck(facts: ConfigFacts, show: ShowPath): DoctorCheck {
  const details = { path: facts.path, file: facts.file, settings: facts.settings, sources: facts.sources, ...(facts.error ? { error: facts.error, fallback: facts.fallback } : {}) };
  if (facts.error) {
    const instead = facts.fallback === 'file' ? '.chorus.json without the flags' : "chorus's defaults";
    return { name: 'config', status: 'fail', message: `${joinLines(facts.error.message)} (the checks below use ${instead})`, details };
  }
  if (!facts.file) return { name: 'config', status: 'ok', message: `no ${show(facts.path)} (chorus's defaults apply)`, details };
  return { name: 'config', status: 'ok', message: `${show(facts.file)} read`, details };
}

export interface BackendFacts {
  choice: BackendChoice | null;
  /** Why none can be picked (chooseBackend's message). */
  error: ErrorFact | null;
  setting: Settings['backend'];
}

export function backendCheck(facts: BackendFacts): DoctorCheck {
  if (!facts.choice) {
    return { name: 'backend', status: 'fail', message: `none can be picked: ${joinLines(facts.error?.message ?? 'unknown reason')}`, details: { setting: facts.setting, kind: null, error: facts.error } };
  }
  const { kind, why, beadsDir, issuesFile, found } = facts.choice;
  return { name: 'backend', status: 'ok', message: `${kind} (${why})`, details: { setting: facts.setting, kind, why, beadsDir, issuesFile, found } };
}

export type TrackerFacts =
  | { kind: 'jsonl'; file: string; bytes: number; tasks: number; problems: number; loadMs: number }
  | { kind: 'bd'; beadsDir: string; command: string; tasks: number; problems: number; loadMs: number }
  | { kind: 'unread'; backend: 'jsonl' | 'bd' | null; error: ErrorFact | null };

export function trackerCheck(facts: TrackerFacts, show: ShowPath): DoctorCheck {
  if (facts.kind === 'unread') {
    const message = facts.error ? `cannot be read: ${joinLines(facts.error.message)}` : 'not read: no backend can be picked (see above)';
    return { name: 'tracker', status: 'fail', message, details: { ...facts } };
  }
  const tasks = plural(facts.tasks, 'task');
  if (facts.kind === 'jsonl') {
    const unread = facts.problems === 0 ? 'every line read' : `${plural(facts.problems, 'line')} chorus cannot read (kept as they are; \`chorus status\` names them)`;
    return {
      name: 'tracker',
      status: facts.problems === 0 ? 'ok' : 'warn',
      message: `${show(facts.file)}, ${plural(facts.bytes, 'byte')}, ${tasks}, ${unread}`,
      details: { ...facts },
    };
  }
  const unread = facts.problems === 0 ? '' : `, ${plural(facts.problems, 'entry', 'entries')} of \`bd list\` chorus cannot read`;
  return {
    name: 'tracker',
    status: facts.problems === 0 ? 'ok' : 'warn',
    message: `bd's database in ${show(facts.beadsDir)}/, ${tasks}${unread}, loaded in ${formatDuration(facts.loadMs)}`,
    details: { ...facts },
  };
}

export interface TaskFacts {
  /** Tasks by status (tombstones left out). */
  counts: Record<string, number>;
  /** Ready now, in dispatch order. */
  ready: string[];
  cycles: string[][];
}

const MAIN_STATUSES = ['open', 'in_progress', 'blocked', 'closed'] as const;

export function tasksCheck(facts: TaskFacts): DoctorCheck {
  const count = (status: string) => facts.counts[status] ?? 0;
  const parts = [`${count('open')} open`, `${facts.ready.length} ready now`, ...MAIN_STATUSES.slice(1).map((s) => `${count(s)} ${s}`)];
  for (const [status, n] of Object.entries(facts.counts)) if (!(MAIN_STATUSES as readonly string[]).includes(status)) parts.push(`${n} ${joinLines(status)}`);
  if (facts.cycles.length) parts.push(`${plural(facts.cycles.length, 'dependency cycle')} (its tasks never start; \`chorus graph\` shows it)`);
  return {
    name: 'tasks',
    status: facts.cycles.length ? 'warn' : 'ok',
    message: parts.join(', '),
    details: { counts: facts.counts, ready: facts.ready, cycles: facts.cycles },
  };
}

export interface BdFacts {
  /** Why bd matters here (backend "bd", a Dolt database in `.beads/`), or null when it does not. */
  neededBecause: string | null;
  setting: Settings['backend'];
  /** The backend chosen, if one could be. */
  chosen: 'jsonl' | 'bd' | null;
  command: string;
  /** Where the command was set, as a person would go and change it. */
  origin: string;
  /** The file it names, when found. */
  file: string | null;
  problem: CommandProblem | null;
  version: BdVersion | null;
  versionError: string | null;
}

export function bdCheck(facts: BdFacts, show: ShowPath): DoctorCheck {
  const details = { ...facts };
  if (facts.neededBecause === null) {
    return { name: 'bd', status: 'ok', message: `not needed here (.beads/ holds no Dolt database and backend is "${facts.setting}")`, details };
  }
  // Forced to jsonl over a Dolt database: chorus does not call bd, but writes what bd overwrites.
  const sidelined = facts.chosen === 'jsonl';
  const exportNote = sidelined ? `; but backend is "jsonl": chorus writes the JSONL file, which is only bd's export here, and bd's next export overwrites it` : '';
  if (facts.problem) {
    return { name: 'bd', status: sidelined ? 'warn' : 'fail', message: `${describeCommandProblem(facts.problem, facts.origin)}; needed because ${facts.neededBecause}${exportNote}`, details };
  }
  const where = facts.file && facts.file !== facts.command ? ` (${show(facts.file)})` : '';
  if (!facts.version) {
    return { name: 'bd', status: 'warn', message: `\`${facts.command}\`${where} found, but its version could not be read: ${joinLines(facts.versionError ?? 'no answer')}`, details };
  }
  const { version, build, schemaVersion } = facts.version;
  const extra = [build ? `build ${build}` : null, schemaVersion !== null ? `schema ${schemaVersion}` : null].filter(Boolean);
  return {
    name: 'bd',
    status: sidelined ? 'warn' : 'ok',
    message: `\`${facts.command}\`${where} ${version}${extra.length ? ` (${extra.join(', ')})` : ''}; needed because ${facts.neededBecause}${exportNote}`,
    details,
  };
}

export interface AgentFacts {
  command: string;
  source: SettingSource;
  /** Where to change it, for a problem's message. */
  origin: string;
  file: string | null;
  problem: CommandProblem | null;
  /** Whether an open runnable task would run it (the others name their own agent); null when the tracker was not read. */
  usedByOpenTasks: boolean | null;
}

const SET_BY: Record<SettingSource, string> = {
  flag: 'set by --agent-command',
  file: 'set in .chorus.json (orchestration.agentCommand)',
  default: "chorus's default (orchestration.agentCommand is not set)",
};

export function agentCheck(facts: AgentFacts, show: ShowPath): DoctorCheck {
  const details = { ...facts };
  if (facts.problem) {
    const unused = facts.usedByOpenTasks === false;
    const message = `${describeCommandProblem(facts.problem, facts.origin)}${unused ? '; but no open task would run it now (none is open, or each names its own agent)' : ''}`;
    return { name: 'agent', status: unused ? 'warn' : 'fail', message, details };
  }
  const where = facts.file && facts.file !== facts.command ? ` (${show(facts.file)})` : '';
  return { name: 'agent', status: 'ok', message: `\`${facts.command}\`${where} found, ${SET_BY[facts.source]}`, details };
}

/**
 * What batch writes (lib/cli/check-writable.ts, the very check batch makes before its lock):
 * the folders it checked, or the first one that cannot be written; neither when no backend could be picked.
 */
export type WritableFacts = { checked: { folder: string; holds: string }[]; error: null } | { checked: null; error: ErrorFact | null };

export function writableCheck(facts: WritableFacts, show: ShowPath): DoctorCheck {
  const name = 'writable';
  const details = { ...facts };
  if (facts.error) return { name, status: 'fail', message: `${joinLines(facts.error.message)}`, details };
  if (!facts.checked) return { name, status: 'warn', message: 'not checked: no backend can be picked (see above)', details };
  const folders = facts.checked.map((f) => `${show(f.folder)}/ (${f.holds})`).join(', ');
  return { name, status: 'ok', message: `batch can write ${folders}`, details };
}

export function lockCheck(look: RunLockLook, now: number, show: ShowPath): DoctorCheck {
  const name = 'run-lock';
  const file = show(look.file);
  if (look.kind === 'free') return { name, status: 'ok', message: `nobody holds it (${file})`, details: { ...look, held: false } };
  if (look.kind === 'unreadable') {
    return { name, status: 'fail', message: `${file} cannot be read (${joinLines(look.error)}): batch, run and retry would stop on it`, details: { ...look, held: null } };
  }
  const { holder, verdict, liveCommand } = look;
  const pid = holder ? `pid ${holder.holder.pid}` : 'a lock file chorus cannot read';
  const since = holder ? sinceText(holder.since, now) : '';
  const details = { file: look.file, held: verdict.kind === 'alive', holder, verdict, liveCommand };
  if (verdict.kind === 'alive' && verdict.checked) {
    const command = liveCommand ?? holder?.command;
    const what = [command ? `\`${command}\`` : null, since].filter(Boolean).join(', ');
    return { name, status: 'fail', message: `held by ${pid} (alive${what ? `: ${what}` : ''}): batch, run and retry are refused until it ends; the dashboard opens read-only`, details };
  }
  if (verdict.kind === 'alive') {
    const host = holder && holder.holder.host ? ` on ${holder.holder.host}` : '';
    return {
      name,
      status: 'fail',
      message: `held by ${pid}${host}, a process chorus cannot look at${since ? ` (${since})` : ''}; its lock was refreshed ${formatDuration(verdict.ageMs)} ago and is taken over once ${formatDuration(look.staleMs)} pass without a refresh`,
      details,
    };
  }
  const gone = verdict.checked ? 'which is gone' : `not refreshed for ${formatDuration(verdict.ageMs)}, so taken for gone`;
  return {
    name,
    status: 'warn',
    message: `left by ${pid}, ${gone}${since ? ` (${since})` : ''}: the next batch, run or retry takes it over and sets right what that run left`,
    details,
  };
}

export interface Verdict {
  canRun: boolean;
  message: string;
}

/** The last line: whether `chorus batch --all-ready` can run here (no check failed). */
export function verdict(checks: readonly DoctorCheck[], readyNow: number | null): Verdict {
  const failed = checks.filter((c) => c.status === 'fail').map((c) => c.name);
  const warned = checks.filter((c) => c.status === 'warn').length;
  if (failed.length) return { canRun: false, message: `chorus batch --all-ready cannot run here: see ${failed.join(', ')} above` };
  const what = readyNow === null ? '' : readyNow === 0 ? ', though nothing is ready now' : `: ${plural(readyNow, 'task')} ready now`;
  return { canRun: true, message: `chorus batch --all-ready can run here${what}${warned ? ` (${plural(warned, 'warning')} above)` : ''}` };
}

function sinceText(since: string, now: number): string {
  const at = Date.parse(since);
  return Number.isNaN(at) ? '' : `since ${since} (${formatDuration(Math.max(0, now - at))} ago)`;
}

/** A message of several lines (the config loader lists one problem a line) as one line. */
export function joinLines(text: string): string {
  const lines = text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter(Boolean);
  const [first = '', ...rest] = lines;
  return rest.length ? `${first} ${rest.join('; ')}` : first;
}

function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}

export interface WorkspaceFacts {
  workspace: 'shared' | 'worktree';
  /** worktree: whether the repository is a git repository, and the base (set, or the branch checked out; null when detached). */
  gitRepo?: boolean;
  baseBranch?: string | null;
  baseFromSettings?: boolean;
  /** worktree: worktrees chorus has left under .chorus/worktrees (blocked tasks keep theirs). */
  worktrees?: number;
  verify?: string[];
}

/** Where agents work, and for worktrees whether a batch can make them here. */
export function workspaceCheck(facts: WorkspaceFacts): DoctorCheck {
  const details = { ...facts };
  if (facts.workspace === 'shared') return { name: 'worktree', status: 'ok', message: 'not used: workspace is "shared", agents work in the repository\'s own checkout', details };
  if (!facts.gitRepo) return { name: 'worktree', status: 'fail', message: 'worktree, but this is not a git repository (git init, or set workspace to "shared")', details };
  if (!facts.baseBranch) return { name: 'worktree', status: 'fail', message: 'worktree, but HEAD is detached: check out the branch to merge into, or set baseBranch', details };
  const verify = facts.verify?.length ? `verify \`${facts.verify.join(' ')}\`` : 'no verify (the agent\'s exit 0 decides)';
  const left = facts.worktrees ? `; ${facts.worktrees} worktree(s) kept in .chorus/worktrees (\`chorus clean\` takes closed tasks')` : '';
  return { name: 'worktree', status: facts.verify?.length ? 'ok' : 'warn', message: `worktree: a branch per task, merged into ${facts.baseBranch}${facts.baseFromSettings ? '' : ' (checked out now)'}; ${verify}${left}`, details };
}
