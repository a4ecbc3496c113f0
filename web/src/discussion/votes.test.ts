import { describe, expect, it } from 'vitest';
import type { VoteCounts } from '../api/discussion';
import { VotesCache } from './votes';

const vote = (item_id: string, supplier: number, customer: number, mine = false): VoteCounts => ({
  section_id: 's1',
  item_id,
  counts: { supplier, customer },
  mine,
});

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('VotesCache', () => {
  it('loads a section once, on first sight, for all its items', async () => {
    const asked: string[] = [];
    const cache = new VotesCache(async (sectionId) => {
      asked.push(sectionId);
      return [vote('g1', 2, 1, true), null];
    });
    expect(cache.get('s1', 'g1').counts).toEqual({ supplier: 0, customer: 0 });
    cache.get('s1', 'g2');
    await flush();
    expect(asked).toEqual(['s1']);
    expect(cache.get('s1', 'g1')).toMatchObject({ counts: { supplier: 2, customer: 1 }, mine: true });
    expect(cache.get('s1', 'g2').counts).toEqual({ supplier: 0, customer: 0 });
  });

  it('applies counts from an event without losing whether I voted', async () => {
    const cache = new VotesCache(async () => [vote('g1', 1, 0, true)]);
    cache.get('s1', 'g1');
    await flush();
    let calls = 0;
    cache.subscribe(() => calls++);
    cache.apply('s1', 'g1', { supplier: 1, customer: 1 });
    expect(cache.get('s1', 'g1')).toMatchObject({ counts: { supplier: 1, customer: 1 }, mine: true });
    cache.apply('s1', 'g1', { supplier: -3, customer: Number.NaN }, false);
    expect(cache.get('s1', 'g1')).toMatchObject({ counts: { supplier: 1, customer: 1 }, mine: false });
    expect(calls).toBe(2);
  });

  it('keeps the newest answer when loads overlap, and survives a failed one', async () => {
    const answers: ((v: VoteCounts[]) => void)[] = [];
    let fail = false;
    const cache = new VotesCache(
      () =>
        new Promise<VoteCounts[]>((resolve, reject) => {
          if (fail) reject(new Error('offline'));
          else answers.push(resolve);
        }),
    );
    cache.get('s1', 'g1');
    void cache.reload('s1');
    answers[1]!([vote('g1', 5, 5)]);
    await flush();
    answers[0]!([vote('g1', 1, 1)]);
    await flush();
    expect(cache.get('s1', 'g1').counts).toEqual({ supplier: 5, customer: 5 });
    fail = true;
    await cache.reload('s1');
    expect(cache.failed('s1')).toBe(true);
    expect(cache.get('s1', 'g1').counts).toEqual({ supplier: 5, customer: 5 });
  });
});
