import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { commonGitDir } from './repo-info.js';

const PATTERN = '/.chorus/worktrees/';

/**
 * Adds `/.chorus/worktrees/` to the repository's `.git/info/exclude` (once), so that the main
 * working tree never sees the task worktrees as untracked nested repositories.
 */
export async function excludeWorktrees(repoDir: string): Promise<void> {
  const file = path.join(await commonGitDir(repoDir), 'info', 'exclude');
  let text = '';
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (text.split('\n').some((line) => line.trim() === PATTERN)) return;
  await mkdir(path.dirname(file), { recursive: true });
  await appendFile(file, `${text.length > 0 && !text.endsWith('\n') ? '\n' : ''}# chorus: task worktrees\n${PATTERN}\n`);
}
