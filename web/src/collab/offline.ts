// Offline edits: each section document is also kept in the browser (IndexedDB, y-indexeddb),
// one database per user and section, so edits made without a connection survive a reload and
// are sent when the connection is back. See docs/web.md ("Offline edits").

import { clearDocument } from 'y-indexeddb';

const PREFIX = 'jointplan-doc';
const REGISTRY_KEY = 'jointplan.offline.dbs';
const PENDING_PREFIX = 'jointplan.offline.pending.';

/** The IndexedDB name of one user's copy of one section: two accounts in one browser never mix. */
export function offlineDbName(userId: string, sectionId: string): string {
  return `${PREFIX}:${encodeURIComponent(userId)}:${encodeURIComponent(sectionId)}`;
}

export function isDbOf(userId: string, name: string): boolean {
  return name.startsWith(`${PREFIX}:${encodeURIComponent(userId)}:`);
}

function storage(): Storage | null {
  try {
    return typeof window === 'undefined' ? null : window.localStorage;
  } catch {
    return null;
  }
}

function readRegistry(): string[] {
  try {
    const parsed: unknown = JSON.parse(storage()?.getItem(REGISTRY_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === 'string') : [];
  } catch {
    return [];
  }
}

/** Notes a database name, for browsers that cannot list their databases. */
export function rememberDb(name: string) {
  const names = readRegistry();
  if (names.includes(name)) return;
  try {
    storage()?.setItem(REGISTRY_KEY, JSON.stringify([...names, name]));
  } catch {
    // Storage full or disabled: sign-out may then miss this one in browsers without databases().
  }
}

function forgetDb(name: string) {
  try {
    storage()?.setItem(REGISTRY_KEY, JSON.stringify(readRegistry().filter((n) => n !== name)));
    storage()?.removeItem(PENDING_PREFIX + name);
  } catch {
    // Nothing to forget.
  }
}

/** Whether this copy holds edits the server has not confirmed yet (kept across reloads). */
export function readPending(name: string): boolean {
  return storage()?.getItem(PENDING_PREFIX + name) === '1';
}

export function writePending(name: string, pending: boolean) {
  try {
    if (pending) storage()?.setItem(PENDING_PREFIX + name, '1');
    else storage()?.removeItem(PENDING_PREFIX + name);
  } catch {
    // The badge may then be wrong after a reload; the edits themselves are in IndexedDB.
  }
}

export async function deleteOfflineDb(name: string): Promise<void> {
  forgetDb(name);
  await clearDocument(name);
}

/** Removes every section copy of this user from the browser (on sign-out). */
export async function clearOfflineData(userId: string): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  const names = new Set(readRegistry().filter((n) => isDbOf(userId, n)));
  try {
    const listed = typeof indexedDB.databases === 'function' ? await indexedDB.databases() : [];
    for (const db of listed) if (db.name && isDbOf(userId, db.name)) names.add(db.name);
  } catch {
    // Fall back to the registry alone.
  }
  await Promise.all([...names].map((name) => deleteOfflineDb(name).catch(() => undefined)));
}
