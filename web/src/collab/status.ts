// The connection state a person sees, summed up from the section connections of a plan.

export type LinkStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

export interface LinkState {
  status: LinkStatus;
  /** The final close code when `status` is 'closed'. */
  closeCode: number | null;
  /** Whether the section's content has arrived at least once. */
  loaded: boolean;
  /** When the connection was last lost (ms since epoch), for telling a blip from an outage. */
  lostAt: number | null;
}

export type Connectivity = 'connecting' | 'live' | 'reconnecting' | 'offline';

/** After this long without a connection we say "offline" rather than "reconnecting". */
export const OFFLINE_AFTER_MS = 8000;

/**
 * Live when every open connection is synced; offline when the browser says so or the server
 * has been unreachable for a while; reconnecting in between. Closed connections (no access)
 * do not count: they are explained where that section is shown.
 */
export function summarize(links: readonly LinkState[], online: boolean, now: number): Connectivity {
  if (!online) return 'offline';
  const open = links.filter((l) => l.status !== 'closed');
  if (open.length === 0) return links.length === 0 ? 'connecting' : 'live';
  if (open.every((l) => l.status === 'live')) return 'live';
  const lost = open.filter((l) => l.status === 'reconnecting' || (l.status === 'connecting' && l.lostAt !== null));
  if (lost.length === 0) return 'connecting';
  const since = Math.min(...lost.map((l) => l.lostAt ?? now));
  return now - since >= OFFLINE_AFTER_MS ? 'offline' : 'reconnecting';
}
