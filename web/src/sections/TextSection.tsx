import Collaboration from '@tiptap/extension-collaboration';
import CollaborationCaret from '@tiptap/extension-collaboration-caret';
import { EditorContent, useEditor, useEditorState, type Editor } from '@tiptap/react';
import StarterKit from '@tiptap/starter-kit';
import { useEffect } from 'react';
import type { Section } from '../api/types';
import type { SectionLink } from '../collab/link';
import { caretUser, type PresenceUser } from '../collab/presence';
import { TextComments } from '../discussion/TextComments';
import { useT } from '../i18n/I18nProvider';

interface Props {
  section: Section;
  link: SectionLink;
  me: PresenceUser;
  canWrite: boolean;
}

/** A caret with the person's name above it, in their colour (both checked: they come from
 * another browser). */
function renderCaret(user: Record<string, unknown>): HTMLElement {
  const { name, color } = caretUser(user);
  const caret = document.createElement('span');
  caret.className = 'collab-caret';
  caret.style.borderColor = color;
  const label = document.createElement('span');
  label.className = 'collab-caret__label';
  label.style.backgroundColor = color;
  label.textContent = name;
  caret.append(label);
  return caret;
}

/** Rich text bound to the section's `body` fragment, with everyone's carets and names. */
export function TextSection({ section, link, me, canWrite }: Props) {
  const t = useT();
  const editor = useEditor(
    {
      editable: canWrite,
      // The server's CSP refuses <style> elements; the same CSS is in styles/prosemirror.css.
      injectCSS: false,
      extensions: [
        // Collaboration brings its own undo history (Yjs-aware); the trailing-node helper
        // would write an empty paragraph on load, which a reader's connection may not do.
        StarterKit.configure({ undoRedo: false, trailingNode: false, link: false }),
        Collaboration.configure({ document: link.doc, field: 'body' }),
        CollaborationCaret.configure({
          provider: link.provider,
          user: me,
          render: renderCaret,
          selectionRender: (user: Record<string, unknown>) => ({
            nodeName: 'span',
            class: 'collab-selection',
            style: `background-color: ${caretUser(user).color}33`,
          }),
        }),
      ],
      editorProps: {
        attributes: {
          class: 'rich-text__editor',
          'aria-label': t('text.editorLabel', { section: section.title }),
          'aria-multiline': 'true',
          role: 'textbox',
          ...(canWrite ? {} : { 'aria-readonly': 'true' }),
        },
      },
    },
    [link],
  );

  useEffect(() => {
    if (editor && editor.isEditable !== canWrite) editor.setEditable(canWrite);
  }, [editor, canWrite]);
  const empty = useEditorState({ editor, selector: ({ editor: e }) => e?.isEmpty ?? false });

  return (
    <div className={`rich-text${canWrite ? '' : ' rich-text--readonly'}`}>
      {canWrite && editor && <Toolbar editor={editor} />}
      {editor && <TextComments editor={editor} section={section} />}
      <EditorContent editor={editor} />
      {empty && <p className="rich-text__empty">{canWrite ? t('text.emptyWriter') : t('text.empty')}</p>}
    </div>
  );
}

function Toolbar({ editor }: { editor: Editor }) {
  const t = useT();
  const state = useEditorState({
    editor,
    selector: ({ editor: e }) => ({
      bold: e.isActive('bold'),
      italic: e.isActive('italic'),
      heading: e.isActive('heading', { level: 2 }),
      bullets: e.isActive('bulletList'),
      numbers: e.isActive('orderedList'),
    }),
  });
  const button = (key: keyof typeof state, label: string, run: () => void, text: string) => (
    <button
      type="button"
      className="button button--small"
      aria-pressed={state[key]}
      aria-label={label}
      title={label}
      onMouseDown={(e) => e.preventDefault()}
      onClick={run}
    >
      {text}
    </button>
  );
  return (
    <div className="rich-text__toolbar" role="toolbar" aria-label={t('text.toolbar')}>
      {button('bold', t('text.bold'), () => editor.chain().focus().toggleBold().run(), 'B')}
      {button('italic', t('text.italic'), () => editor.chain().focus().toggleItalic().run(), 'I')}
      {button('heading', t('text.heading'), () => editor.chain().focus().toggleHeading({ level: 2 }).run(), 'H')}
      {button('bullets', t('text.bullets'), () => editor.chain().focus().toggleBulletList().run(), '•')}
      {button('numbers', t('text.numbers'), () => editor.chain().focus().toggleOrderedList().run(), '1.')}
    </div>
  );
}
