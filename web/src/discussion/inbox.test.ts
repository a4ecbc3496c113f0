import { describe, expect, it } from 'vitest';
import { notificationText, readableExcerpt, threadLink } from './inbox';

describe('inbox', () => {
  it('names each kind of notification, and falls back for unknown ones', () => {
    expect(notificationText('mention')).toBe('inbox.mention');
    expect(notificationText('reply')).toBe('inbox.reply');
    expect(notificationText('thread')).toBe('inbox.thread');
    expect(notificationText('something-new')).toBe('inbox.other');
  });

  it('links to the section with the thread to open', () => {
    expect(threadLink('p 1', 's/2', 't&3')).toBe('/plans/p%201?section=s%2F2&thread=t%263');
  });

  it('shows mentions by name in excerpts', () => {
    expect(readableExcerpt('Ask @[Cora Berg](user:ab12-3) and @[Sven](user:9) now')).toBe('Ask @Cora Berg and @Sven now');
    expect(readableExcerpt('@[broken](user:)')).toBe('@[broken](user:)');
  });
});
