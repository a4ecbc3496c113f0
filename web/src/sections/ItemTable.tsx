import type { ReactNode } from 'react';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { useT } from '../i18n/I18nProvider';
import { ItemFallback } from './parts';

interface ItemTableProps<T extends { id: string }> {
  className: string;
  caption: string;
  /** Column headings; writers get one more, unlabelled on screen, for the row actions. */
  columns: string[];
  canWrite: boolean;
  items: T[];
  /** One `<tr>` for an item; a row that throws is replaced by a fallback row, not the table. */
  row: (item: T) => ReactNode;
}

/** The table of a list section's items (activities, stakeholders). */
export function ItemTable<T extends { id: string }>({ className, caption, columns, canWrite, items, row }: ItemTableProps<T>) {
  const t = useT();
  const span = columns.length + (canWrite ? 1 : 0);
  return (
    <div className="table-wrap">
      <table className={`table ${className}`}>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((heading) => (
              <th key={heading} scope="col">
                {heading}
              </th>
            ))}
            {canWrite && (
              <th scope="col">
                <span className="visually-hidden">{t('people.actions')}</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <ErrorBoundary
              key={item.id}
              resetKeys={[item]}
              fallback={() => (
                <tr>
                  <td colSpan={span}>
                    <ItemFallback />
                  </td>
                </tr>
              )}
            >
              {row(item)}
            </ErrorBoundary>
          ))}
        </tbody>
      </table>
    </div>
  );
}

interface DeleteProps {
  label: string;
  confirm: string;
  onDelete: () => void;
}

/** The last cell of a writer's row: delete the item once the user confirms. */
export function DeleteItemCell(props: DeleteProps) {
  return (
    <td>
      <DeleteItemButton {...props} />
    </td>
  );
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
  onAdd: (() => void) | null;
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
