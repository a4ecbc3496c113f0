// Support votes for every section on screen, loaded once per section and shared by all its items.
import type { VoteCounts } from '../api/discussion';
import type { Party } from '../api/types';

type Loader = (sectionId: string) => Promise<(VoteCounts | null)[]>;

interface Entry {
  items: Map<string, VoteCounts>;
  loaded: boolean;
  failed: boolean;
  /** Bumped on every (re)load so a slow, older answer cannot overwrite a newer one. */
  generation: number;
}

export class VotesCache {
  private sections = new Map<string, Entry>();
  private listeners = new Set<() => void>();
  private version = 0;

  constructor(private readonly load: Loader) {}

  subscribe = (listener: () => void) => {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  };

  getVersion = () => this.version;

  private changed() {
    this.version += 1;
    for (const listener of this.listeners) listener();
  }

  private entry(sectionId: string): Entry {
    let entry = this.sections.get(sectionId);
    if (!entry) {
      entry = { items: new Map(), loaded: false, failed: false, generation: 0 };
      this.sections.set(sectionId, entry);
      void this.reload(sectionId);
    }
    return entry;
  }

  /** The counts of one item (zero until known); asks the server the first time a section is seen. */
  get(sectionId: string, itemId: string): VoteCounts {
    const entry = this.entry(sectionId);
    return entry.items.get(itemId) ?? { section_id: sectionId, item_id: itemId, counts: { supplier: 0, customer: 0 }, mine: false };
  }

  failed(sectionId: string): boolean {
    return this.sections.get(sectionId)?.failed ?? false;
  }

  async reload(sectionId: string): Promise<void> {
    const entry = this.sections.get(sectionId) ?? this.entry(sectionId);
    const generation = ++entry.generation;
    try {
      const list = await this.load(sectionId);
      if (generation !== entry.generation) return;
      entry.items = new Map();
      for (const v of list) if (v && v.item_id) entry.items.set(v.item_id, v);
      entry.loaded = true;
      entry.failed = false;
    } catch {
      if (generation !== entry.generation) return;
      entry.failed = true;
    }
    this.changed();
  }

  /** Applies counts from the server (a reply to my vote, or an event); `mine` only when known. */
  apply(sectionId: string, itemId: string, counts: Partial<Record<Party, number>>, mine?: boolean) {
    const entry = this.sections.get(sectionId);
    if (!entry) return;
    const before = this.get(sectionId, itemId);
    entry.items.set(itemId, {
      section_id: sectionId,
      item_id: itemId,
      counts: { supplier: num(counts.supplier, before.counts.supplier ?? 0), customer: num(counts.customer, before.counts.customer ?? 0) },
      mine: mine ?? before.mine,
    });
    this.changed();
  }

  /** Asks again for every section seen so far (back in view, or rights changed). */
  reloadAll() {
    for (const sectionId of this.sections.keys()) void this.reload(sectionId);
  }

  /** Forgets everything. */
  clear() {
    this.sections.clear();
    this.changed();
  }
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : fallback;
}
