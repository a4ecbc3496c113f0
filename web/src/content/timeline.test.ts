import { describe, expect, it } from 'vitest';
import { buildTimeline, MAX_MONTHS, MIN_MONTHS, parseDay, type TimelineItem } from './timeline';

function item(over: Partial<TimelineItem>): TimelineItem {
  return { id: Math.random().toString(36), title: 'A', start: '', due: '', party: 'supplier', status: 'planned', horizon: 'operative', ...over };
}

const today = new Date(2027, 0, 15);

describe('parseDay', () => {
  it('accepts ISO dates only, and real ones', () => {
    expect(parseDay('2027-02-28')).toEqual({ year: 2027, month: 1, day: 28 });
    expect(parseDay('2027-02-28T10:00:00Z')).toEqual({ year: 2027, month: 1, day: 28 });
    expect(parseDay('2027-02-30')).toBeNull();
    expect(parseDay('28.02.2027')).toBeNull();
    expect(parseDay('next spring')).toBeNull();
    expect(parseDay('')).toBeNull();
  });
});

describe('buildTimeline', () => {
  it('spans the activities by whole months, at least a year', () => {
    const t = buildTimeline([item({ start: '2027-01-11', due: '2027-01-29' }), item({ start: '2027-03-01', due: '2027-04-15' })], today);
    expect(t.months[0]).toEqual({ year: 2027, month: 0 });
    expect(t.months).toHaveLength(MIN_MONTHS);
    const [first, second] = t.rows[0]!.bars;
    expect(first!.from).toBeCloseTo(10 / 31);
    expect(first!.to).toBeCloseTo(29 / 31);
    expect(second!.from).toBeCloseTo(2);
    expect(second!.to).toBeCloseTo(3.5);
  });

  it('groups rows by the horizon of the linked goal, this year first', () => {
    const t = buildTimeline(
      [
        item({ start: '2027-01-01', due: '2027-02-01', horizon: 'strategic' }),
        item({ start: '2027-01-01', due: '2027-02-01', horizon: null }),
        item({ start: '2027-01-01', due: '2027-02-01', horizon: 'operative' }),
        item({ start: '2027-01-01', due: '2027-02-01', horizon: 'tactical' }),
      ],
      today,
    );
    expect(t.rows.map((r) => r.horizon)).toEqual(['operative', 'tactical', 'strategic', null]);
  });

  it('uses one date when only one is given, swaps reversed dates, lists the undated', () => {
    const t = buildTimeline(
      [
        item({ title: 'due only', due: '2027-05-31' }),
        item({ title: 'reversed', start: '2027-06-30', due: '2027-06-01' }),
        item({ title: 'no dates' }),
        item({ title: 'garbage', start: 'soon', due: 'later' }),
      ],
      today,
    );
    const bars = t.rows.flatMap((r) => r.bars);
    expect(bars.map((b) => b.item.title)).toEqual(['due only', 'reversed']);
    expect(bars[1]!.from).toBeLessThan(bars[1]!.to);
    expect(t.undated.map((i) => i.title)).toEqual(['no dates', 'garbage']);
  });

  it('keeps one absurd date from squeezing everything', () => {
    const t = buildTimeline([item({ start: '2027-01-01', due: '2027-03-01' }), item({ title: 'far', start: '2099-01-01', due: '2099-02-01' })], today);
    expect(t.months.length).toBe(MAX_MONTHS);
    expect(t.rows.flatMap((r) => r.bars).map((b) => b.item.title)).toEqual(['A']);
    expect(t.undated.map((i) => i.title)).toEqual(['far']);
  });

  it('marks the three horizons from today', () => {
    const t = buildTimeline([item({ start: '2027-01-01', due: '2031-12-01' })], today);
    expect(t.bands.map((b) => b.horizon)).toEqual(['operative', 'tactical', 'strategic']);
    expect(t.bands[0]!.to - t.bands[0]!.from).toBeCloseTo(12);
  });

  it('shows an empty year for no activities', () => {
    const t = buildTimeline([], today);
    expect(t.rows).toEqual([]);
    expect(t.months).toHaveLength(MIN_MONTHS);
  });
});
