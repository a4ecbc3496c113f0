import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LinkEvents, SectionLink } from './link';
import { PlanLinks } from './pool';

/** A stand-in for SectionLink that records how it was opened and closed. */
class FakeLink {
  readonly doc = new Y.Doc();
  state = { status: 'live' as const, closeCode: null, loaded: true, lostAt: null };
  pendingLocal = false;
  forgotten: boolean | null = null;
  constructor(
    readonly sectionId: string,
    readonly events: LinkEvents,
    readonly keepOffline: boolean,
  ) {}
  awarenessStates() {
    return new Map<number, Record<string, unknown>>();
  }
  setPresenceField() {}
  destroy({ forget = false }: { forget?: boolean } = {}) {
    this.forgotten = forget;
  }
}

const me = { id: 'u1', name: 'Kari', color: '#b3261e', party: 'supplier' as const };

function pool() {
  const made: FakeLink[] = [];
  const links = new PlanLinks(me, (id, events, keepOffline = true) => {
    const link = new FakeLink(id, events, keepOffline);
    made.push(link);
    return link as unknown as SectionLink;
  });
  return { links, made };
}

const shared = { id: 's1', visibility: 'shared', can_write: true };
const internal = { id: 's2', visibility: 'supplier-only', can_write: true };

describe('PlanLinks and the offline copies', () => {
  it('keeps an offline copy of every section it opens', () => {
    const { links, made } = pool();
    links.sync([shared, internal]);
    expect(made.map((l) => l.keepOffline)).toEqual([true, true]);
  });

  it('deletes the copy of a section no longer readable', () => {
    const { links, made } = pool();
    links.sync([shared, internal]);
    links.sync([shared]);
    expect(made[1]!.forgotten).toBe(true);
  });

  it('deletes refused edits from the browser and keeps no copy afterwards', () => {
    const { links, made } = pool();
    links.sync([shared]);
    made[0]!.events.onRefused('permission-denied');
    expect(made[0]!.forgotten).toBe(true);
    expect(made[1]!.keepOffline).toBe(false);
  });

  it('counts sections with unsent edits', () => {
    const { links, made } = pool();
    links.sync([shared, internal]);
    expect(links.pendingCount()).toBe(0);
    made[1]!.pendingLocal = true;
    expect(links.pendingCount()).toBe(1);
  });

  it('closes without deleting when the plan is left', () => {
    const { links, made } = pool();
    links.sync([shared]);
    links.destroy();
    expect(made[0]!.forgotten).toBe(false);
  });
});
