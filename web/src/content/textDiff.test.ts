import { describe, expect, it } from 'vitest';
import { diffText, transformIndex } from './textDiff';

describe('diffText', () => {
  it('finds the one replaced range', () => {
    expect(diffText('abc', 'abc')).toBeNull();
    expect(diffText('Hello world', 'Hello brave world')).toEqual({ index: 6, remove: 0, insert: 'brave ' });
    expect(diffText('Hello world', 'Hello')).toEqual({ index: 5, remove: 6, insert: '' });
    expect(diffText('aaa', 'aaaa')).toEqual({ index: 3, remove: 0, insert: 'a' });
    expect(diffText('', 'new')).toEqual({ index: 0, remove: 0, insert: 'new' });
  });

  it('never splits an emoji', () => {
    const change = diffText('a😀b', 'a😃b')!;
    expect(change).toEqual({ index: 1, remove: 2, insert: '😃' });
  });
});

describe('transformIndex', () => {
  it('shifts a caret by text inserted or deleted before it', () => {
    expect(transformIndex(5, [{ insert: 'abc' }])).toBe(8);
    expect(transformIndex(5, [{ retain: 2 }, { delete: 2 }])).toBe(3);
    expect(transformIndex(5, [{ retain: 4 }, { delete: 4 }])).toBe(4);
  });

  it('leaves a caret alone for changes after it', () => {
    expect(transformIndex(2, [{ retain: 3 }, { insert: 'x' }])).toBe(2);
    expect(transformIndex(2, [{ retain: 2 }, { insert: 'x' }])).toBe(2);
  });
});
