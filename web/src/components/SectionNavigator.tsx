import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';
import { sameId, type Id } from '../api/decode';
import type { PlanBase, Section } from '../api/types';
import { useT } from '../i18n/I18nProvider';
import { groupSections, internalTo } from '../lib/sections';
import { PartyBadge, usePartyName } from './Badges';
import { EyeIcon, LockIcon } from './Icons';
import { AvatarStack } from './Avatars';
import type { Person } from '../collab/presence';

interface Props {
  plan: PlanBase;
  sections: readonly Section[];
  selectedId: Id | null;
  /** Link target for a section, so entries are real links (open in new tab, keyboard, history). */
  hrefFor: (section: Section) => string;
  /** Who is in each section now (by section id). */
  presence?: ReadonlyMap<string, Person[]>;
  /** Each section's live connection state, when known. */
  linkStatus?: (section: Section) => string | undefined;
  /** Extra marks for a section (e.g. its open threads). */
  badge?: (section: Section) => ReactNode;
}

export function SectionNavigator({ plan, sections, selectedId, hrefFor, presence, linkStatus, badge }: Props) {
  const t = useT();
  const partyName = usePartyName();
  const groups = groupSections(sections);

  if (groups.length === 0) {
    return <p className="muted">{t('plan.noSections')}</p>;
  }

  return (
    <nav className="navigator" aria-label={t('plan.sectionsNav')}>
      {groups.map((group) => (
        <section key={group.id} className="navigator__group" aria-labelledby={`nav-${group.id}`}>
          <h2 className="navigator__heading" id={`nav-${group.id}`}>
            {t(`group.${group.id}`)}
          </h2>
          {group.subgroups.map((sub) => (
            <div key={sub.horizon ?? 'none'} className="navigator__subgroup">
              {sub.horizon && <h3 className="navigator__subheading">{t(`horizon.${sub.horizon}`)}</h3>}
              <ul className="navigator__list">
                {sub.sections.map((section) => {
                  const internal = internalTo(section);
                  const current = sameId(section.id, selectedId);
                  const here = presence?.get(String(section.id)) ?? [];
                  return (
                    <li key={String(section.id)}>
                      <Link
                        to={hrefFor(section)}
                        className={`navigator__item${current ? ' navigator__item--current' : ''}`}
                        aria-current={current ? 'page' : undefined}
                        data-link-status={linkStatus?.(section)}
                      >
                        <span className="navigator__title" lang={plan.language}>{section.title ? keepRanges(section.title) : t('plan.untitledSection')}</span>
                        <span className="navigator__meta">
                          {badge?.(section)}
                          {here.length > 0 && (
                            <AvatarStack people={here} max={3} size="sm" label={t('presence.inSectionNamed', { names: here.map((p) => p.name).join(', ') })} />
                          )}
                          <PartyBadge party={section.owner} title={t('section.ownedBy', { party: partyName(plan, section.owner) })} />
                          {!section.can_write && (
                            <span className="navigator__flag" title={t('section.readOnly')}>
                              <LockIcon />
                              <span className="visually-hidden">{t('section.readOnly')}</span>
                            </span>
                          )}
                          {internal && (
                            <span className="navigator__flag" title={t('section.internalTo', { party: partyName(plan, internal) })}>
                              <EyeIcon />
                              <span className="visually-hidden">{t('section.internalTo', { party: partyName(plan, internal) })}</span>
                            </span>
                          )}
                        </span>
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </section>
      ))}
    </nav>
  );
}

/** "(3–5 years)" never breaks after its dash: a number range is held together. */
export function keepRanges(title: string): ReactNode {
  return title.split(/(\S+–\S+)/).map((part, i) => (i % 2 ? <span key={i} className="nowrap">{part}</span> : part));
}
