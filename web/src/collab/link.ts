import { IndexeddbPersistence } from 'y-indexeddb';
import { WebsocketProvider, messageAuth, messageSync } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import * as Y from 'yjs';
import { AckTracker, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, encodeStep1, reachedBy, readSyncMessage } from './ack';
import { CloseCode, FINAL_CLOSE_CODES } from './closeCodes';
import { deleteOfflineDb, offlineDbName, readPending, rememberDb, writePending } from './offline';
import type { LinkState } from './status';

/** Besides the codes after which access is gone, these mean "resending the same will fail again". */
const STOP_CODES: ReadonlySet<number> = new Set([...FINAL_CLOSE_CODES, CloseCode.BAD_MESSAGE, CloseCode.TOO_LARGE]);

export function collabUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/collab`;
}

export interface LinkEvents {
  /** Status, loaded or close code changed. */
  onState: () => void;
  /** Awareness states changed. */
  onPresence: () => void;
  /** The server dropped one of our updates: we may no longer write this section. */
  onRefused: (reason: string) => void;
}

/**
 * One section's live document: a Y.Doc and the stock y-websocket provider for
 * `/collab/{sectionId}`, authenticated by the session cookie.
 */
export class SectionLink {
  readonly doc = new Y.Doc();
  readonly provider: WebsocketProvider;
  state: LinkState = { status: 'connecting', closeCode: null, loaded: false, lostAt: null };
  /** The browser's copy of this document (offline edits), when kept. */
  readonly persistence: IndexeddbPersistence | null = null;
  private readonly dbName: string | null = null;
  /** Edits made here that the server has not confirmed yet. */
  pendingLocal = false;
  private destroyed = false;
  /** What the server has confirmed of our edits (see ack.ts). */
  private readonly acks = new AckTracker();
  private probeTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    readonly sectionId: string,
    private readonly events: LinkEvents,
    serverUrl = collabUrl(),
    /** Keep a copy in this browser for this user (offline edits); none without a user. */
    userId: string | null = null,
  ) {
    if (userId && typeof indexedDB !== 'undefined') {
      // Opened before the socket, so edits kept from an earlier visit are there to be sent.
      this.dbName = offlineDbName(userId, sectionId);
      rememberDb(this.dbName);
      this.pendingLocal = readPending(this.dbName);
      this.persistence = new IndexeddbPersistence(this.dbName, this.doc);
      this.persistence.on('synced', () => {
        // Content kept here counts as loaded (so it shows offline); an empty copy does not, or
        // a first visit would show an empty section before the server's content arrives.
        const hasContent = Y.encodeStateVector(this.doc).length > 1;
        this.update({ loaded: this.state.loaded || hasContent });
        if (this.provider.synced) this.serverSynced();
      });
    }
    this.doc.on('update', (_update: Uint8Array, origin: unknown) => {
      if (origin === this.provider || origin === this.persistence || this.destroyed) return;
      this.acks.localEdit(this.doc.clientID, Y.getState(this.doc.store, this.doc.clientID));
      const online = typeof navigator === 'undefined' || navigator.onLine;
      if (this.state.status === 'live' && online) return;
      this.setPending(true);
      // Already back (the socket lived through it): ask the server once the edit is sent.
      if (this.provider.wsconnected && this.provider.synced) this.probeSoon(100);
    });
    this.provider = new WebsocketProvider(serverUrl, sectionId, this.doc, {
      // Tabs sync through the server only, so each tab's rights are the server's to decide.
      disableBc: true,
      maxBackoffTime: 5000,
      shouldReconnect: (event) => !STOP_CODES.has(event.code),
    });
    // The stock sync handler, and a look at what the server says it has (acknowledgements).
    const syncHandler = this.provider.messageHandlers[messageSync]!;
    this.provider.messageHandlers[messageSync] = (encoder, decoder, provider, emitSynced, messageType) => {
      const message = readSyncMessage(decoder.arr, decoder.pos);
      syncHandler(encoder, decoder, provider, emitSynced, messageType);
      if (message) this.heard(message.type, message.payload);
    };
    // The stock handler only logs a refused write; we tell the user and go read-only.
    this.provider.messageHandlers[messageAuth] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => this.events.onRefused(reason));
    };
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') {
        this.update({ status: this.provider.synced && this.localReady() ? 'live' : 'connecting' });
      } else if (status === 'disconnected') {
        this.acks.disconnected();
        // The server announced us gone at our last awareness clock and ignores that clock
        // again: a newer one makes our return seen at once, not at the next 15 s renewal.
        const local = this.provider.awareness.getLocalState();
        if (local !== null && !this.destroyed) this.provider.awareness.setLocalState({ ...local });
        this.update({ status: 'reconnecting', lostAt: this.state.lostAt ?? Date.now() });
      } else if (this.state.status !== 'reconnecting') {
        this.update({ status: 'connecting' });
      }
    });
    this.provider.on('sync', (synced) => {
      if (synced) this.serverSynced();
    });
    this.provider.on('closed', ({ code }) => this.update({ status: 'closed', closeCode: code }));
    this.provider.awareness.on('change', () => this.events.onPresence());
  }

  private heard(type: number, payload: Uint8Array) {
    if (this.destroyed) return;
    if (type === SYNC_STEP1) {
      // The server's greeting: whatever we hold beyond it waits to be confirmed.
      this.acks.serverState(Y.decodeStateVector(payload), Y.decodeStateVector(Y.encodeStateVector(this.doc)));
      if (this.acks.waiting.size > 0 && this.localReady()) this.setPending(true);
      return;
    }
    if (type !== SYNC_STEP2 && type !== SYNC_UPDATE) return;
    if (this.acks.fromServer(type, reachedBy(payload))) {
      this.setPending(false);
    } else if (type === SYNC_STEP2 && this.pendingLocal && !this.acks.probing) {
      // The answer came but the server does not have everything yet: ask again shortly.
      this.probeSoon(1000);
    }
  }

  private probeSoon(delay: number) {
    if (this.probeTimer !== null || this.destroyed) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      this.probe();
    }, delay);
  }

  /** Asks the server what it has of the edits we wait for (sent after them, so answered after them). */
  private probe() {
    if (this.destroyed || !this.pendingLocal) return;
    const ws = this.provider.ws;
    if (!ws || !this.provider.wsconnected || !this.provider.synced) return;
    const local = Y.decodeStateVector(Y.encodeStateVector(this.doc));
    ws.send(encodeStep1(Y.encodeStateVector(this.acks.probeVector(local))));
  }

  /** The browser's copy has been read (or there is none). */
  private localReady(): boolean {
    return this.persistence === null || this.persistence.synced;
  }

  private serverSynced() {
    // "Live" only once the browser's copy is merged too: until then its edits are not sent.
    if (!this.localReady()) return;
    this.update({ status: 'live', loaded: true, lostAt: null });
    // Our answer to the server's step 1 (what it lacked) is sent by now: ask whether it has it.
    if (this.pendingLocal) this.probeSoon(0);
  }

  private setPending(pending: boolean) {
    if (this.pendingLocal === pending) return;
    this.pendingLocal = pending;
    if (this.dbName) writePending(this.dbName, pending);
    this.events.onState();
  }

  private update(change: Partial<LinkState>) {
    if (this.destroyed) return;
    this.state = { ...this.state, ...change };
    this.events.onState();
  }

  /** The awareness states of everyone in this room, ours included. */
  awarenessStates(): Map<number, Record<string, unknown>> {
    return this.provider.awareness.getStates() as Map<number, Record<string, unknown>>;
  }

  setPresenceField(field: string, value: unknown) {
    if (this.destroyed) return;
    this.provider.awareness.setLocalStateField(field, value);
  }

  /** `forget`: also delete the browser's copy (refused edits, a section no longer readable). */
  destroy({ forget = false }: { forget?: boolean } = {}) {
    this.destroyed = true;
    if (this.probeTimer !== null) clearTimeout(this.probeTimer);
    this.provider.awareness.setLocalState(null);
    this.provider.destroy();
    const persistence = this.persistence;
    this.doc.destroy();
    if (forget && persistence && this.dbName) {
      const name = this.dbName;
      void persistence.destroy().then(() => deleteOfflineDb(name)).catch(() => undefined);
    }
  }
}
