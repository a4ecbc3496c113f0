import { lazy, Suspense } from 'react';
import type { Section } from '../api/types';
import { AvatarStack } from '../components/Avatars';
import { PartyBadge, usePartyName } from '../components/Badges';
import { ErrorBoundary } from '../components/ErrorBoundary';
import { Loading } from '../components/Feedback';
import { EyeIcon, LockIcon } from '../components/Icons';
import { SectionSettings } from '../components/SectionSettings';
import { CloseCode } from '../collab/closeCodes';
import { CommentsToggle } from '../discussion/Workspace';
import type { SectionLink } from '../collab/link';
import type { PresenceUser } from '../collab/presence';
import { useT } from '../i18n/I18nProvider';
import { internalTo } from '../lib/sections';
import { ActivitiesSection } from './ActivitiesSection';
import { GoalsSection } from './GoalsSection';
import { useLinksVersion, usePlanContext } from './hooks';
import { StakeholdersSection } from './StakeholdersSection';

// The rich-text editor (TipTap, ProseMirror) is the heaviest part; load it when first needed.
const TextSection = lazy(() => import('./TextSection').then((m) => ({ default: m.TextSection })));

interface Props {
  section: Section;
  me: PresenceUser;
  canManage: boolean;
  onPlanChanged: () => void;
}

export function SectionView({ section, me, canManage, onPlanChanged }: Props) {
  const t = useT();
  const partyName = usePartyName();
  const { plan, links, canWrite: mayWrite } = usePlanContext();
  useLinksVersion(links);
  const link = links.get(section.id);
  const canWrite = mayWrite(section);
  const internal = internalTo(section);
  const here = (links.presence().bySection.get(String(section.id)) ?? []).filter((p) => !p.self);
  const refusal = links.refusals.find((r) => r.sectionId === String(section.id));
  const paragraphs = section.help
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);

  return (
    <article className="section-view" aria-labelledby="section-title" data-section-kind={section.kind}>
      <header className="section-view__header">
        <div className="section-view__heading">
          <h2 id="section-title">{section.title || t('plan.untitledSection')}</h2>
          <AvatarStack people={here} label={t('presence.inSection')} />
          <CommentsToggle section={section} />
        </div>
        <div className="section-view__facts">
          <span>
            {t('section.owner')}: <PartyBadge party={section.owner} /> {section.owner !== 'joint' && partyName(plan, section.owner)}
          </span>
          {internal && (
            <span className="section-view__internal">
              <EyeIcon /> {t('section.internalTo', { party: partyName(plan, internal) })}
            </span>
          )}
          <span className={canWrite ? 'section-view__can-edit' : 'section-view__read-only'} data-testid="write-state">
            {canWrite ? (
              t('section.youCanEdit')
            ) : (
              <>
                <LockIcon /> {t('section.readOnlyWhy', { owner: section.owner === 'joint' ? t('party.joint') : partyName(plan, section.owner) })}
              </>
            )}
          </span>
        </div>
      </header>

      {refusal && (
        <div className="alert alert--warning" role="alert">
          <p>
            <strong>{t('section.refusedTitle')}</strong> {t('section.refusedBody')}
          </p>
          <button type="button" className="button button--small" onClick={() => links.dismissRefusal(refusal.sectionId)}>
            {t('common.understood')}
          </button>
        </div>
      )}
      {link && link.state.status === 'closed' && <ClosedNotice code={link.state.closeCode} />}

      {paragraphs.length > 0 && (
        <details className="section-view__help">
          <summary>{t('section.help')}</summary>
          {paragraphs.map((p, i) => (
            <p key={i}>{p}</p>
          ))}
        </details>
      )}

      <div className="section-view__content">
        <ErrorBoundary
          resetKeys={[link, section.kind]}
          fallback={(_error, retry) => (
            <div className="alert alert--error" role="alert">
              <p>{t('content.sectionBroken')}</p>
              <button type="button" className="button button--small" onClick={retry}>
                {t('common.retry')}
              </button>
            </div>
          )}
        >
          {!link || !link.state.loaded ? (
            link?.state.status === 'closed' ? null : <Loading label={t('section.loadingLive')} />
          ) : (
            <SectionContent section={section} link={link} me={me} canWrite={canWrite} />
          )}
        </ErrorBoundary>
      </div>

      {canManage && section.can_manage && <SectionSettings key={String(section.id)} plan={plan} section={section} sections={plan.sections} onChanged={onPlanChanged} />}
    </article>
  );
}

function SectionContent({ section, link, me, canWrite }: { section: Section; link: SectionLink; me: PresenceUser; canWrite: boolean }) {
  const t = useT();
  switch (section.kind) {
    case 'goals':
      return <GoalsSection key={link.doc.guid} section={section} doc={link.doc} canWrite={canWrite} />;
    case 'activities':
      return <ActivitiesSection key={link.doc.guid} section={section} doc={link.doc} canWrite={canWrite} />;
    case 'stakeholders':
      return <StakeholdersSection key={link.doc.guid} section={section} doc={link.doc} canWrite={canWrite} />;
    case 'text':
      return (
        <Suspense fallback={<Loading />}>
          <TextSection key={link.doc.guid} section={section} link={link} me={me} canWrite={canWrite} />
        </Suspense>
      );
    default:
      return <p className="muted">{t('content.unknownKind', { kind: section.kind })}</p>;
  }
}

function ClosedNotice({ code }: { code: number | null }) {
  const t = useT();
  const key =
    code === CloseCode.UNAUTHENTICATED
      ? 'section.closedSignedOut'
      : code === CloseCode.TOO_LARGE
        ? 'section.closedTooLarge'
        : code === CloseCode.BAD_MESSAGE
          ? 'section.closedBadMessage'
          : 'section.closedNoAccess';
  return (
    <div className="alert alert--error" role="alert">
      <p>{t(key)}</p>
    </div>
  );
}
