import { bead, blocks } from './temp-repo.js';

import { seededRandom } from '../../bench/generate/random.js';

export { seededRandom };

/** `count` tasks; each waits on up to `maxDeps` random earlier ones (so it is acyclic), with mixed priorities. */
export function randomDag(count: number, seed: number, maxDeps = 3): Record<string, unknown>[] {
  const random = seededRandom(seed);
  const lines: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = `t-${i}`;
    const deps = new Set<number>();
    const want = i === 0 ? 0 : Math.floor(random() * (maxDeps + 1));
    for (let k = 0; k < want; k += 1) deps.add(Math.floor(random() * i));
    lines.push(
      bead(id, {
        priority: Math.floor(random() * 5),
        ...(deps.size ? { dependencies: [...deps].map((d) => blocks(id, `t-${d}`)) } : {}),
        x_unknown_field: { keep: [i, 'me'] },
      }),
    );
  }
  return lines;
}
