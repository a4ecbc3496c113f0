import { useEffect, useState } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { CheckIcon, CopyIcon } from './Icons';

async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

/** Copies `text`; `what` names the thing for screen readers ("Copy link"). */
export function CopyButton({ text, what }: { text: string; what: string }) {
  const { t, lang } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), 2500);
    return () => window.clearTimeout(timer);
  }, [state]);

  return (
    <span className="copy">
      <button
        type="button"
        className="button button--small"
        onClick={async () => setState((await copyText(text)) ? 'copied' : 'failed')}
      >
        {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
        {t('common.copyThing', { thing: what.toLocaleLowerCase(lang) })}
      </button>
      <span className="copy__status" role="status" aria-live="polite">
        {state === 'copied' ? t('common.copied') : state === 'failed' ? t('common.copyFailed') : ''}
      </span>
    </span>
  );
}
