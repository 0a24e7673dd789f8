import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface GitRepo {
  dir: string;
  /** Runs git in `cwd` (default: the repository) and returns its trimmed stdout; throws on failure. */
  git(args: string[], cwd?: string): string;
  /** Writes `file` (relative to `cwd`, default the repository) and commits it with `message`; returns the commit. */
  commitFile(file: string, content: string, message: string, cwd?: string): string;
  write(file: string, content: string, cwd?: string): void;
  cleanup(): void;
}

/** A real repository in os.tmpdir() on branch `main` with one commit (README.md), identity set locally unless `identity: false`. */
export function makeGitRepo(options: { identity?: boolean } = {}): GitRepo {
  const dir = mkdtempSync(path.join(tmpdir(), 'chorus-ws-'));
  const git = (args: string[], cwd = dir): string => execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const write = (file: string, content: string, cwd = dir): void => {
    const full = path.join(cwd, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  };
  git(['init', '-q', '-b', 'main']);
  if (options.identity !== false) {
    git(['config', 'user.name', 'Test Person']);
    git(['config', 'user.email', 'test@example.com']);
  }
  git(['config', 'commit.gpgsign', 'false']);
  const commitFile = (file: string, content: string, message: string, cwd = dir): string => {
    write(file, content, cwd);
    git(['add', '--', file], cwd);
    const identity = options.identity === false ? ['-c', 'user.name=Setup', '-c', 'user.email=setup@example.com'] : [];
    git([...identity, 'commit', '-q', '-m', message], cwd);
    return git(['rev-parse', 'HEAD'], cwd);
  };
  commitFile('README.md', 'hello\n', 'initial');
  return { dir, git, commitFile, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** argv of a verify command that exits with `code` after printing a line. */
export function nodeCommand(source: string): string[] {
  return [process.execPath, '-e', source];
}
