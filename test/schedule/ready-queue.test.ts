import { describe, expect, it } from 'vitest';
import { ReadyQueue } from '../../lib/schedule/ready-queue.js';
import { seededRandom } from '../helpers/random-dag.js';

type Item = { id: string; p: number };
const byP = (a: Item, b: Item) => a.p - b.p || a.id.localeCompare(b.id);

describe('ReadyQueue', () => {
  it('pops in comparator order, like a sort', () => {
    const random = seededRandom(3);
    const items = Array.from({ length: 500 }, (_, i) => ({ id: `t${i}`, p: Math.floor(random() * 5) }));
    const q = new ReadyQueue<Item>(byP);
    for (const item of items) q.push(item);
    const popped: Item[] = [];
    for (let x = q.pop(); x; x = q.pop()) popped.push(x);
    expect(popped).toEqual([...items].sort(byP));
  });

  it('ignores a duplicate push and skips deleted ids', () => {
    const q = new ReadyQueue<Item>(byP);
    const a = { id: 'a', p: 1 };
    q.push(a);
    q.push(a);
    q.push({ id: 'b', p: 2 });
    expect(q.size).toBe(2);
    expect(q.delete('a')).toBe(true);
    expect(q.peek()?.id).toBe('b');
    q.push(a);
    expect(q.pop()?.id).toBe('a');
    expect(q.pop()?.id).toBe('b');
    expect(q.pop()).toBeUndefined();
    expect(q.size).toBe(0);
  });
});
