import { useMemo, type ReactNode } from 'react';
import { useI18n } from '../i18n/I18nProvider';
import { buildTimeline, type TimelineItem } from '../content/timeline';
import { statusLabel } from './GoalsSection';

const LOCALES = { en: 'en-GB', nb: 'nb-NO' } as const;

/** The action plan by month: one row per horizon, bars coloured by party, proposals hatched. */
export function Timeline({ items }: { items: TimelineItem[] }) {
  const { t, lang } = useI18n();
  const model = useMemo(() => buildTimeline(items, new Date()), [items]);
  const span = model.months.length;
  const monthName = useMemo(() => new Intl.DateTimeFormat(LOCALES[lang], { month: 'short', timeZone: 'UTC' }), [lang]);
  // With many months, label quarters only so labels stay readable on a projector.
  const every = span > 36 ? 6 : span > 18 ? 3 : 1;
  const pct = (x: number) => `${(x / span) * 100}%`;
  const now = new Date();
  const todayAt =
    (now.getFullYear() * 12 + now.getMonth() - (model.months[0]!.year * 12 + model.months[0]!.month)) +
    (now.getDate() - 1) / 31;

  return (
    <figure className="timeline" aria-label={t('activities.timeline')}>
      <div className="timeline__legend" aria-hidden="true">
        <span className="timeline__key timeline__key--supplier">{t('party.supplier')}</span>
        <span className="timeline__key timeline__key--customer">{t('party.customer')}</span>
        <span className="timeline__key timeline__key--planned">{t('timeline.planned')}</span>
        <span className="timeline__key timeline__key--proposed">{t('timeline.proposed')}</span>
      </div>
      <div className="timeline__grid">
        <div className="timeline__label" />
        <div className="timeline__track timeline__axis">
          {model.bands.map((band) => (
            <span key={band.horizon} className={`timeline__band timeline__band--${band.horizon}`} style={{ left: pct(band.from), width: pct(band.to - band.from) }}>
              {t(`horizon.${band.horizon}`)}
            </span>
          ))}
        </div>
        <div className="timeline__label" />
        <div className="timeline__track timeline__months" aria-hidden="true">
          {model.months.map((m, i) => (
            <span key={`${m.year}-${m.month}`} className={`timeline__month${m.month === 0 ? ' timeline__month--year' : ''}`} style={{ left: pct(i), width: pct(1) }}>
              {i % every === 0 || m.month === 0 ? (m.month === 0 || i === 0 ? `${monthName.format(new Date(Date.UTC(m.year, m.month, 1)))} ${m.year}` : monthName.format(new Date(Date.UTC(m.year, m.month, 1)))) : ''}
            </span>
          ))}
        </div>
        {model.rows.map((row) => (
          <TimelineRow
            key={row.horizon ?? 'none'}
            label={row.horizon ? t(`horizon.${row.horizon}`) : t('timeline.noGoal')}
            today={todayAt >= 0 && todayAt <= span ? pct(todayAt) : null}
            todayLabel={t('timeline.today')}
          >
            {row.bars.map((bar) => {
              const status = bar.item.status ?? 'planned';
              const text = `${bar.item.title || t('activities.untitled')}${status === 'proposed' ? ` — ${t('activities.proposal')}` : ''}`;
              return (
                <div key={bar.item.id} className="timeline__line">
                  <span
                    className={`timeline__bar timeline__bar--${bar.item.party ?? 'none'} timeline__bar--${status}`}
                    style={{ left: pct(bar.from), width: pct(bar.to - bar.from) }}
                    title={`${text} (${statusLabel(t, status)})`}
                  />
                  <span
                    className={`timeline__text timeline__text--${status}`}
                    // The label sits beside the bar, on the side with room, so it is always readable.
                    style={bar.to / span < 0.6 ? { left: `calc(${pct(bar.to)} + 0.5rem)` } : { right: `calc(${pct(span - bar.from)} + 0.5rem)`, textAlign: 'right' }}
                  >
                    {text}
                  </span>
                </div>
              );
            })}
          </TimelineRow>
        ))}
      </div>
      {model.undated.length > 0 && (
        <p className="muted timeline__undated">
          {t('timeline.undated')}: {model.undated.map((i) => i.title || t('activities.untitled')).join(', ')}
        </p>
      )}
      <figcaption className="visually-hidden">{t('timeline.caption')}</figcaption>
    </figure>
  );
}

interface RowProps {
  label: string;
  today: string | null;
  todayLabel: string;
  children: ReactNode;
}

function TimelineRow({ label, today, todayLabel, children }: RowProps) {
  return (
    <>
      <div className="timeline__label timeline__label--row">{label}</div>
      <div className="timeline__track timeline__rows">
        {today && <span className="timeline__today" style={{ left: today }} title={todayLabel} />}
        {children}
      </div>
    </>
  );
}
