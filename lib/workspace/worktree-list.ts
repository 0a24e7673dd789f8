import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { git } from './git.js';

export interface WorktreeEntry {
  /** As git recorded it (absolute). */
  path: string;
  head: string | null;
  /** Short branch name, or null when detached. */
  branch: string | null;
  bare: boolean;
  /** Its folder is gone (git would prune it). */
  prunable: boolean;
}

/** `git worktree list --porcelain`, parsed; the first entry is the main working tree. */
export async function listWorktrees(repoDir: string): Promise<WorktreeEntry[]> {
  const text = await git(repoDir, ['worktree', 'list', '--porcelain']);
  const entries: WorktreeEntry[] = [];
  let current: WorktreeEntry | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('worktree ')) {
      current = { path: line.slice('worktree '.length), head: null, branch: null, bare: false, prunable: false };
      entries.push(current);
    } else if (!current) {
      continue;
    } else if (line.startsWith('HEAD ')) {
      current.head = line.slice('HEAD '.length);
    } else if (line.startsWith('branch ')) {
      const ref = line.slice('branch '.length);
      current.branch = ref.startsWith('refs/heads/') ? ref.slice('refs/heads/'.length) : ref;
    } else if (line === 'bare') {
      current.bare = true;
    } else if (line.startsWith('prunable')) {
      current.prunable = true;
    }
  }
  return entries;
}

/** A path with symlinks resolved where it exists (os.tmpdir() is a symlink on macOS), for comparisons. */
export async function canonicalPath(p: string): Promise<string> {
  const abs = path.resolve(p);
  try {
    return await realpath(abs);
  } catch {
    // Gone: resolve the parent, which usually still exists.
    try {
      return path.join(await realpath(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

/** The entry whose folder is `dir`, if git knows one. */
export async function findWorktree(repoDir: string, dir: string): Promise<WorktreeEntry | undefined> {
  const want = await canonicalPath(dir);
  for (const entry of await listWorktrees(repoDir)) {
    if ((await canonicalPath(entry.path)) === want) return entry;
  }
  return undefined;
}
