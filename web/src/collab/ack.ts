// Whether the server has this browser's edits, from what the server itself says (not a timer).
//
// y-websocket tells a client nothing when an update is stored. But the server answers a sync
// step 1 (a state vector) with a sync step 2 holding whatever the server has beyond it, and it
// handles one connection's messages in order, each update committed before the next message
// is read. So we ask: after our edits have been sent, we send a step 1 that claims, for every
// client whose edits we wait for, only what the server is known to have. The answer holds those
// clients' structs as far as the server has them: when it reaches our local clock, the edits
// are on the server. The server's own step 1 on connecting tells us where it stood then.

import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageSync } from 'y-websocket';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import * as Y from 'yjs';

/** y-websocket's outer message type and y-protocols' sync message types. */
export const MESSAGE_SYNC = messageSync;
export const SYNC_STEP1 = messageYjsSyncStep1;
export const SYNC_STEP2 = messageYjsSyncStep2;
export const SYNC_UPDATE = messageYjsUpdate;

/** The sync message type and payload at `pos` (after the outer message type), or null. */
export function readSyncMessage(arr: Uint8Array, pos: number): { type: number; payload: Uint8Array } | null {
  const decoder = decoding.createDecoder(arr);
  decoder.pos = pos;
  try {
    const type = decoding.readVarUint(decoder);
    const length = decoding.readVarUint(decoder);
    // Bounded by this array, not by the buffer under it (lib0 reads views of the buffer).
    if (decoder.pos + length > arr.length) return null;
    return { type, payload: arr.subarray(decoder.pos, decoder.pos + length) };
  } catch {
    return null; // truncated in a number
  }
}

/** A whole y-websocket frame: a sync step 1 with this state vector. */
export function encodeStep1(stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  encoding.writeVarUint(encoder, SYNC_STEP1);
  encoding.writeVarUint8Array(encoder, stateVector);
  return encoding.toUint8Array(encoder);
}

/**
 * The bookkeeping: which clients' edits (up to which clock) the server has yet to confirm, and
 * what it is known to have. Pure, so it can be tested without a socket.
 */
export class AckTracker {
  /** client id -> the local clock the server must reach. */
  readonly waiting = new Map<number, number>();
  /** client id -> the clock the server is known to have. */
  readonly known = new Map<number, number>();
  /** Probes sent on this connection whose answer has not come yet. */
  private outstanding = 0;

  /** A local edit: the server must reach our clock (a deletion alone leaves it as it is). */
  localEdit(clientId: number, clock: number) {
    this.waiting.set(clientId, Math.max(this.waiting.get(clientId) ?? 0, clock));
  }

  /** The server's state vector as it greeted us: whatever we hold beyond it is to be confirmed. */
  serverState(server: Map<number, number>, local: Map<number, number>) {
    for (const [client, clock] of local) {
      const has = server.get(client) ?? 0;
      this.known.set(client, has);
      if (clock > has) this.waiting.set(client, Math.max(this.waiting.get(client) ?? 0, clock));
      else if ((this.waiting.get(client) ?? 0) <= has) this.waiting.delete(client);
    }
  }

  /** The state vector to ask with: ours, but only what the server is known to have of those we wait for. */
  probeVector(local: Map<number, number>): Map<number, number> {
    const sv = new Map(local);
    for (const client of this.waiting.keys()) sv.set(client, this.known.get(client) ?? 0);
    this.outstanding++;
    return sv;
  }

  /**
   * Structs the server sent (the state vector of a step 2 or an update). Returns true when this
   * answered a probe and nothing is waiting any more: the server has all our edits.
   */
  fromServer(type: number, reached: Map<number, number>): boolean {
    for (const [client, clock] of reached) {
      this.known.set(client, Math.max(this.known.get(client) ?? 0, clock));
      const wanted = this.waiting.get(client);
      if (wanted !== undefined && clock >= wanted) this.waiting.delete(client);
    }
    if (type !== SYNC_STEP2 || this.outstanding === 0) return false;
    this.outstanding--;
    return this.outstanding === 0 && this.waiting.size === 0;
  }

  /** The connection is gone: answers to probes sent on it never come. */
  disconnected() {
    this.outstanding = 0;
  }

  get probing(): boolean {
    return this.outstanding > 0;
  }
}

/** How far the structs in an update reach, per client (also when they do not start at clock 0). */
export function reachedBy(update: Uint8Array): Map<number, number> {
  try {
    return Y.parseUpdateMeta(update).to;
  } catch {
    return new Map();
  }
}
