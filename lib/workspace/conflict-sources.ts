import { git, runGit, splitLines } from './git.js';

/**
 * The tasks whose commits on the base changed `files` since `branch` started from it: chorus's
 * merges are the task commits themselves, whose messages start with `<id>: ` (a commit whose
 * message does not is a person's, and names no task). In the order they landed, each once.
 */
export async function tasksThatChanged(repoDir: string, branch: string, base: string, files: readonly string[]): Promise<string[]> {
  if (files.length === 0) return [];
  const start = (await git(repoDir, ['merge-base', branch, base])).trim();
  const subjects = splitLines(await git(repoDir, ['log', '--reverse', '--format=%s', `${start}..${base}`, '--', ...files]));
  const ids = subjects.map((subject) => /^([A-Za-z0-9][\w.-]*): /.exec(subject)?.[1]).filter((id): id is string => id !== undefined);
  return [...new Set(ids)];
}

/** Whether `branch` contains `commit` (`git merge-base --is-ancestor`); false when either is unknown. */
export async function branchContains(repoDir: string, branch: string, commit: string): Promise<boolean> {
  const out = await runGit(repoDir, ['merge-base', '--is-ancestor', commit, `refs/heads/${branch}`]);
  return out.code === 0;
}
