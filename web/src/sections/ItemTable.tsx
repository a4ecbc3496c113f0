import type { MouseEvent, ReactNode } from 'react';
import { useT } from '../i18n/I18nProvider';

interface DeleteProps {
  label: string;
  confirm: string;
  onDelete: () => void;
}

/** "Delete", quiet until wanted: danger-coloured text, no box; asks before it deletes. */
export function DeleteItemButton({ label, confirm, onDelete }: DeleteProps) {
  const t = useT();
  return (
    <button
      type="button"
      className="button button--small button--danger-text"
      aria-label={label}
      onClick={() => {
        if (window.confirm(confirm)) onDelete();
      }}
    >
      {t('common.delete')}
    </button>
  );
}

/** The toolbar of a list section: a switch between its views and, for writers, "add". */
export function ItemToolbar<V extends string>({
  label,
  views,
  view,
  onView,
  addLabel,
  onAdd,
  children,
}: {
  label: string;
  views: { id: V; label: string }[];
  view: V;
  onView: (view: V) => void;
  addLabel: string;
  onAdd: ((event: MouseEvent) => void) | null;
  children?: ReactNode;
}) {
  return (
    <div className="toolbar">
      <div className="segmented" role="group" aria-label={label}>
        {views.map((v) => (
          <button key={v.id} type="button" aria-pressed={view === v.id} onClick={() => onView(v.id)}>
            {v.label}
          </button>
        ))}
      </div>
      {onAdd && (
        <button type="button" className="button button--primary" onClick={onAdd}>
          {addLabel}
        </button>
      )}
      {children}
    </div>
  );
}
