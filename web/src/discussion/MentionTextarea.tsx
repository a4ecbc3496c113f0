import { useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import type { Member } from '../api/types';
import { useT } from '../i18n/I18nProvider';
import { insertMention, mentionCandidates, mentionQuery, suggestionAudience, type Audience } from './mentions';

interface Props {
  label: string;
  value: string;
  onChange: (value: string) => void;
  members: readonly Member[];
  audience: Audience;
  selfId: string;
  placeholder?: string;
  onSubmit?: () => void;
}

/** A comment box: typing "@" offers the members who can read the thread. */
export function MentionTextarea({ label, value, onChange, members, audience, selfId, placeholder, onSubmit }: Props) {
  const t = useT();
  const id = useId();
  const ref = useRef<HTMLTextAreaElement>(null);
  const pendingCaret = useRef<number | null>(null);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const query = mentionQuery(value, caret);
  const open = query !== null && dismissed !== query.at;
  const candidates = useMemo(
    // Before the thread's visibility is chosen, everyone who could read it is offered.
    () => (open && query ? mentionCandidates(members, suggestionAudience(audience), query.query, selfId) : []),
    [open, query?.query, members, audience, selfId],
  );

  function choose(member: Member) {
    if (!query) return;
    const next = insertMention(value, caret, query, member);
    onChange(next.text);
    setCaret(next.caret);
    // Placed as the new text renders, before the next key press can land: a frame later,
    // keys typed meanwhile went in after the caret was moved back behind them.
    pendingCaret.current = next.caret;
  }

  useLayoutEffect(() => {
    const at = pendingCaret.current;
    if (at === null || !ref.current) return;
    pendingCaret.current = null;
    ref.current.focus();
    ref.current.setSelectionRange(at, at);
  }, [value]);

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (candidates.length > 0) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        setActive((a) => (a + (e.key === 'ArrowDown' ? 1 : candidates.length - 1)) % candidates.length);
        return;
      }
      if (e.key === 'Enter' || e.key === 'Tab') {
        e.preventDefault();
        choose(candidates[Math.min(active, candidates.length - 1)]!);
        return;
      }
      if (e.key === 'Escape') {
        e.preventDefault();
        setDismissed(query?.at ?? null);
        return;
      }
    }
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey) && onSubmit) {
      e.preventDefault();
      onSubmit();
    }
  }

  const listId = `${id}-mentions`;
  return (
    <div className="mention-box">
      <label className="visually-hidden" htmlFor={id}>
        {label}
      </label>
      <textarea
        ref={ref}
        id={id}
        className="input mention-box__input"
        rows={3}
        value={value}
        placeholder={placeholder}
        aria-autocomplete="list"
        aria-controls={candidates.length > 0 ? listId : undefined}
        aria-expanded={candidates.length > 0}
        onChange={(e) => {
          onChange(e.target.value);
          setCaret(e.target.selectionStart ?? e.target.value.length);
          setActive(0);
        }}
        onSelect={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
        onKeyDown={onKeyDown}
      />
      {candidates.length > 0 && (
        <ul className="mention-box__list" role="listbox" id={listId} aria-label={t('comments.mentionSomeone')}>
          {candidates.map((m, i) => (
            <li
              key={String(m.id)}
              role="option"
              aria-selected={i === active}
              className={`mention-box__option${i === active ? ' mention-box__option--active' : ''}`}
              onMouseDown={(e) => {
                e.preventDefault();
                choose(m);
              }}
            >
              <strong>{m.user.name || m.user.email}</strong> <span className={`badge badge--${m.party}`}>{t(`party.${m.party}`)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
