import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JournalEntry } from '../../lib/journal/entries.js';
import { identityOf, selfIdentity, type ProcessIdentity } from '../../lib/process/process-identity.js';
import { AGENTS } from './temp-repo.js';

/** The identity a process had, once it has exited: its pid is free (until reused). */
export function deadIdentity(): ProcessIdentity {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(require("fs").readFileSync("/proc/self/stat","latin1"))'], { encoding: 'utf8' });
  const fields = child.stdout.slice(child.stdout.lastIndexOf(')') + 2).split(' ');
  return { ...selfIdentity(), pid: Number(child.stdout.split(' ')[0]), start: fields[19]! };
}

/** `hang.js` leading a process group of its own, as chorus starts an agent. Ended with `end()`. */
export async function startGroupLeader(): Promise<{ child: ChildProcess; identity: ProcessIdentity; end(): void }> {
  const child = spawn(path.join(AGENTS, 'hang.js'), [], { detached: true, stdio: 'ignore' });
  await new Promise((resolve) => child.once('spawn', resolve));
  return {
    child,
    identity: identityOf(child.pid!),
    end: () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** Writes `.chorus/journal.jsonl` as a chorus would have left it. */
export function writeJournal(repoDir: string, entries: JournalEntry[]): string {
  const file = path.join(repoDir, '.chorus', 'journal.jsonl');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''));
  return file;
}
