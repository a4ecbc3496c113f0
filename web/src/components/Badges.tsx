import type { Owner, Party, PlanBase, Role } from '../api/types';
import { useT } from '../i18n/I18nProvider';

/** The organisation name of a party, or the party's generic name if the plan has none. */
export function usePartyName() {
  const t = useT();
  return (plan: Pick<PlanBase, 'supplier_name' | 'customer_name'>, party: Owner): string => {
    if (party === 'supplier') return plan.supplier_name || t('party.supplier');
    if (party === 'customer') return plan.customer_name || t('party.customer');
    return t('party.joint');
  };
}

export function PartyBadge({ party, title }: { party: Owner; title?: string }) {
  const t = useT();
  return (
    <span className={`badge badge--${party}`} title={title}>
      {t(`party.${party}`)}
    </span>
  );
}

export function RoleBadge({ role, party }: { role: Role; party?: Party }) {
  const t = useT();
  return (
    <span className="badge badge--neutral">
      {party ? t('plan.roleOfParty', { role: t(`role.${role}`), party: t(`party.${party}`) }) : t(`role.${role}`)}
    </span>
  );
}
