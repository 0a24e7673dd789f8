import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** What the figures were measured on and of: they mean little without it. */
export interface Machine {
  cpu: string;
  cores: number;
  memoryGb: number;
  os: string;
  node: string;
  date: string;
  /** The chorus commit measured, "+ changes" when the working tree differs from it. */
  commit: string;
}

export function describeMachine(repoDir: string): Machine {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus.length,
    memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    date: new Date().toISOString(),
    commit: describeCommit(repoDir),
  };
}

function describeCommit(repoDir: string): string {
  const git = (...args: string[]) => execFileSync('git', ['-C', repoDir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    return git('status', '--porcelain', '--untracked-files=no') === '' ? commit : `${commit} + uncommitted changes`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function formatMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, ${m.os}, Node ${m.node}, ${m.date}, chorus ${m.commit}`;
}
