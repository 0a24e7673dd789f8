// A temporary repository made a git repository for the worktree tests: branch main, one commit
// (shared.txt and a .gitignore that keeps chorus's and the tracker's files out of git).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TempRepo } from './temp-repo.js';

export const git = (dir: string, ...args: string[]) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8' }).trim();

/** A committer identity for a repository (or a clone) made in a test. */
export function identify(dir: string): void {
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
}

/** `git init` in `repo.dir` on branch main, an identity, and the base commit. */
export function initGitRepo(repo: TempRepo): TempRepo {
  git(repo.dir, 'init', '-q', '-b', 'main');
  identify(repo.dir);
  writeFileSync(path.join(repo.dir, '.gitignore'), '.beads/\n.chorus/\n.chorus.json\n');
  writeFileSync(path.join(repo.dir, 'shared.txt'), 'line 1\nline 2\n');
  git(repo.dir, 'add', '-A');
  git(repo.dir, 'commit', '-q', '-m', 'base');
  return repo;
}
