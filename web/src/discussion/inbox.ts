// Pure helpers of the notifications inbox.
import type { MessageKey } from '../i18n/en';

/** The sentence for a kind of notification; unknown kinds read as a plain new comment. */
export function notificationText(kind: string): MessageKey {
  switch (kind) {
    case 'mention':
      return 'inbox.mention';
    case 'thread':
      return 'inbox.thread';
    case 'reply':
      return 'inbox.reply';
    default:
      return 'inbox.other';
  }
}

/** Where a notification leads: the thread's section, with the thread to open in the panel. */
export function threadLink(planId: string, sectionId: string, threadId: string): string {
  const query = new URLSearchParams({ section: sectionId, thread: threadId });
  return `/plans/${encodeURIComponent(planId)}?${query}`;
}

/** An excerpt as people read it: mention markup `@[Name](user:ID)` becomes `@Name`. */
export function readableExcerpt(text: string): string {
  return text.replace(/@\[([^\]\n]{1,100})\]\(user:[0-9a-zA-Z-]+\)/g, '@$1');
}
