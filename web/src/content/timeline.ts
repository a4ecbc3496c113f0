// The action plan's month timeline: which months to show, where each activity's bar sits,
// and which horizon row it belongs to. Pure, so it is tested without a browser.

import type { Horizon } from '../api/types';
import type { ActivityStatus, ItemParty } from './model';

export interface TimelineItem {
  id: string;
  title: string;
  start: string;
  due: string;
  party: ItemParty | null;
  status: ActivityStatus | null;
  /** The horizon of the goal the activity serves, if it is linked to one. */
  horizon: Horizon | null;
}

export interface Month {
  year: number;
  /** 0 = January */
  month: number;
}

export interface Bar {
  item: TimelineItem;
  /** Position in months from the first shown month (fractional: days count). */
  from: number;
  to: number;
}

export interface HorizonRow {
  horizon: Horizon | null;
  bars: Bar[];
}

export interface Band {
  horizon: Horizon;
  from: number;
  to: number;
}

export interface Timeline {
  months: Month[];
  rows: HorizonRow[];
  /** Operative (the coming 12 months), tactical (1–2 years), strategic (3–5 years) from today. */
  bands: Band[];
  /** Activities without a usable date. */
  undated: TimelineItem[];
}

/** The coming year's work first: that is what a workshop plans in detail. */
const ROW_ORDER: Horizon[] = ['operative', 'tactical', 'strategic'];

export const MIN_MONTHS = 12;
export const MAX_MONTHS = 72;

interface Day {
  year: number;
  month: number;
  day: number;
}

/** A strict ISO calendar date (YYYY-MM-DD, optionally followed by a time), or null. */
export function parseDay(value: string): Day | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})(?:$|T)/.exec(value.trim());
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = new Date(Date.UTC(year, month, day));
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month || date.getUTCDate() !== day) return null;
  return { year, month, day };
}

const monthIndex = (d: Pick<Day, 'year' | 'month'>) => d.year * 12 + d.month;
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month + 1, 0)).getUTCDate();

/** Months from the first shown month to the start (or end) of the given day. */
function offset(day: Day, first: number, end: boolean): number {
  const fraction = (end ? day.day : day.day - 1) / daysIn(day.year, day.month);
  return monthIndex(day) - first + fraction;
}

export function buildTimeline(items: readonly TimelineItem[], today: Date): Timeline {
  const dated: { item: TimelineItem; start: Day; end: Day }[] = [];
  const undated: TimelineItem[] = [];
  for (const item of items) {
    let start = parseDay(item.start) ?? parseDay(item.due);
    let end = parseDay(item.due) ?? start;
    if (!start || !end) {
      undated.push(item);
      continue;
    }
    if (monthIndex(end) * 40 + end.day < monthIndex(start) * 40 + start.day) [start, end] = [end, start];
    dated.push({ item, start, end });
  }

  const now: Day = { year: today.getFullYear(), month: today.getMonth(), day: today.getDate() };
  let first = dated.length ? Math.min(...dated.map((d) => monthIndex(d.start))) : monthIndex(now);
  let last = dated.length ? Math.max(...dated.map((d) => monthIndex(d.end))) : first;
  // One odd date (year 2099) must not squeeze everything else into a sliver.
  if (last - first + 1 > MAX_MONTHS) {
    const anchor = Math.max(first, Math.min(monthIndex(now), last) - 12);
    first = anchor;
    last = anchor + MAX_MONTHS - 1;
  }
  if (last - first + 1 < MIN_MONTHS) last = first + MIN_MONTHS - 1;

  const months: Month[] = [];
  for (let i = first; i <= last; i++) months.push({ year: Math.floor(i / 12), month: i % 12 });
  const span = months.length;
  const clamp = (x: number) => Math.max(0, Math.min(span, x));

  const rowsByHorizon = new Map<Horizon | null, Bar[]>();
  for (const { item, start, end } of dated) {
    const from = clamp(offset(start, first, false));
    const to = clamp(offset(end, first, true));
    if (to <= 0 || from >= span) {
      undated.push(item);
      continue;
    }
    const bars = rowsByHorizon.get(item.horizon) ?? [];
    bars.push({ item, from, to: Math.max(to, from + 0.25) });
    rowsByHorizon.set(item.horizon, bars);
  }
  const rows: HorizonRow[] = [];
  for (const horizon of ROW_ORDER) {
    const bars = rowsByHorizon.get(horizon);
    if (bars?.length) rows.push({ horizon, bars: bars.sort((a, b) => a.from - b.from || a.to - b.to) });
  }
  const loose = rowsByHorizon.get(null);
  if (loose?.length) rows.push({ horizon: null, bars: loose.sort((a, b) => a.from - b.from || a.to - b.to) });

  const todayAt = offset(now, first, false);
  const bands: Band[] = [];
  const limits: [Horizon, number, number][] = [
    ['operative', 0, 12],
    ['tactical', 12, 24],
    ['strategic', 24, 60],
  ];
  for (const [horizon, a, b] of limits) {
    const from = clamp(todayAt + a);
    const to = clamp(todayAt + b);
    if (to > from) bands.push({ horizon, from, to });
  }
  return { months, rows, bands, undated };
}
