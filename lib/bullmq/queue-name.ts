import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import path from 'node:path';

/**
 * The queue a leader and its workers share. Set (`queue`), or made from the repository's
 * `origin` URL, the same in every clone of it (`chorus-shop-3f2a9c1b`), or else from its
 * folder's name. Only letters, digits, `.`, `_` and `-` (BullMQ's keys are `bull:<queue>:...`).
 */
export function queueNameFor(repoDir: string, setting: string): string {
  if (setting !== '') return clean(setting);
  const origin = originUrl(repoDir);
  if (origin) {
    const base = origin.replace(/\.git$/, '').split(/[/:]/).filter(Boolean).at(-1) ?? 'repo';
    const hash = createHash('sha256').update(normalizeRemote(origin)).digest('hex').slice(0, 8);
    return clean(`chorus-${base}-${hash}`);
  }
  return clean(`chorus-${path.basename(path.resolve(repoDir))}`);
}

function clean(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 100) || 'chorus';
}

function originUrl(repoDir: string): string | null {
  try {
    return execFileSync('git', ['-C', repoDir, 'remote', 'get-url', 'origin'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 5_000 }).trim() || null;
  } catch {
    return null;
  }
}

/** The same repository whatever way it is spelled: `git@host:a/b.git`, `https://host/a/b`, `/srv/a/b.git`. */
function normalizeRemote(url: string): string {
  return url
    .replace(/^[a-z+]+:\/\//, '')
    .replace(/^[^@/]*@/, '')
    .replace(/:(?!\d)/, '/')
    .replace(/\.git$/, '')
    .replace(/\/+$/, '');
}
