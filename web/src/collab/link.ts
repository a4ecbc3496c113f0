import { WebsocketProvider, messageAuth } from 'y-websocket';
import * as authProtocol from 'y-protocols/auth';
import * as Y from 'yjs';
import { CloseCode, FINAL_CLOSE_CODES } from './closeCodes';
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
  private destroyed = false;

  constructor(
    readonly sectionId: string,
    private readonly events: LinkEvents,
    serverUrl = collabUrl(),
  ) {
    this.provider = new WebsocketProvider(serverUrl, sectionId, this.doc, {
      // Tabs sync through the server only, so each tab's rights are the server's to decide.
      disableBc: true,
      maxBackoffTime: 5000,
      shouldReconnect: (event) => !STOP_CODES.has(event.code),
    });
    // The stock handler only logs a refused write; we tell the user and go read-only.
    this.provider.messageHandlers[messageAuth] = (_encoder, decoder) => {
      authProtocol.readAuthMessage(decoder, this.doc, (_doc, reason) => this.events.onRefused(reason));
    };
    this.provider.on('status', ({ status }) => {
      if (status === 'connected') {
        this.update({ status: this.provider.synced ? 'live' : 'connecting' });
      } else if (status === 'disconnected') {
        this.update({ status: 'reconnecting', lostAt: this.state.lostAt ?? Date.now() });
      } else if (this.state.status !== 'reconnecting') {
        this.update({ status: 'connecting' });
      }
    });
    this.provider.on('sync', (synced) => {
      if (synced) this.update({ status: 'live', loaded: true, lostAt: null });
    });
    this.provider.on('closed', ({ code }) => this.update({ status: 'closed', closeCode: code }));
    this.provider.awareness.on('change', () => this.events.onPresence());
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

  destroy() {
    this.destroyed = true;
    this.provider.awareness.setLocalState(null);
    this.provider.destroy();
    this.doc.destroy();
  }
}
