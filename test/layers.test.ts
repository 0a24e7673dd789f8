import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ROOT } from './helpers/temp-repo.js';

// The layer check (issue 18): scripts/check-layers.mjs run as a real process on small trees this
// file writes, each made to show one thing the check must see or must not be fooled by.
const SCRIPT = path.join(ROOT, 'scripts', 'check-layers.mjs');
const trees: string[] = [];

/** A scratch repository holding these files (path relative to its root -> text). */
function writeTree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'chorus-layers-'));
  trees.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

function checkLayers(root: string, ...args: string[]) {
  const run = spawnSync(process.execPath, [SCRIPT, root, ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

interface Report {
  ok: boolean;
  ladder: { folder: string; floor: number; files: number; imports: string[] }[];
  problems: { kind: string; cycle: string[]; arrows: { from: string; to: string; imports: { file: string; line: number; names: string[] }[] }[] }[];
  files: { file: string; imports: { line: number; to: string; names: string[] }[] }[];
}
const jsonOf = (root: string) => JSON.parse(checkLayers(root, '--json').stdout) as Report;

afterEach(() => {
  for (const root of trees.splice(0)) rmSync(root, { recursive: true, force: true });
});

describe('check-layers', () => {
  it('passes a clean ladder and puts each folder one floor above the highest it imports', () => {
    const root = writeTree({
      'lib/errors.ts': 'export class ChorusError extends Error {}\n',
      // Imports written in a comment, a string and a template are not arrows: read as arrows they would make circles.
      'lib/beads/task.ts': [
        "import { ChorusError } from '../errors.js';",
        "// import { main } from '../cli/main.js';",
        "/* export * from '../graph/build.js'; */",
        "export const hint = \"import('../cli/main.js')\";",
        'export const more = `import { build } from "../graph/build.js"`;',
        'export const fail = () => new ChorusError();',
        '',
      ].join('\n'),
      'lib/graph/build.ts': "import { fail } from '../beads/task.js';\nexport const build = fail;\n",
      'lib/cli/main.ts': "import { build } from '../graph/build.js';\nimport { hint } from '../beads/task.js';\nexport const main = [build, hint];\n",
      'bin/chorus.ts': "import { main } from '../lib/cli/main.js';\nconsole.log(main);\n",
      'workers/worker.ts': "import { fail } from '../lib/beads/task.js';\nexport default fail;\n",
      'test/ignored.test.ts': "import { main } from '../lib/cli/main.js';\nimport { x } from './ignored.test.js';\n",
    });
    const run = checkLayers(root);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const ladder = run.stdout.split('\n').filter((line) => /^\s*\d+ {2}/.test(line));
    expect(ladder).toEqual([
      ' 4  bin  (1 file, 2 lines)  -> cli',
      ' 3  lib/cli  (1 file, 3 lines)  -> beads, graph',
      ' 2  lib/graph  (1 file, 2 lines)  -> beads',
      ' 2  workers  (1 file, 2 lines)  -> beads',
      ' 1  lib/beads  (1 file, 6 lines)  -> errors.ts',
      ' 0  lib/errors.ts  (1 file, 1 lines)',
    ]);
    expect(run.stdout).toContain('✓ no circle of files, no circle of folders');
    const report = jsonOf(root);
    expect(report.ok).toBe(true);
    expect(report.problems).toEqual([]);
    expect(report.files.map((f) => f.file)).not.toContain('test/ignored.test.ts');
  });

  it('fails on two files importing each other, naming both and the import line of each arrow', () => {
    const root = writeTree({
      'lib/config/defaults.ts': "import type { Settings } from './schema.js';\nexport const DEFAULTS: Settings = { max: 3 };\n",
      'lib/config/schema.ts': "export interface Settings { max: number }\n\nimport { DEFAULTS } from './defaults.js';\nexport const keys = Object.keys(DEFAULTS);\n",
    });
    const run = checkLayers(root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ circle of files: lib/config/defaults.ts -> lib/config/schema.ts -> lib/config/defaults.ts');
    expect(run.stdout).toContain('lib/config/defaults.ts:1  -> lib/config/schema.ts  { type Settings }');
    expect(run.stdout).toContain('lib/config/schema.ts:3  -> lib/config/defaults.ts  { DEFAULTS }');
    expect(run.stdout).not.toContain('circle of folders');
  });

  it('fails on a file importing itself', () => {
    const root = writeTree({ 'lib/pool/loop.ts': "export const a = 1;\nexport { a as b } from './loop.js';\n" });
    const run = checkLayers(root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ circle of files: lib/pool/loop.ts -> lib/pool/loop.ts');
    expect(run.stdout).toContain('lib/pool/loop.ts:2  -> lib/pool/loop.ts  { a }');
  });

  it('fails on a circle of folders made by files that are not themselves on a circle, naming the folders and the imports', () => {
    const root = writeTree({
      'lib/state/run-lock.ts': "import { sleep } from '../pool/backoff.js';\nexport const lock = sleep;\n",
      'lib/state/processes.ts': 'export const isRunning = () => true;\n',
      'lib/pool/backoff.ts': 'export const sleep = () => undefined;\n',
      'lib/pool/kill-group.ts': "\nimport { isRunning } from '../state/processes.js';\nexport const kill = isRunning;\n",
    });
    const run = checkLayers(root);
    expect(run.code).toBe(1);
    expect(run.stdout).not.toContain('circle of files');
    expect(run.stdout).toContain('✗ circle of folders: lib/pool -> lib/state -> lib/pool');
    expect(run.stdout).toContain('lib/pool/kill-group.ts:2  -> lib/state/processes.ts  { isRunning }');
    expect(run.stdout).toContain('lib/state/run-lock.ts:1  -> lib/pool/backoff.ts  { sleep }');
    expect(run.stdout).toMatch(/^ {2}lib\/pool -> lib\/state {2}\(on 1 of the circles above, 1 import\)$/m);
    const [problem] = jsonOf(root).problems;
    expect(problem?.kind).toBe('folder-circle');
    expect(problem?.cycle).toEqual(['lib/pool', 'lib/state', 'lib/pool']);
  });

  it('counts type-only imports and exports as arrows', () => {
    const root = writeTree({
      'lib/engine/events.ts': "import type { Tracker } from '../tracker/tracker.js';\nexport type Event = { tracker: Tracker };\n",
      'lib/tracker/tracker.ts': "export type { Event } from '../engine/events.js';\nexport interface Tracker { id: string }\n",
      'lib/tracker/open.ts': "import { type Tracker } from './tracker.js';\nexport type Opened = Tracker;\n",
      'lib/tracker/inline.ts': "export type Payload = typeof import('../engine/events.js');\n",
    });
    const run = checkLayers(root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ circle of files: lib/engine/events.ts -> lib/tracker/tracker.ts -> lib/engine/events.ts');
    expect(run.stdout).toContain('lib/engine/events.ts:1  -> lib/tracker/tracker.ts  { type Tracker }');
    expect(run.stdout).toContain('lib/tracker/tracker.ts:1  -> lib/engine/events.ts  { type Event }');
    const files = new Map(jsonOf(root).files.map((f) => [f.file, f.imports]));
    expect(files.get('lib/tracker/open.ts')).toEqual([{ file: 'lib/tracker/open.ts', line: 1, to: 'lib/tracker/tracker.ts', names: ['type Tracker'] }]);
    expect(files.get('lib/tracker/inline.ts')?.map((i) => i.to)).toEqual(['lib/engine/events.ts']);
  });

  it('resolves ./dir/index.js, and a bare ./dir, to dir/index.ts', () => {
    const root = writeTree({
      'lib/graph/index.ts': "export { build } from './build.js';\n",
      'lib/graph/build.ts': "import { label } from '../cli/label.js';\nexport const build = label;\n",
      'lib/cli/label.ts': 'export const label = "x";\n',
      'lib/cli/graph-command.ts': "import { build } from '../graph/index.js';\nexport const run = build;\n",
      'lib/cli/bare-dir.ts': "export { build } from '../graph';\n",
    });
    const run = checkLayers(root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ circle of folders: lib/cli -> lib/graph -> lib/cli');
    expect(run.stdout).toContain('lib/cli/graph-command.ts:1  -> lib/graph/index.ts  { build }');
    expect(run.stdout).toContain('lib/graph/build.ts:1  -> lib/cli/label.ts  { label }');
    expect(run.stdout).toContain('lib/cli/bare-dir.ts:1  -> lib/graph/index.ts  { build }');
    expect(run.stdout).not.toContain('names no file');
  });

  it('counts a dynamic import with a literal specifier, at the line it is on', () => {
    const root = writeTree({
      'lib/cli/program.ts': [
        'export async function ready(name: string) {',
        "  const computed = await import(name); // not a literal: nothing to draw",
        "  return (await import('../engine/run.js')).run(computed);",
        '}',
        '',
      ].join('\n'),
      'lib/engine/run.ts': "import { print } from '../cli/print.js';\nexport const run = print;\n",
      'lib/cli/print.ts': 'export const print = (x: unknown) => x;\n',
    });
    const run = checkLayers(root);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('✗ circle of folders: lib/cli -> lib/engine -> lib/cli');
    expect(run.stdout).toContain('lib/cli/program.ts:3  -> lib/engine/run.ts  { import() }');
  });

  it('refuses a root with nothing to check rather than passing it (exit 2)', () => {
    const root = writeTree({ 'README.md': '# not a chorus checkout\n' });
    const run = checkLayers(root);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no .ts file under ${path.join(root, 'lib')}`);
  });

  // CI fails when a circle of files or folders comes back.
  it('the repository has no circle of files and its folders form a DAG', () => {
    const run = checkLayers(ROOT);
    expect(run.stdout).toContain('✓ no circle of files, no circle of folders');
    expect(run.code).toBe(0);
  });
});
