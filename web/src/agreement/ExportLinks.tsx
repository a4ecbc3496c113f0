import type { Id } from '../api/decode';
import { exportUrl } from '../api/endpoints';
import { useT } from '../i18n/I18nProvider';

/** Plain download links: the session cookie authenticates them, the server names the file. */
export function ExportLinks({ planId, versionId, label }: { planId: Id; versionId?: Id | null; label: string }) {
  const t = useT();
  return (
    <div className="export-links" role="group" aria-label={label}>
      <a className="button button--small" href={exportUrl(planId, 'pdf', versionId)} download>
        {t('export.pdf')}
      </a>
      <a className="button button--small" href={exportUrl(planId, 'md', versionId)} download>
        {t('export.markdown')}
      </a>
    </div>
  );
}
