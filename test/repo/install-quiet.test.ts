import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/temp-repo.js';

// `npm install` on a fresh clone prints no warning caused by our own choices.
describe('npm install is quiet', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { hasInstallScript?: boolean }>;
  };

  it('every dependency with an install script is approved or denied in allowScripts (npm 11 warns otherwise)', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
    const unreviewed = withScripts.filter((name) => !(name in (pkg.allowScripts ?? {})));
    expect(unreviewed).toEqual([]);
  });

  it('no installed package has an unmet or invalid peer dependency', () => {
    // npm ls exits non-zero and names the package when a peer range is not met (esbuild for vite, say).
    const out = execFileSync('npm', ['ls', '--all', '--json'], { cwd: ROOT, encoding: 'utf8' });
    const problems = (JSON.parse(out) as { problems?: string[] }).problems ?? [];
    expect(problems).toEqual([]);
  });
});
