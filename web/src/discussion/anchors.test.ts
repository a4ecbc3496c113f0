import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { decodePosition, fromBase64, makeAnchor, quoteOf, resolveInText, toBase64 } from './anchors';

describe('anchors', () => {
  it('round-trips bytes through base64', () => {
    const bytes = new Uint8Array([0, 1, 127, 128, 200, 255]);
    expect([...fromBase64(toBase64(bytes))]).toEqual([...bytes]);
  });

  it('follows its words through edits before them and detaches when they are deleted', () => {
    const doc = new Y.Doc();
    const text = doc.getText('t');
    text.insert(0, 'We launch in spring.');
    const anchor = makeAnchor(Y.createRelativePositionFromTypeIndex(text, 3), Y.createRelativePositionFromTypeIndex(text, 9, -1), 'launch')!;
    expect(anchor.quote).toBe('launch');
    expect(resolveInText(doc, anchor)).toEqual({ from: 3, to: 9 });

    text.insert(0, 'Maybe ');
    const moved = resolveInText(doc, anchor)!;
    expect(text.toString().slice(moved.from, moved.to)).toBe('launch');

    text.delete(moved.from, 6);
    expect(resolveInText(doc, anchor)).toBeNull();
  });

  it('treats odd anchors as not found instead of throwing', () => {
    const doc = new Y.Doc();
    expect(decodePosition('not base64!')).toBeNull();
    expect(resolveInText(doc, { start: '', end: '', quote: 'x', field: null })).toBeNull();
  });

  it('keeps quotes short and on one line', () => {
    expect(quoteOf('  two\n\nlines ')).toBe('two lines');
    expect(quoteOf('   ')).toBeNull();
    expect(quoteOf('x'.repeat(3000))?.length).toBe(2000);
  });
});
