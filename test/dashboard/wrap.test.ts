import { describe, expect, it } from 'vitest';
import { displayWidth, minuteDuration, wrap } from '../../lib/dashboard/text.js';
import { seededRandom } from '../helpers/random-dag.js';

// wrap() adds word widths instead of measuring each longer candidate line again: the lines it
// makes must still fit, keep every word in order, and be greedy (the next word would not fit).
describe('wrap', () => {
  const words = ['a', 'bb', 'ccc', '漢字', '✓', 'done', '⏳', 'verylongwordthatneedscutting', 'é', '─────', 'naïve', '👩‍💻'];

  it('fills each line greedily, within the width, with every word in order', () => {
    const random = seededRandom(7);
    for (let round = 0; round < 300; round += 1) {
      const text = Array.from({ length: 1 + Math.floor(random() * 25) }, () => words[Math.floor(random() * words.length)]!).join(' ');
      const width = 4 + Math.floor(random() * 30);
      const lines = wrap(text, width);
      for (const line of lines) expect(displayWidth(line), `${JSON.stringify(text)} at ${width}`).toBeLessThanOrEqual(width);
      // Joined again (cut words joined without a space) the words come back in order.
      expect(lines.join(' ').replace(/\s+/g, '')).toBe(wrap(text, 1000).join(' ').replace(/\s+/g, ''));
      for (let i = 0; i + 1 < lines.length; i += 1) {
        const next = lines[i + 1]!.split(' ')[0]!;
        if (displayWidth(next) <= width) expect(displayWidth(`${lines[i]} ${next}`), `${JSON.stringify(lines)} at ${width}`).toBeGreaterThan(width);
      }
    }
  });
});

describe('minuteDuration (a running task\'s time in the task table)', () => {
  it('counts whole minutes, and says less than one', () => {
    expect([0, 59_999, 60_000, 61_000, 59 * 60_000 + 59_999, 3_600_000, 3_900_000, -5].map(minuteDuration)).toEqual(['<1m', '<1m', '1m', '1m', '59m', '1h00m', '1h05m', '<1m']);
  });
});
