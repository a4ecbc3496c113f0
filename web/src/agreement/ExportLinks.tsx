import { useState } from 'react';
import type { Id } from '../api/decode';
import { downloadExport } from '../api/endpoints';
import { ErrorMessage } from '../components/Feedback';
import { useT } from '../i18n/I18nProvider';
import { useAction } from '../lib/useAction';

type Format = 'pdf' | 'md';

/**
 * Download buttons for the plan or a version. While the server renders the file the button
 * says so; a refusal (too much text, offline, too many exports) is shown here in words.
 */
export function ExportLinks({ planId, versionId, label }: { planId: Id; versionId?: Id | null; label: string }) {
  const t = useT();
  const { busy, error, run } = useAction();
  const [pending, setPending] = useState<Format | null>(null);
  const start = (format: Format) => {
    setPending(format);
    void run(() => downloadExport(planId, format, versionId)).finally(() => setPending(null));
  };
  const button = (format: Format, text: string) => (
    <button type="button" className="button button--small" disabled={busy} aria-busy={pending === format} onClick={() => start(format)}>
      {pending === format ? t('export.preparing') : text}
    </button>
  );
  return (
    <div className="export-links" role="group" aria-label={label}>
      {button('pdf', t('export.pdf'))}
      {button('md', t('export.markdown'))}
      <ErrorMessage error={error} />
    </div>
  );
}
