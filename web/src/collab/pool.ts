import type { Id } from '../api/decode';
import { groupPresence, presenceKey, type AwarenessEntry, type PlanPresence, type PresenceUser } from './presence';
import { SectionLink } from './link';
import type { LinkState } from './status';

export interface Refusal {
  sectionId: string;
  reason: string;
  at: number;
}

interface SectionInfo {
  id: Id;
  visibility: string;
  can_write: boolean;
}

/**
 * The live side of one open plan: one SectionLink per section the user can read. All are
 * kept open so the navigator can show who is in each section and switching is instant.
 * React subscribes through `subscribe`/`version` (useSyncExternalStore).
 */
export class PlanLinks {
  private links = new Map<string, SectionLink>();
  private writable = new Map<string, boolean>();
  private listeners = new Set<() => void>();
  private current: { id: string; shared: boolean } | null = null;
  private presenceCache: PlanPresence = { people: [], bySection: new Map() };
  private presenceSig = '';
  private destroyed = false;
  version = 0;
  refusals: Refusal[] = [];

  constructor(
    readonly me: PresenceUser,
    private readonly makeLink = (id: string, events: ConstructorParameters<typeof SectionLink>[1], keepOffline = true) =>
      new SectionLink(id, events, undefined, keepOffline && me.id ? me.id : null),
  ) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getVersion = () => this.version;

  private bump() {
    if (this.destroyed) return;
    this.version++;
    this.listeners.forEach((l) => l());
  }

  /** Opens links for new sections and closes those the user can no longer see. */
  sync(sections: readonly SectionInfo[]) {
    const wanted = new Set(sections.map((s) => String(s.id)));
    for (const [id, link] of this.links) {
      if (!wanted.has(id)) {
        // No longer ours to read: its copy in this browser goes too.
        link.destroy({ forget: true });
        this.links.delete(id);
      }
    }
    for (const section of sections) {
      const id = String(section.id);
      this.writable.set(id, section.can_write);
      if (!this.links.has(id)) this.open(id);
    }
    if (this.current) {
      const cur = sections.find((s) => String(s.id) === this.current!.id);
      if (cur) this.current.shared = cur.visibility === 'shared';
    }
    this.publishPresence();
    this.bump();
  }

  private open(id: string, keepOffline = true) {
    const link = this.makeLink(
      id,
      {
        onState: () => this.bump(),
        onPresence: () => this.refreshPresence(),
        onRefused: (reason) => this.refused(id, reason),
      },
      keepOffline,
    );
    this.links.set(id, link);
    this.publishPresence(link);
  }

  private refused(sectionId: string, reason: string) {
    // A read-only client's editor may still try a write (it is dropped, nothing is lost);
    // only a refusal where we believed we could write means our rights changed.
    if (this.writable.get(sectionId) === false) return;
    this.writable.set(sectionId, false);
    this.refusals = [...this.refusals.filter((r) => r.sectionId !== sectionId), { sectionId, reason, at: Date.now() }];
    // Start over from the server's content: our refused changes must not linger on screen.
    this.reopen(sectionId);
  }

  /** Replaces a section's link with a fresh one (fresh document from the server). */
  reopen(sectionId: string) {
    const old = this.links.get(sectionId);
    if (!old) return;
    // The refused edits are in the browser's copy too: delete it, and keep no new one (we may
    // not write here, so there is nothing to keep offline; a fresh copy would race the delete).
    old.destroy({ forget: true });
    this.links.delete(sectionId);
    this.open(sectionId, false);
    this.bump();
  }

  dismissRefusal(sectionId: string) {
    this.refusals = this.refusals.filter((r) => r.sectionId !== sectionId);
    this.bump();
  }

  /** False once the server refused a write here, until the plan says otherwise again. */
  canWrite(sectionId: Id): boolean {
    return this.writable.get(String(sectionId)) ?? true;
  }

  get(sectionId: Id): SectionLink | undefined {
    return this.links.get(String(sectionId));
  }

  /** Sections with edits kept in this browser that the server has not confirmed yet. */
  pendingCount(): number {
    return [...this.links.values()].filter((l) => l.pendingLocal).length;
  }

  states(): LinkState[] {
    return [...this.links.values()].map((l) => l.state);
  }

  /** Tells everyone which section this user looks at (kept private when it is internal). */
  setCurrent(section: SectionInfo | null) {
    this.current = section ? { id: String(section.id), shared: section.visibility === 'shared' } : null;
    this.publishPresence();
  }

  private publishPresence(only?: SectionLink) {
    const targets = only ? [only] : [...this.links.values()];
    for (const link of targets) {
      const cur = this.current;
      // In another room, say where we are only if that section is shared with everyone.
      const section = cur && (cur.id === link.sectionId || cur.shared) ? cur.id : null;
      link.setPresenceField('user', this.me);
      link.setPresenceField('section', section);
    }
  }

  private refreshPresence() {
    const entries: AwarenessEntry[] = [];
    for (const link of this.links.values()) {
      const selfId = link.doc.clientID;
      for (const [clientId, state] of link.awarenessStates()) {
        entries.push({ state, self: clientId === selfId });
      }
    }
    const presence = groupPresence(entries);
    const sig = presenceKey(presence);
    if (sig === this.presenceSig) return;
    this.presenceSig = sig;
    this.presenceCache = presence;
    this.bump();
  }

  presence(): PlanPresence {
    return this.presenceCache;
  }

  destroy() {
    this.destroyed = true;
    for (const link of this.links.values()) link.destroy();
    this.links.clear();
    this.listeners.clear();
  }
}
