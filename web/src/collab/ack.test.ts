import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { AckTracker, SYNC_STEP1, SYNC_STEP2, SYNC_UPDATE, encodeStep1, reachedBy, readSyncMessage } from './ack';

const sv = (doc: Y.Doc) => Y.decodeStateVector(Y.encodeStateVector(doc));

/** What a y-websocket server answers a step 1 with: its update beyond the vector. */
function answer(server: Y.Doc, probe: Map<number, number>): Uint8Array {
  return Y.encodeStateAsUpdate(server, Y.encodeStateVector(probe));
}

function typed(doc: Y.Doc, text: string) {
  doc.getText('t').insert(doc.getText('t').length, text);
}

describe('AckTracker', () => {
  it('confirms only once the server answers with our edits', () => {
    const server = new Y.Doc();
    const local = new Y.Doc();
    Y.applyUpdate(local, Y.encodeStateAsUpdate(server));
    const acks = new AckTracker();
    // Offline: typed here, not on the server.
    typed(local, 'offline edit');
    acks.localEdit(local.clientID, Y.getState(local.store, local.clientID));
    // Reconnecting: the server's greeting says it has nothing of ours.
    acks.serverState(sv(server), sv(local));
    expect(acks.waiting.size).toBe(1);

    // Asked before our update reached the server: the answer holds nothing of ours.
    const early = acks.probeVector(sv(local));
    expect(acks.fromServer(SYNC_STEP2, reachedBy(answer(server, early)))).toBe(false);
    expect(acks.waiting.size).toBe(1);

    // The server has it now: the next answer confirms.
    Y.applyUpdate(server, Y.encodeStateAsUpdate(local));
    const late = acks.probeVector(sv(local));
    expect(late.get(local.clientID)).toBe(0);
    expect(acks.fromServer(SYNC_STEP2, reachedBy(answer(server, late)))).toBe(true);
    expect(acks.waiting.size).toBe(0);
  });

  it('asks again only for what the server is not known to have', () => {
    const server = new Y.Doc();
    const local = new Y.Doc();
    const acks = new AckTracker();
    typed(local, 'first');
    Y.applyUpdate(server, Y.encodeStateAsUpdate(local));
    acks.serverState(sv(server), sv(local));
    expect(acks.waiting.size).toBe(0);
    typed(local, ' second');
    acks.localEdit(local.clientID, Y.getState(local.store, local.clientID));
    const probe = acks.probeVector(sv(local));
    expect(probe.get(local.clientID)).toBe(5);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(local));
    const reply = answer(server, probe);
    // The answer carries the second edit only, not everything typed before.
    const copy = new Y.Doc();
    Y.applyUpdate(copy, reply);
    expect(reachedBy(reply).get(local.clientID)).toBe(Y.getState(local.store, local.clientID));
    expect(acks.fromServer(SYNC_STEP2, reachedBy(reply))).toBe(true);
  });

  it('edits kept from an earlier visit (another client id) wait until the server has them', () => {
    const earlier = new Y.Doc();
    typed(earlier, 'kept on this device');
    const local = new Y.Doc();
    Y.applyUpdate(local, Y.encodeStateAsUpdate(earlier));
    const server = new Y.Doc();
    const acks = new AckTracker();
    acks.serverState(sv(server), sv(local));
    expect([...acks.waiting.keys()]).toEqual([earlier.clientID]);
    Y.applyUpdate(server, Y.encodeStateAsUpdate(local));
    expect(acks.fromServer(SYNC_STEP2, reachedBy(answer(server, acks.probeVector(sv(local)))))).toBe(true);
  });

  it('an update or the handshake answer is no confirmation of a probe', () => {
    const acks = new AckTracker();
    expect(acks.fromServer(SYNC_STEP2, new Map())).toBe(false);
    acks.probeVector(new Map());
    expect(acks.fromServer(SYNC_UPDATE, new Map())).toBe(false);
    acks.disconnected();
    expect(acks.probing).toBe(false);
    expect(acks.fromServer(SYNC_STEP2, new Map())).toBe(false);
  });
});

describe('frames', () => {
  it('encodes a step 1 that y-protocols reads back', () => {
    const doc = new Y.Doc();
    typed(doc, 'x'.repeat(300));
    const vector = Y.encodeStateVector(doc);
    const frame = encodeStep1(vector);
    expect(frame[0]).toBe(0);
    const message = readSyncMessage(frame, 1);
    expect(message?.type).toBe(SYNC_STEP1);
    expect(Y.decodeStateVector(message!.payload)).toEqual(Y.decodeStateVector(vector));
    expect(readSyncMessage(frame.subarray(0, 3), 1)).toBeNull();
  });
});
