import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

afterEach(async () => {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

/** A fresh `.beads/issues.jsonl` in its own temp dir, removed after the test. */
export async function issuesFileWith(content: string | Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-beads-'));
  made.push(dir);
  const path = join(dir, 'issues.jsonl');
  await writeFile(path, content);
  return path;
}

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'chorus-beads-'));
  made.push(dir);
  return dir;
}

