import { runGit } from './git.js';

export const FALLBACK_NAME = 'chorus';
export const FALLBACK_EMAIL = 'chorus@localhost';

/**
 * `-c user.name=chorus -c user.email=chorus@localhost` (only the missing ones) when git could not
 * tell who commits in `dir`; empty when the repository's own identity works. Prepend to a git
 * command that makes commits (commit, rebase) so it never fails for lack of an identity.
 */
export async function identityArgs(dir: string): Promise<string[]> {
  const [author, committer] = await Promise.all([runGit(dir, ['var', 'GIT_AUTHOR_IDENT']), runGit(dir, ['var', 'GIT_COMMITTER_IDENT'])]);
  if (author.code === 0 && committer.code === 0) return [];
  const [name, email] = await Promise.all([runGit(dir, ['config', 'user.name']), runGit(dir, ['config', 'user.email'])]);
  const args: string[] = [];
  if (name.code !== 0 || name.stdout.trim() === '') args.push('-c', `user.name=${FALLBACK_NAME}`);
  if (email.code !== 0 || email.stdout.trim() === '') args.push('-c', `user.email=${FALLBACK_EMAIL}`);
  return args;
}
