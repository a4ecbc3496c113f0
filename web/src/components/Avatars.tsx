import type { Person } from '../collab/presence';
import { initials } from '../collab/presence';
import { useT } from '../i18n/I18nProvider';

/** A person's initials in their colour, ringed in their party's colour. */
export function Avatar({ person, size = 'md' }: { person: Person; size?: 'sm' | 'md' }) {
  const t = useT();
  const label = person.self ? t('presence.you', { name: person.name }) : `${person.name} (${t(`party.${person.party}`)})`;
  return (
    <span
      className={`avatar avatar--${size} avatar--${person.party}`}
      style={{ backgroundColor: person.color }}
      title={label}
      role="img"
      aria-label={label}
    >
      {initials(person.name)}
    </span>
  );
}

/** Up to `max` avatars, then "+N". */
export function AvatarStack({ people, max = 6, size = 'md', label }: { people: Person[]; max?: number; size?: 'sm' | 'md'; label: string }) {
  const t = useT();
  if (people.length === 0) return null;
  const shown = people.slice(0, max);
  const more = people.length - shown.length;
  return (
    <span className={`avatars avatars--${size}`} role="group" aria-label={label}>
      {shown.map((p) => (
        <Avatar key={p.id} person={p} size={size} />
      ))}
      {more > 0 && (
        <span className={`avatar avatar--${size} avatar--more`} title={people.slice(max).map((p) => p.name).join(', ')}>
          {t('presence.more', { count: more })}
        </span>
      )}
    </span>
  );
}
