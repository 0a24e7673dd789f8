import { execFile } from 'node:child_process';
import { ChorusError } from '../errors.js';

export interface GitOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Variables a git hook or an outer git command may have set; they would point our git elsewhere. */
const INHERITED_GIT_VARIABLES = ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_PREFIX', 'GIT_OBJECT_DIRECTORY'];

function gitEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true' };
  for (const name of INHERITED_GIT_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/**
 * Runs `git -C cwd ...args` (no shell) and resolves with its exit code and output; never rejects
 * for a non-zero exit. `env` is set on top (a temporary index, an author), never inherited.
 */
export function runGit(cwd: string, args: readonly string[], env?: Record<string, string>): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    execFile('git', ['-C', cwd, ...args], { env: gitEnv(env), maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error && typeof (error as { code?: unknown }).code !== 'number') {
        reject(new ChorusError('CHORUS_GIT_FAILED', `could not run git ${args.join(' ')} in ${cwd}: ${error.message}`, { cause: error }));
        return;
      }
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Like runGit, but a non-zero exit throws ChorusError CHORUS_GIT_FAILED with git's stderr. Resolves with stdout. */
export async function git(cwd: string, args: readonly string[], env?: Record<string, string>): Promise<string> {
  const out = await runGit(cwd, args, env);
  if (out.code !== 0) throw gitFailed(cwd, args, out);
  return out.stdout;
}

export function gitFailed(cwd: string, args: readonly string[], out: GitOutput): ChorusError {
  const said = (out.stderr.trim() || out.stdout.trim()).split('\n').slice(-10).join('\n');
  return new ChorusError('CHORUS_GIT_FAILED', `git ${args.join(' ')} failed in ${cwd} (exit ${out.code}): ${said}`);
}

/** Splits NUL-separated git output (`-z`) into its non-empty parts. */
export function splitNul(text: string): string[] {
  return text.split('\0').filter((part) => part.length > 0);
}

export function splitLines(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/** stdout of `git -C cwd ...args` as bytes (blob contents), or null when git fails. */
export function gitBytes(cwd: string, args: readonly string[]): Promise<Buffer | null> {
  return new Promise((resolve) => {
    execFile('git', ['-C', cwd, ...args], { env: gitEnv(), maxBuffer: 256 * 1024 * 1024, encoding: 'buffer' }, (error, stdout) => {
      resolve(error ? null : stdout);
    });
  });
}
