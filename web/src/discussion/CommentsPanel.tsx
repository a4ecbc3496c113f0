import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { Comment, Thread, ThreadVisibility } from '../api/discussion';
import { threads as threadsApi } from '../api/endpoints';
import type { Section } from '../api/types';
import { useAuth } from '../auth/AuthProvider';
import { usePartyName } from '../components/Badges';
import { ErrorMessage, Loading, LoadFailed } from '../components/Feedback';
import { EyeIcon } from '../components/Icons';
import { usePlanEvent } from '../collab/planEvents';
import { useI18n } from '../i18n/I18nProvider';
import { formatDateTime } from '../lib/format';
import { useAction } from '../lib/useAction';
import { useResource } from '../lib/useResource';
import { usePlanContext } from '../sections/hooks';
import { useDiscussion, type CommentTarget } from './context';
import { deadMentions, unreachedMentions, type Audience } from './mentions';
import { MentionTextarea } from './MentionTextarea';

/** Threads of the open section (or of one item, or a text range in it), beside the content. */
export function CommentsPanel({ section }: { section: Section }) {
  const { t } = useI18n();
  const discussion = useDiscussion()!;
  const { plan } = usePlanContext();
  const sectionId = String(section.id);
  const target: CommentTarget =
    discussion.target && discussion.target.sectionId === sectionId
      ? discussion.target
      : { sectionId, itemId: null, itemLabel: null, range: null };
  const [status, setStatus] = useState<'open' | 'resolved'>('open');
  const query = { section_id: sectionId, status, ...(target.itemId ? { item_id: target.itemId } : {}) };
  const list = useResource((signal) => threadsApi.list(plan.id, query, { signal }), [plan.id, sectionId, target.itemId, status]);
  usePlanEvent((type, data) => {
    if (!(type.startsWith('thread.') || type.startsWith('comment.'))) return false;
    const thread = data.thread as { section_id?: unknown } | undefined;
    return !thread || String(thread.section_id) === sectionId;
  }, list.reload);

  const onlySection = () => discussion.openComments({ sectionId, itemId: null, itemLabel: null, range: null });

  return (
    <aside className="comments" aria-labelledby="comments-title" data-testid="comments-panel">
      <header className="comments__header">
        <h2 id="comments-title">{t('comments.title')}</h2>
        <button type="button" className="button button--small button--ghost" onClick={() => discussion.setPanelOpen(false)}>
          {t('comments.close')}
        </button>
      </header>
      <p className="comments__scope">
        {target.itemId ? (
          <>
            {t('comments.onItem', { item: target.itemLabel || t('comments.thisItem') })}{' '}
            <button type="button" className="link-button" onClick={onlySection}>
              {t('comments.showSection')}
            </button>
          </>
        ) : (
          t('comments.onSection', { section: section.title })
        )}
      </p>
      {discussion.canComment && <NewThread key={`${target.itemId}-${target.range?.start}`} section={section} target={target} onCreated={list.reload} />}

      <div className="segmented" role="group" aria-label={t('comments.which')}>
        {(['open', 'resolved'] as const).map((s) => (
          <button key={s} type="button" className="segmented__option" aria-pressed={status === s} onClick={() => setStatus(s)}>
            {t(`comments.${s}`)}
          </button>
        ))}
      </div>
      {list.status === 'error' && <LoadFailed error={list.error} onRetry={list.reload} />}
      {!list.data ? (
        <Loading />
      ) : list.data.length === 0 ? (
        <p className="muted">{status === 'open' ? t('comments.noneOpen') : t('comments.noneResolved')}</p>
      ) : (
        <ol className="comments__threads">
          {list.data.map((thread) => (
            <li key={thread.id}>
              <ThreadCard thread={thread} section={section} onChanged={list.reload} />
            </li>
          ))}
        </ol>
      )}
    </aside>
  );
}

function useAudience(section: Section, visibility: ThreadVisibility | null): Audience {
  const { plan } = usePlanContext();
  return { sectionVisibility: section.visibility, threadVisibility: visibility, myParty: plan.my_membership?.party ?? 'supplier' };
}

function NewThread({ section, target, onCreated }: { section: Section; target: CommentTarget; onCreated: () => void }) {
  const { t } = useI18n();
  const partyName = usePartyName();
  const { plan, members } = usePlanContext();
  const { user } = useAuth();
  const [body, setBody] = useState('');
  const [visibility, setVisibility] = useState<ThreadVisibility | null>(null);
  const { busy, error, run } = useAction(onCreated);
  const [tried, setTried] = useState(false);
  const audience = useAudience(section, visibility);
  const myParty = plan.my_membership?.party ?? 'supplier';

  // Mentions that would notify nobody: never posted without the author's say-so.
  const unreached = visibility ? unreachedMentions(body, members, audience) : [];
  const dead = deadMentions(body);
  const [confirmed, setConfirmed] = useState('');
  const problemKey = `${visibility}|${unreached.map((m) => m.user.id).join(',')}|${dead.join(',')}`;
  const needsConfirm = (unreached.length > 0 || dead.length > 0) && confirmed !== problemKey;

  function submit(e?: FormEvent, force = false) {
    e?.preventDefault();
    setTried(true);
    if (!body.trim() || !visibility) return;
    if (needsConfirm && !force) return;
    void run(async () => {
      await threadsApi.create(plan.id, {
        section_id: String(section.id),
        item_id: target.itemId,
        anchor: target.range ? { start: target.range.start, end: target.range.end, quote: target.range.quote.slice(0, 2000), field: target.range.field as 'title' | null } : null,
        visibility,
        body: body.trim(),
      });
      setBody('');
      setVisibility(null);
      setTried(false);
      setConfirmed('');
    });
  }

  return (
    <form className="comments__new" onSubmit={submit} aria-label={t('comments.newThread')}>
      {target.range && (
        <blockquote className="comments__quote">
          <span className="visually-hidden">{t('comments.onText')}</span>“{target.range.quote}”
        </blockquote>
      )}
      <MentionTextarea
        label={t('comments.newThread')}
        value={body}
        onChange={setBody}
        members={members}
        audience={audience}
        selfId={String(user?.id ?? '')}
        placeholder={t('comments.placeholder')}
        onSubmit={() => void submit()}
      />
      <fieldset className={`comments__visibility${tried && !visibility ? ' comments__visibility--missing' : ''}`}>
        <legend>{t('comments.whoSees')}</legend>
        <label className={`choice choice--shared${visibility === 'shared' ? ' choice--on' : ''}`}>
          <input type="radio" name="visibility" value="shared" checked={visibility === 'shared'} onChange={() => setVisibility('shared')} />
          {t('comments.shared')}
        </label>
        <label className={`choice choice--internal${visibility === 'internal' ? ' choice--on' : ''}`}>
          <input type="radio" name="visibility" value="internal" checked={visibility === 'internal'} onChange={() => setVisibility('internal')} />
          {t('comments.internal', { party: partyName(plan, myParty) })}
        </label>
        {tried && !visibility && <p className="field__error">{t('comments.chooseVisibility')}</p>}
      </fieldset>
      {(unreached.length > 0 || (tried && dead.length > 0)) && confirmed !== problemKey && (
        <div className="comments__mention-warning" role="alert" data-testid="mention-warning">
          {unreached.length > 0 && (
            <p>{t('comments.mentionUnreached', { names: unreached.map((m) => m.user.name || m.user.email).join(', ') })}</p>
          )}
          {tried && dead.length > 0 && <p>{t('comments.mentionDead', { text: dead.join(', ') })}</p>}
          <button type="button" className="button button--small" onClick={() => {
              setConfirmed(problemKey);
              submit(undefined, true);
            }}>
            {t('comments.postAnyway')}
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
      <button type="submit" className="button button--primary" disabled={busy || !body.trim()}>
        {busy ? t('common.saving') : t('comments.post')}
      </button>
    </form>
  );
}

function ThreadCard({ thread, section, onChanged }: { thread: Thread; section: Section; onChanged: () => void }) {
  const { t } = useI18n();
  const partyName = usePartyName();
  const discussion = useDiscussion()!;
  const { plan, members } = usePlanContext();
  const { user } = useAuth();
  const [reply, setReply] = useState('');
  const { busy, error, run } = useAction(onChanged);
  const audience = useAudience(section, thread.visibility);
  const active = discussion.activeThread?.id === thread.id;
  const focused = discussion.focusThreadId === thread.id;
  const first = thread.comments[0];
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!focused) return;
    ref.current?.scrollIntoView({ block: 'nearest' });
    ref.current?.focus();
  }, [focused]);


  async function sendReply(e?: FormEvent) {
    e?.preventDefault();
    if (!reply.trim()) return;
    if (await run(() => threadsApi.reply(plan.id, thread.id, { body: reply.trim(), reply_to: first?.id ?? null }))) setReply('');
  }

  return (
    <article
      ref={ref}
      tabIndex={-1}
      className={`thread thread--${thread.visibility}${active ? ' thread--active' : ''}${focused ? ' thread--focused' : ''}`}
      aria-label={t('comments.threadBy', { name: thread.author.name })}
      data-thread-id={thread.id}
    >
      <header className="thread__header">
        {thread.visibility === 'shared' ? (
          <span className="badge badge--joint thread__visibility">{t('comments.sharedBadge')}</span>
        ) : (
          <span className={`badge badge--${thread.party} thread__visibility`}>
            <EyeIcon /> {t('comments.internalBadge', { party: partyName(plan, thread.party) })}
          </span>
        )}
        {thread.status === 'resolved' && <span className="badge badge--neutral">{t('comments.resolvedBadge')}</span>}
      </header>
      {thread.anchor && (
        <button
          type="button"
          className={`comments__quote comments__quote--button${thread.anchor_state?.detached ? ' comments__quote--detached' : ''}`}
          aria-pressed={active}
          onClick={() => discussion.setActiveThread(active ? null : thread)}
          title={t('comments.highlight')}
        >
          “{thread.anchor_state?.quote || thread.anchor.quote}”
          {thread.anchor_state?.detached && <span className="muted"> {t('comments.detached')}</span>}
        </button>
      )}
      <ol className="thread__comments">
        {thread.comments.map((c) => (
          <li key={c.id} className="comment">
            <CommentItem comment={c} thread={thread} mine={c.author.id === String(user?.id ?? '')} onChanged={onChanged} />
          </li>
        ))}
      </ol>
      <ErrorMessage error={error} />
      {discussion.canComment && thread.status === 'open' && (
        <form className="thread__reply" onSubmit={sendReply}>
          <MentionTextarea
            label={t('comments.replyTo', { name: thread.author.name })}
            value={reply}
            onChange={setReply}
            members={members}
            audience={audience}
            selfId={String(user?.id ?? '')}
            placeholder={t('comments.replyPlaceholder')}
            onSubmit={() => void sendReply()}
          />
          <div className="thread__actions">
            <button type="submit" className="button button--small button--primary" disabled={busy || !reply.trim()}>
              {t('comments.reply')}
            </button>
            <button type="button" className="button button--small" disabled={busy} onClick={() => run(() => threadsApi.resolve(plan.id, thread.id))}>
              {t('comments.resolve')}
            </button>
          </div>
        </form>
      )}
      {discussion.canComment && thread.status === 'resolved' && (
        <div className="thread__actions">
          {thread.resolved_by && <span className="muted">{t('comments.resolvedBy', { name: thread.resolved_by.name })}</span>}
          <button type="button" className="button button--small" disabled={busy} onClick={() => run(() => threadsApi.reopen(plan.id, thread.id))}>
            {t('comments.reopen')}
          </button>
        </div>
      )}
    </article>
  );
}

/** One comment; its author may edit or delete it. */
function CommentItem({ comment: c, thread, mine, onChanged }: { comment: Comment; thread: Thread; mine: boolean; onChanged: () => void }) {
  const { t, lang } = useI18n();
  const { plan } = usePlanContext();
  const discussion = useDiscussion()!;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(c.body);
  const { busy, error, run } = useAction(onChanged);


  async function save(e?: FormEvent) {
    e?.preventDefault();
    if (!draft.trim()) return;
    if (await run(() => threadsApi.editComment(plan.id, thread.id, c.id, draft.trim()))) setEditing(false);
  }

  return (
    <>
      <div className="comment__meta">
        <strong>{c.author.name}</strong> <span className="muted">{formatDateTime(c.created_at, lang)}</span>
        {c.edited_at && !c.deleted && <span className="muted"> · {t('comments.edited')}</span>}
      </div>
      {c.deleted ? (
        <p className="muted">{t('comments.deleted')}</p>
      ) : editing ? (
        <form className="comment__edit" onSubmit={save}>
          <label className="visually-hidden" htmlFor={`edit-${c.id}`}>
            {t('comments.editLabel')}
          </label>
          <textarea id={`edit-${c.id}`} className="input" rows={3} value={draft} onChange={(e) => setDraft(e.target.value)} />
          <div className="thread__actions">
            <button type="submit" className="button button--small button--primary" disabled={busy || !draft.trim()}>
              {t('comments.saveEdit')}
            </button>
            <button type="button" className="button button--small" disabled={busy} onClick={() => setEditing(false)}>
              {t('common.cancel')}
            </button>
          </div>
        </form>
      ) : (
        // Sanitised by the server: escaped text with a small set of tags.
        <div className="comment__body" dangerouslySetInnerHTML={{ __html: c.html }} />
      )}
      {mine && !c.deleted && !editing && discussion.canComment && (
        <div className="comment__tools">
          <button
            type="button"
            className="link-button"
            disabled={busy}
            onClick={() => {
              setDraft(c.body);
              setEditing(true);
            }}
          >
            {t('comments.edit')}
          </button>
          <button
            type="button"
            className="link-button link-button--danger"
            disabled={busy}
            onClick={() => {
              if (window.confirm(t('comments.confirmDelete'))) void run(() => threadsApi.deleteComment(plan.id, thread.id, c.id));
            }}
          >
            {t('common.delete')}
          </button>
        </div>
      )}
      <ErrorMessage error={error} />
    </>
  );
}
