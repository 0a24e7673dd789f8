import path from 'node:path';

const chains = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call for the same repository has settled. `git worktree add`,
 * `remove` and `prune` are not safe side by side (one reads `.git/worktrees/<name>` while another
 * is still writing it: "failed to read .git/worktrees/t3/commondir"), so chorus, which makes
 * worktrees for several tasks at once, runs them one at a time per repository.
 */
export function serialPerRepo<T>(repoDir: string, fn: () => Promise<T>): Promise<T> {
  const key = path.resolve(repoDir);
  const run = (chains.get(key) ?? Promise.resolve()).then(fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  chains.set(key, settled);
  void settled.then(() => {
    if (chains.get(key) === settled) chains.delete(key);
  });
  return run;
}
