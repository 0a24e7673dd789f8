import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Settings } from '../config/schema.js';
import { signalGroup } from '../process/kill-group.js';
import type { DoctorCheck } from './doctor-checks.js';

/** What no check before a run can know: the first run tells, and chorus then stops that agent for the batch. */
const UNKNOWABLE = 'not knowable before a run: whether its API is reachable, billing and usage limits, the model';

/** The whole check answers within this, however the agent behaves: doctor must stay quick. */
const TIME_BOX_MS = 5000;

/** What `claude auth status` printed, when it could be read. */
export type LoginFacts =
  | { kind: 'not-checked'; agent: Settings['agent']; command: string }
  | { kind: 'no-auth-command'; command: string }
  | { kind: 'no-answer'; command: string; step: string; timedOut: boolean; started: boolean; exitCode: number | null; said: string }
  | { kind: 'status'; command: string; loggedIn: boolean; authMethod: string | null; apiProvider: string | null; subscription: string | null; exitCode: number | null };

/**
 * `chorus doctor`'s login line: for the claude preset, what `claude auth status` says (recent
 * claude CLIs have it; an older one is asked `claude auth --help` first, so it is never started as
 * a session), time-boxed; for the others, plainly that chorus cannot know before a run. Only a
 * command named `claude` is asked: chorus does not run some other program (the demo's simulated
 * claude) with arguments it was not made for.
 */
export async function agentLoginCheck(settings: Settings, usedByOpenTasks: boolean | null): Promise<DoctorCheck> {
  return loginVerdict(await loginFacts(settings), usedByOpenTasks);
}

async function loginFacts(settings: Settings): Promise<LoginFacts> {
  const command = settings.agentCommand;
  if (settings.agent !== 'claude' || path.basename(command) !== 'claude') return { kind: 'not-checked', agent: settings.agent, command };
  const env = { ...process.env, ...settings.agentEnv };
  const deadline = Date.now() + TIME_BOX_MS;
  const help = await ask(command, ['auth', '--help'], env, deadline);
  if (help.timedOut || help.error) return { kind: 'no-answer', command, step: `${command} auth --help`, timedOut: help.timedOut, started: !help.error, exitCode: help.exitCode, said: firstLine(help.error ?? help.stdout) };
  if (!/^\s*status\b/m.test(help.stdout) || !/claude auth/.test(help.stdout)) return { kind: 'no-auth-command', command };
  const status = await ask(command, ['auth', 'status'], env, deadline);
  const json = readObject(status.stdout);
  if (status.timedOut || !json || typeof json['loggedIn'] !== 'boolean') {
    return { kind: 'no-answer', command, step: `${command} auth status`, timedOut: status.timedOut, started: !status.error, exitCode: status.exitCode, said: firstLine(status.error ?? (status.stdout || status.stderr)) };
  }
  const text = (key: string) => (typeof json[key] === 'string' ? (json[key] as string) : null);
  return { kind: 'status', command, loggedIn: json['loggedIn'], authMethod: text('authMethod'), apiProvider: text('apiProvider'), subscription: text('subscriptionType'), exitCode: status.exitCode };
}

/** The verdict, pure: a person reads one line. */
export function loginVerdict(facts: LoginFacts, usedByOpenTasks: boolean | null): DoctorCheck {
  const details = { ...facts };
  switch (facts.kind) {
    case 'not-checked': {
      const why = facts.agent === 'claude' ? `agentCommand is \`${facts.command}\`, not claude's own CLI, and chorus does not run it to ask` : `chorus cannot ask ${facts.agent === 'custom' ? 'a custom agent' : facts.agent} whether it is logged in`;
      return { name: 'login', status: 'ok', message: `not checked: ${why}; a run that says it cannot work stops that agent for the batch`, details };
    }
    case 'no-auth-command':
      return { name: 'login', status: 'warn', message: `not checked: this \`${facts.command}\` has no \`claude auth status\` (an older claude); a run that says it cannot work stops claude for the batch`, details };
    case 'no-answer': {
      // A command that cannot start is the agent check's failure: said there, not counted twice.
      if (!facts.started) return { name: 'login', status: 'ok', message: `not checked: \`${facts.command}\` could not be run (${facts.said}; see agent above)`, details };
      const how = facts.timedOut
        ? `did not answer within ${TIME_BOX_MS / 1000} s`
        : `answered nothing chorus can read (exit ${facts.exitCode ?? 'none'}${facts.said ? `: ${facts.said}` : ''})`;
      return { name: 'login', status: 'warn', message: `not checked: \`${facts.step}\` ${how}`, details };
    }
    case 'status': {
      if (!facts.loggedIn) {
        const unused = usedByOpenTasks === false;
        const message = `claude is not logged in (\`claude auth status\`): run \`claude /login\` (or \`claude auth login\`) as this user, or set ANTHROPIC_API_KEY; a batch would only put its tasks back to open${unused ? '; but no open task would run it now' : ''}`;
        return { name: 'login', status: unused ? 'warn' : 'fail', message, details };
      }
      const how = [facts.authMethod, facts.apiProvider, facts.subscription].filter((s): s is string => s !== null && s !== '' && s !== 'none').join(', ');
      return { name: 'login', status: 'ok', message: `claude is logged in${how ? ` (${how})` : ''}, says \`claude auth status\`; ${UNKNOWABLE}`, details };
    }
  }
}

interface Answer {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  timedOut: boolean;
  error?: string;
}

/**
 * Runs the agent's CLI with stdin closed (claude would wait on it), in a process group of its own
 * that is ended when the time is up: an answer, or `timedOut`, by the deadline, never later.
 */
function ask(command: string, args: string[], env: NodeJS.ProcessEnv, deadline: number): Promise<Answer> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let settled = false;
    const done = (answer: Omit<Answer, 'stdout' | 'stderr'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ stdout, stderr, ...answer });
    };
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
      done({ exitCode: null, timedOut: true });
    }, Math.max(0, deadline - Date.now()));
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = (stdout + d).slice(0, 64 * 1024)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(0, 64 * 1024)));
    child.on('error', (error) => done({ exitCode: null, timedOut: false, error: error.message }));
    child.on('close', (code) => done({ exitCode: code, timedOut: false }));
  });
}

/** The JSON object in what a CLI printed (a line of text may come before it). */
function readObject(text: string): Record<string, unknown> | null {
  const start = text.indexOf('{');
  const end = text.lastIndexOf('}');
  if (start < 0 || end < start) return null;
  try {
    const value: unknown = JSON.parse(text.slice(start, end + 1));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]?.trim().slice(0, 200) ?? '';
}
