import { useEffect, useLayoutEffect, useRef, useState, type ChangeEvent } from 'react';
import * as Y from 'yjs';
import { editText, textOf } from '../content/model';
import { transformIndex, type DeltaOp } from '../content/textDiff';

interface Props {
  map: Y.Map<unknown>;
  field: string;
  label: string;
  multiline?: boolean;
  className?: string;
  placeholder?: string;
  /** Shows the label visibly above the field; otherwise it is for screen readers only. */
  showLabel?: boolean;
  autoFocus?: boolean;
}

/**
 * An input bound to a Y.Text field of an item: typing becomes minimal text edits, so two
 * people typing in the same title merge; a caret stays put while others' edits arrive.
 */
export function YTextField({ map, field, label, multiline, className, placeholder, showLabel, autoFocus }: Props) {
  const raw = map.get(field);
  const ytext = raw instanceof Y.Text ? raw : null;
  const [value, setValue] = useState(() => textOf(raw));
  const ref = useRef<HTMLInputElement & HTMLTextAreaElement>(null);
  const pendingSelection = useRef<[number, number] | null>(null);

  // A plain-string field (or one replaced by someone else) is re-read on every render.
  const plain = ytext ? null : textOf(raw);
  useEffect(() => {
    if (plain !== null) setValue(plain);
  }, [plain]);

  useEffect(() => {
    if (!ytext) return;
    setValue(ytext.toString());
    const observer = (event: Y.YTextEvent, transaction: Y.Transaction) => {
      const el = ref.current;
      if (el && !transaction.local && document.activeElement === el) {
        const delta = event.delta as DeltaOp[];
        pendingSelection.current = [
          transformIndex(el.selectionStart ?? 0, delta),
          transformIndex(el.selectionEnd ?? 0, delta),
        ];
      }
      setValue(ytext.toString());
    };
    ytext.observe(observer);
    return () => ytext.unobserve(observer);
  }, [ytext]);

  useLayoutEffect(() => {
    // Multi-line fields grow with their text, so nothing is hidden behind a scrollbar.
    const el = ref.current;
    if (multiline && el) {
      el.style.height = 'auto';
      el.style.height = `${el.scrollHeight + 2}px`;
    }
    const selection = pendingSelection.current;
    if (selection && ref.current) {
      pendingSelection.current = null;
      ref.current.setSelectionRange(selection[0], selection[1]);
    }
  }, [value, multiline]);

  const onChange = (event: ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => {
    const next = event.target.value;
    setValue(next);
    editText(map, field, next);
  };

  const common = {
    ref,
    value,
    onChange,
    placeholder,
    autoFocus,
    className: `input ${className ?? ''}`,
    'aria-label': showLabel ? undefined : label,
  };
  const control = multiline ? <textarea rows={1} {...common} /> : <input type="text" {...common} />;
  if (!showLabel) return control;
  return (
    <label className="field">
      <span className="field__label">{label}</span>
      {control}
    </label>
  );
}
