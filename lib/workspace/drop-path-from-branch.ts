import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { git, splitLines } from './git.js';
import { gitDirOf, headCommit } from './repo-info.js';

/**
 * Rewrites the commits `start..HEAD` of the branch checked out in worktree `dir` so that none of
 * them changes `file` (a path relative to the worktree): in each, `file` holds what it held at
 * `start`, or is absent where `start` had none. A commit that changed nothing else is dropped;
 * every other keeps its author, committer, dates and message. The first-parent line is followed
 * (the merge step flattens the branch anyway). The index must already hold `file` as at `start`
 * (restoreTrackerCopy): the branch then moves by `reset --soft`, and the index and the working tree
 * stay as they are, uncommitted changes included.
 * Resolves with the number of commits dropped, or null when no commit touched `file`.
 * Throws CHORUS_GIT_FAILED.
 */
export async function dropPathFromBranch(dir: string, start: string, file: string): Promise<number | null> {
  if ((await git(dir, ['rev-list', '--count', `${start}..HEAD`, '--', file])).trim() === '0') return null;
  const commits = splitLines(await git(dir, ['rev-list', '--reverse', '--first-parent', `${start}..HEAD`]));
  const entry = (await git(dir, ['ls-tree', '-z', start, '--', file])).replace(/\0$/, '');
  const gitDir = await gitDirOf(dir);
  const index = path.join(gitDir, 'chorus-drop-path.index');
  const messageFile = path.join(gitDir, 'chorus-drop-path.msg');
  const withIndex = { GIT_INDEX_FILE: index };
  let parent = (await git(dir, ['rev-parse', `${commits[0]}^`])).trim();
  let dropped = 0;
  try {
    for (const commit of commits) {
      await git(dir, ['read-tree', commit], withIndex);
      if (entry) {
        const [mode, , blob] = entry.split('\t')[0]!.split(' ');
        await git(dir, ['update-index', '--add', '--cacheinfo', `${mode},${blob},${file}`], withIndex);
      } else {
        await git(dir, ['update-index', '--force-remove', '--', file], withIndex);
      }
      const tree = (await git(dir, ['write-tree'], withIndex)).trim();
      if (tree === (await treeOf(dir, parent))) {
        dropped++;
        continue; // it changed only `file`
      }
      const [original, originalParent] = await Promise.all([treeOf(dir, commit), git(dir, ['rev-parse', `${commit}^`])]);
      if (tree === original && parent === originalParent.trim()) {
        parent = commit; // untouched, and so far nothing before it was rewritten
        continue;
      }
      parent = await recommit(dir, commit, tree, parent, messageFile);
    }
  } finally {
    await rm(index, { force: true });
    await rm(messageFile, { force: true });
  }
  if (parent !== (await headCommit(dir))) await git(dir, ['reset', '--soft', '--quiet', parent]);
  return dropped;
}

async function treeOf(dir: string, commit: string): Promise<string> {
  return (await git(dir, ['rev-parse', `${commit}^{tree}`])).trim();
}

/** A copy of `commit` with tree `tree` on `parent`: same author, committer, dates and message. */
async function recommit(dir: string, commit: string, tree: string, parent: string, messageFile: string): Promise<string> {
  const [an, ae, ad, cn, ce, cd] = (await git(dir, ['log', '-1', '--date=raw', '--format=%an%x00%ae%x00%ad%x00%cn%x00%ce%x00%cd', commit])).replace(/\n$/, '').split('\0');
  // The message exactly as stored: what follows the commit object's header.
  const object = await git(dir, ['cat-file', 'commit', commit]);
  await writeFile(messageFile, object.slice(object.indexOf('\n\n') + 2));
  const env = { GIT_AUTHOR_NAME: an!, GIT_AUTHOR_EMAIL: ae!, GIT_AUTHOR_DATE: ad!, GIT_COMMITTER_NAME: cn!, GIT_COMMITTER_EMAIL: ce!, GIT_COMMITTER_DATE: cd! };
  return (await git(dir, ['commit-tree', tree, '-p', parent, '-F', messageFile], env)).trim();
}
