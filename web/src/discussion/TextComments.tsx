// Comments on a range of a rich-text section: "Comment on selection", and the highlight of the
// active thread's words in the editor (kept in place through everyone's edits by Yjs).
import { Plugin, PluginKey, type EditorState } from '@tiptap/pm/state';
import { Decoration, DecorationSet } from '@tiptap/pm/view';
import type { Editor } from '@tiptap/react';
import { absolutePositionToRelativePosition, relativePositionToAbsolutePosition, ySyncPluginKey } from '@tiptap/y-tiptap';
import { useEffect, useState } from 'react';
import type { Anchor } from '../api/discussion';
import type { Section } from '../api/types';
import { ChatIcon } from '../components/Icons';
import { useT } from '../i18n/I18nProvider';
import { decodePosition, makeAnchor } from './anchors';
import { useDiscussion } from './context';

const highlightKey = new PluginKey<Anchor | null>('jointplan-comment-highlight');

interface YState {
  type: import('yjs').XmlFragment;
  doc: import('yjs').Doc;
  binding: { mapping: Map<unknown, unknown> } | null;
}

function yState(state: EditorState): YState | null {
  const y = ySyncPluginKey.getState(state) as YState | undefined;
  return y && y.binding && y.type && y.doc ? y : null;
}

/** Where the anchor's words are in the editor now; null when they were deleted or cannot be found. */
export function resolveAnchor(state: EditorState, anchor: Anchor): { from: number; to: number } | null {
  const y = yState(state);
  if (!y || !y.binding) return null;
  const start = decodePosition(anchor.start);
  const end = decodePosition(anchor.end);
  if (!start || !end) return null;
  try {
    const from = relativePositionToAbsolutePosition(y.doc, y.type, start, y.binding.mapping as never);
    const to = relativePositionToAbsolutePosition(y.doc, y.type, end, y.binding.mapping as never);
    if (from === null || to === null || to <= from) return null;
    const size = state.doc.content.size;
    return { from: Math.max(0, Math.min(from, size)), to: Math.max(0, Math.min(to, size)) };
  } catch {
    return null;
  }
}

function anchorOf(state: EditorState, from: number, to: number): Anchor | null {
  const y = yState(state);
  if (!y || !y.binding || to <= from) return null;
  try {
    const start = absolutePositionToRelativePosition(from, y.type, y.binding.mapping as never);
    const end = absolutePositionToRelativePosition(to, y.type, y.binding.mapping as never);
    return makeAnchor(start, end, state.doc.textBetween(from, to, ' '));
  } catch {
    return null;
  }
}

function highlightPlugin() {
  return new Plugin<Anchor | null>({
    key: highlightKey,
    state: {
      init: () => null,
      apply: (tr, value) => {
        const next = tr.getMeta(highlightKey) as Anchor | null | undefined;
        return next === undefined ? value : next;
      },
    },
    props: {
      decorations(state) {
        const anchor = highlightKey.getState(state);
        const range = anchor ? resolveAnchor(state, anchor) : null;
        if (!range) return null;
        return DecorationSet.create(state.doc, [
          Decoration.inline(range.from, range.to, { class: 'comment-highlight', 'data-testid': 'comment-highlight' }),
        ]);
      },
    },
  });
}

/** The selected range of the editor: its own selection, or (read-only editor) the page's. */
function selectedRange(editor: Editor): { from: number; to: number } | null {
  const { from, to, empty } = editor.state.selection;
  if (!empty) return { from, to };
  const selection = typeof window === 'undefined' ? null : window.getSelection();
  if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
  const range = selection.getRangeAt(0);
  const dom = editor.view.dom;
  if (!dom.contains(range.startContainer) || !dom.contains(range.endContainer)) return null;
  try {
    const a = editor.view.posAtDOM(range.startContainer, range.startOffset);
    const b = editor.view.posAtDOM(range.endContainer, range.endOffset);
    return a < b ? { from: a, to: b } : b < a ? { from: b, to: a } : null;
  } catch {
    return null;
  }
}

/** The comment-on-selection button and the highlight, for one rich-text section. */
export function TextComments({ editor, section }: { editor: Editor; section: Section }) {
  const t = useT();
  const discussion = useDiscussion();
  const [range, setRange] = useState<{ from: number; to: number } | null>(null);
  const sectionId = String(section.id);

  useEffect(() => {
    if (editor.isDestroyed) return;
    editor.registerPlugin(highlightPlugin());
    return () => {
      if (!editor.isDestroyed) editor.unregisterPlugin(highlightKey);
    };
  }, [editor]);

  useEffect(() => {
    const update = () => setRange(editor.isDestroyed ? null : selectedRange(editor));
    editor.on('selectionUpdate', update);
    document.addEventListener('selectionchange', update);
    return () => {
      editor.off('selectionUpdate', update);
      document.removeEventListener('selectionchange', update);
    };
  }, [editor]);

  // The active thread's words, else the words a new thread is being written about.
  const active = discussion?.activeThread;
  const target = discussion?.target;
  const shown: Anchor | null =
    active && active.section_id === sectionId && !active.item_id && active.anchor
      ? active.anchor
      : discussion?.panelOpen && target && target.sectionId === sectionId && !target.itemId && target.range
        ? target.range
        : null;
  useEffect(() => {
    if (editor.isDestroyed) return;
    editor.view.dispatch(editor.state.tr.setMeta(highlightKey, shown));
    const where = shown ? resolveAnchor(editor.state, shown) : null;
    if (where) {
      const { node } = editor.view.domAtPos(where.from);
      (node instanceof Element ? node : node.parentElement)?.scrollIntoView({ block: 'nearest' });
    }
  }, [editor, shown?.start, shown?.end]);

  if (!discussion?.canComment) return null;
  const comment = () => {
    const current = selectedRange(editor) ?? range;
    const anchor = current ? anchorOf(editor.state, current.from, current.to) : null;
    if (!anchor) return;
    discussion.openComments({ sectionId, itemId: null, itemLabel: null, range: anchor });
  };
  return (
    <div className="text-comments">
      <button
        type="button"
        className="button button--small text-comments__button"
        disabled={!range}
        title={range ? undefined : t('comments.selectFirst')}
        onMouseDown={(e) => e.preventDefault()}
        onClick={comment}
      >
        <ChatIcon /> {t('comments.onSelection')}
      </button>
      {!range && <span className="muted text-comments__hint">{t('comments.selectFirst')}</span>}
    </div>
  );
}
