import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { LinkEvents, SectionLink } from './link';
import { PlanLinks } from './pool';

/** A stand-in for SectionLink: no socket, an awareness map we fill by hand. */
class FakeLink {
  readonly doc = new Y.Doc();
  state = { status: 'live' as const, closeCode: null, loaded: true, lostAt: null };
  local: Record<string, unknown> = {};
  others = new Map<number, Record<string, unknown>>();
  destroyed = false;
  constructor(
    readonly sectionId: string,
    readonly events: LinkEvents,
  ) {}
  awarenessStates() {
    return new Map([[this.doc.clientID, this.local], ...this.others]);
  }
  setPresenceField(field: string, value: unknown) {
    this.local = { ...this.local, [field]: value };
  }
  destroy() {
    this.destroyed = true;
  }
}

const me = { id: 'u1', name: 'Kari', color: '#b3261e', party: 'supplier' as const };

function pool() {
  const made: FakeLink[] = [];
  const links = new PlanLinks(me, (id, events) => {
    const link = new FakeLink(id, events);
    made.push(link);
    return link as unknown as SectionLink;
  });
  return { links, made };
}

const shared = { id: 's1', visibility: 'shared', can_write: true };
const internal = { id: 's2', visibility: 'supplier-only', can_write: true };
const readOnly = { id: 's3', visibility: 'shared', can_write: false };

describe('PlanLinks', () => {
  it('opens one link per section and closes those no longer listed', () => {
    const { links, made } = pool();
    links.sync([shared, internal]);
    expect(made.map((l) => l.sectionId)).toEqual(['s1', 's2']);
    links.sync([shared]);
    expect(made[1]!.destroyed).toBe(true);
    expect(links.get('s2')).toBeUndefined();
  });

  it('keeps an internal section private in the other rooms', () => {
    const { links, made } = pool();
    links.sync([shared, internal]);
    links.setCurrent(internal);
    expect(made[0]!.local.section).toBeNull();
    expect(made[1]!.local.section).toBe('s2');
    links.setCurrent(shared);
    expect(made[0]!.local.section).toBe('s1');
    expect(made[1]!.local.section).toBe('s1');
    expect(made[0]!.local.user).toEqual(me);
  });

  it('turns a section read-only and reloads it when the server refuses a write', () => {
    const { links, made } = pool();
    links.sync([shared, readOnly]);
    made[1]!.events.onRefused('read-only');
    expect(links.refusals).toEqual([]);
    made[0]!.events.onRefused('read-only');
    expect(links.canWrite('s1')).toBe(false);
    expect(links.refusals.map((r) => r.sectionId)).toEqual(['s1']);
    expect(made[0]!.destroyed).toBe(true);
    expect(links.get('s1')).toBe(made[2] as unknown as SectionLink);
    links.dismissRefusal('s1');
    expect(links.refusals).toEqual([]);
  });

  it('reports who is in which section across rooms', () => {
    const { links, made } = pool();
    links.sync([shared, internal]);
    made[0]!.others.set(99, { user: { id: 'u2', name: 'Ola', party: 'customer' }, section: 's1' });
    made[0]!.events.onPresence();
    const presence = links.presence();
    expect(presence.people.map((p) => p.name)).toEqual(['Ola', 'Kari']);
    expect(presence.bySection.get('s1')!.map((p) => p.name)).toEqual(['Ola']);
  });
});
