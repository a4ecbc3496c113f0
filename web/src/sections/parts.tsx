import { useId, type ReactNode } from 'react';
import { useT } from '../i18n/I18nProvider';
import { parseDay } from '../content/timeline';

/** Shown in place of an item (or a whole section) whose content cannot be displayed. */
export function ItemFallback() {
  const t = useT();
  return (
    <div className="item-fallback" role="note">
      {t('content.itemBroken')}
    </div>
  );
}

export function SkippedNotice({ count }: { count: number }) {
  const t = useT();
  if (count <= 0) return null;
  return (
    <p className="alert alert--warning" role="note">
      {t('content.skipped', { count })}
    </p>
  );
}

/** A date input for an ISO date field; a stored value that is not a date is shown, not lost. */
export function DateField({ label, value, onChange, compact }: { label: string; value: string; onChange: (v: string) => void; compact?: boolean }) {
  const t = useT();
  const id = useId();
  const valid = parseDay(value) !== null;
  const input = (
    <input
      id={id}
      className={`input${compact ? ' input--compact' : ''}`}
      type="date"
      value={valid ? value.slice(0, 10) : ''}
      aria-label={compact ? label : undefined}
      onChange={(e) => onChange(e.target.value)}
    />
  );
  const odd = !valid && value ? <span className="field__hint">{t('content.notADate', { value })}</span> : null;
  if (compact) {
    return (
      <>
        {input}
        {odd}
      </>
    );
  }
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {input}
      {odd}
    </div>
  );
}

interface StatusSelectProps<T extends string> {
  label: string;
  value: string;
  options: readonly T[];
  optionLabel: (value: T) => string;
  onChange: (value: T) => void;
  compact?: boolean;
  /** Label of the empty choice; without it there is none (unless the value is unknown). */
  emptyLabel?: string;
  className?: string;
}

/** A select for a field with known values; an unknown stored value stays selectable. */
export function StatusSelect<T extends string>({ label, value, options, optionLabel, onChange, compact, emptyLabel, className }: StatusSelectProps<T>) {
  const id = useId();
  const known = (options as readonly string[]).includes(value);
  const select = (
    <select
      id={id}
      className={`input${compact ? ' input--compact' : ''} ${className ?? ''}`}
      value={value}
      aria-label={compact ? label : undefined}
      onChange={(e) => onChange(e.target.value as T)}
    >
      {(emptyLabel !== undefined || (!known && !value)) && <option value="">{emptyLabel ?? '—'}</option>}
      {!known && value && <option value={value}>{value}</option>}
      {options.map((o) => (
        <option key={o} value={o}>
          {optionLabel(o)}
        </option>
      ))}
    </select>
  );
  if (compact) return select;
  return (
    <div className="field">
      <label className="field__label" htmlFor={id}>
        {label}
      </label>
      {select}
    </div>
  );
}

/** One fact of a list row, read-only: a small label over its value (inside a `<dl>`). */
export function ItemFact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="item-fact">
      <dt className="item-fact__label">{label}</dt>
      <dd className="item-fact__value">{children}</dd>
    </div>
  );
}

/** One fact of a list row, editable: a small visible label over its control. */
export function ItemFactField({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <label className={`item-fact${wide ? ' item-fact--wide' : ''}`}>
      <span className="item-fact__label">{label}</span>
      {children}
    </label>
  );
}
