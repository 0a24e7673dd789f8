import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { commitLeftovers, ensureWorktree } from '../../lib/workspace/index.js';
import { makeGitRepo, type GitRepo } from './git-repo.js';

let repo: GitRepo;
const saved = { GIT_CONFIG_GLOBAL: process.env.GIT_CONFIG_GLOBAL, GIT_CONFIG_NOSYSTEM: process.env.GIT_CONFIG_NOSYSTEM };
afterEach(() => {
  repo?.cleanup();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe('commitLeftovers', () => {
  it('commits modified and untracked files (not ignored ones) with the message; null when clean', async () => {
    repo = makeGitRepo();
    repo.commitFile('.gitignore', 'build/\n', 'ignore build');
    const wt = await ensureWorktree(repo.dir, 'bd-1', 'main');
    expect(await commitLeftovers(wt.dir, 'nothing')).toBeNull();
    repo.write('README.md', 'changed\n', wt.dir);
    repo.write('new/deep/file.txt', 'new\n', wt.dir);
    repo.write('build/out.js', 'ignored\n', wt.dir);
    const sha = await commitLeftovers(wt.dir, 'bd-1: leftovers');
    expect(sha).toBe(repo.git(['rev-parse', 'chorus/bd-1']));
    expect(repo.git(['log', '-1', '--format=%s|%an|%ae', sha!])).toBe('bd-1: leftovers|Test Person|test@example.com');
    expect(repo.git(['show', '--name-only', '--format=', sha!]).split('\n').sort()).toEqual(['README.md', 'new/deep/file.txt']);
    expect(repo.git(['status', '--porcelain', '--untracked-files=all'], wt.dir)).toBe('');
    expect(await commitLeftovers(wt.dir, 'again')).toBeNull();
  });

  it('commits as chorus <chorus@localhost> when git knows no identity', async () => {
    repo = makeGitRepo({ identity: false });
    const emptyConfig = path.join(repo.dir, '.git', 'empty-global-config');
    writeFileSync(emptyConfig, '');
    process.env.GIT_CONFIG_GLOBAL = emptyConfig;
    process.env.GIT_CONFIG_NOSYSTEM = '1';
    const wt = await ensureWorktree(repo.dir, 'bd-2', 'main');
    repo.write('x.txt', 'x\n', wt.dir);
    const sha = await commitLeftovers(wt.dir, 'anonymous');
    expect(repo.git(['log', '-1', '--format=%an|%ae|%cn|%ce', sha!])).toBe('chorus|chorus@localhost|chorus|chorus@localhost');
  });
});
