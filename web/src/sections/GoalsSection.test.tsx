// @vitest-environment jsdom
import { act } from 'react';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import type { Section } from '../api/types';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { I18nProvider } from '../i18n/I18nProvider';
import { GoalsSection } from './GoalsSection';
import { mount, unmount } from '../test/mount';

const section: Section = {
  id: 's1',
  key: 'goals_operative',
  title: 'Operative goals',
  kind: 'goals',
  horizon: 'operative',
  owner: 'joint',
  visibility: 'shared',
  position: 0,
  help: '',
  can_write: true, can_manage: false, can_delete: false, owner_options: [], visibility_options: [],
};

function render(node: React.ReactNode) {
  return mount(<I18nProvider initial="en">{node}</I18nProvider>);
}

function malformedDoc() {
  const doc = new Y.Doc();
  const items = doc.getArray<unknown>('items');
  const good = new Y.Map<unknown>();
  good.set('id', 'g1');
  good.set('title', new Y.Text('Line trial passed'));
  good.set('due', 'not a date');
  const noId = new Y.Map<unknown>();
  noId.set('title', 'orphan');
  items.push(['junk', noId, good]);
  return doc;
}

describe('GoalsSection', () => {
  it('shows what it can of malformed content, for writers and readers', () => {
    for (const canWrite of [true, false]) {
      const el = render(<GoalsSection section={section} doc={malformedDoc()} canWrite={canWrite} />);
      expect(el.textContent).toContain('2 entries could not be shown');
      expect(el.querySelectorAll('[data-goal-id]')).toHaveLength(1);
      unmount();
    }
  });

  it('follows remote changes to the document', () => {
    const doc = malformedDoc();
    const el = render(<GoalsSection section={section} doc={doc} canWrite={false} />);
    const other = new Y.Doc();
    Y.applyUpdate(other, Y.encodeStateAsUpdate(doc));
    const added = new Y.Map<unknown>();
    added.set('id', 'g2');
    added.set('title', new Y.Text('Fibre trays in two chains'));
    other.getArray('items').push([added]);
    act(() => Y.applyUpdate(doc, Y.encodeStateAsUpdate(other)));
    expect(el.textContent).toContain('Fibre trays in two chains');
  });

  it('survives a document whose items root is something else', () => {
    const doc = new Y.Doc();
    doc.getMap('items').set('x', 1);
    const el = render(<GoalsSection section={section} doc={doc} canWrite />);
    expect(el.textContent).toContain('This entry cannot be shown');
  });
});

describe('ErrorBoundary', () => {
  it('keeps a crash inside the part that crashed', () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    function Broken(): never {
      throw new Error('bad item');
    }
    const el = render(
      <div>
        <ErrorBoundary fallback={() => <p>fallback shown</p>}>
          <Broken />
        </ErrorBoundary>
        <p>the rest</p>
      </div>,
    );
    expect(el.textContent).toContain('fallback shown');
    expect(el.textContent).toContain('the rest');
  });
});
