// Text-range anchors (see server/comments/anchors.py): two Yjs relative positions, base64-encoded,
// and the words they enclosed. Pure helpers, unit-tested; the editor glue is in TextComments.
import * as Y from 'yjs';
import type { Anchor } from '../api/discussion';

export const MAX_QUOTE = 2000;

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export function encodePosition(position: Y.RelativePosition): string {
  return toBase64(Y.encodeRelativePosition(position));
}

/** The relative position an anchor end names, or null if it is not one (odd server data). */
export function decodePosition(encoded: string): Y.RelativePosition | null {
  try {
    return Y.decodeRelativePosition(fromBase64(encoded));
  } catch {
    return null;
  }
}

/** Trims and shortens the quoted words to what the server keeps; null when nothing is selected. */
export function quoteOf(text: string): string | null {
  const quote = text.replace(/\s+/g, ' ').trim();
  return quote ? quote.slice(0, MAX_QUOTE) : null;
}

export function makeAnchor(start: Y.RelativePosition, end: Y.RelativePosition, text: string, field: Anchor['field'] = null): Anchor | null {
  const quote = quoteOf(text);
  if (!quote) return null;
  return { start: encodePosition(start), end: encodePosition(end), quote, field };
}

/** Where an anchor lies in a Y.Text (an item's text field) now: null once its words are gone. */
export function resolveInText(doc: Y.Doc, anchor: Anchor): { from: number; to: number } | null {
  const start = decodePosition(anchor.start);
  const end = decodePosition(anchor.end);
  if (!start || !end) return null;
  const a = Y.createAbsolutePositionFromRelativePosition(start, doc);
  const b = Y.createAbsolutePositionFromRelativePosition(end, doc);
  if (!a || !b || a.type !== b.type || b.index <= a.index) return null;
  return { from: a.index, to: b.index };
}
