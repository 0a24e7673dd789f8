import { describe, expect, it } from 'vitest';
import { selectStarts } from '../../lib/schedule/select-starts.js';

const t = (id: string, exclusive = false) => ({ id, exclusive });
const isExclusive = (task: { exclusive: boolean }) => task.exclusive;

describe('selectStarts', () => {
  it('fills free slots in order and never exceeds maxAgents', () => {
    const sel = selectStarts({ running: 1, exclusiveRunning: false }, [t('a'), t('b'), t('c'), t('d')], 3, isExclusive);
    expect(sel.start.map((x) => x.id)).toEqual(['a', 'b']);
    expect(sel.putBack.map((x) => x.id)).toEqual(['c']);
  });

  it('takes candidates lazily: no more than it can start plus one', () => {
    let taken = 0;
    function* many() {
      for (let i = 0; i < 1000; i += 1) {
        taken += 1;
        yield t(`x${i}`);
      }
    }
    selectStarts({ running: 0, exclusiveRunning: false }, many(), 4, isExclusive);
    expect(taken).toBe(5);
  });

  it('starts nothing while an exclusive task runs', () => {
    const sel = selectStarts({ running: 1, exclusiveRunning: true }, [t('a')], 3, isExclusive);
    expect(sel.start).toEqual([]);
    expect(sel.putBack).toEqual([]);
  });

  it('an exclusive task waits for running agents, and nothing overtakes it', () => {
    const sel = selectStarts({ running: 1, exclusiveRunning: false }, [t('x', true), t('b')], 3, isExclusive);
    expect(sel.start).toEqual([]);
    expect(sel.putBack.map((x) => x.id)).toEqual(['x']);
  });

  it('an exclusive task starts alone when nothing runs', () => {
    const sel = selectStarts({ running: 0, exclusiveRunning: false }, [t('x', true), t('b')], 3, isExclusive);
    expect(sel.start.map((x) => x.id)).toEqual(['x']);
  });

  it('tasks before an exclusive one start; the exclusive one then waits', () => {
    const sel = selectStarts({ running: 0, exclusiveRunning: false }, [t('a'), t('x', true), t('b')], 3, isExclusive);
    expect(sel.start.map((x) => x.id)).toEqual(['a']);
    expect(sel.putBack.map((x) => x.id)).toEqual(['x']);
  });
});
