import {
  bool,
  id,
  isObject,
  list,
  num,
  obj,
  oneOf,
  oneOfOrNull,
  str,
  strOrNull,
  type Id,
} from './decode';

export type { Id } from './decode';

export const PARTIES = ['supplier', 'customer'] as const;
export type Party = (typeof PARTIES)[number];

export const OWNERS = ['supplier', 'customer', 'joint'] as const;
export type Owner = (typeof OWNERS)[number];

export const VISIBILITIES = ['shared', 'supplier-only', 'customer-only'] as const;
export type Visibility = (typeof VISIBILITIES)[number];

export const ROLES = ['facilitator', 'editor', 'commenter', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export const KINDS = ['goals', 'activities', 'stakeholders', 'text'] as const;
export type SectionKind = (typeof KINDS)[number];

export const HORIZONS = ['strategic', 'tactical', 'operative'] as const;
export type Horizon = (typeof HORIZONS)[number];

export const PLAN_LANGUAGES = ['en', 'nb'] as const;
export type PlanLanguage = (typeof PLAN_LANGUAGES)[number];

export const TEMPLATES = ['kam', 'blank'] as const;
export type Template = (typeof TEMPLATES)[number];

export interface User {
  id: Id;
  email: string;
  name: string;
}

export interface AppConfig {
  allow_signup: boolean;
  smtp_enabled: boolean;
}

export interface Membership {
  id: Id;
  party: Party;
  role: Role;
  signatory: boolean;
}

export interface PlanBase {
  id: Id;
  title: string;
  supplier_name: string;
  customer_name: string;
  language: PlanLanguage;
  archived_at: string | null;
  created_at: string | null;
  updated_at: string | null;
  /** Null only if the server left it out; treated as the least privileged member. */
  my_membership: Membership | null;
}

export interface PlanSummary extends PlanBase {
  member_count: number;
}

export interface Section {
  id: Id;
  key: string | null;
  title: string;
  /** One of KINDS in practice; kept open so a newer server's kinds still list (under "Other"). */
  kind: string;
  horizon: Horizon | null;
  owner: Owner;
  visibility: Visibility;
  position: number;
  help: string;
  can_write: boolean;
  /** What the server lets the reader change (it refuses the rest); empty for non-facilitators. */
  can_manage: boolean;
  can_delete: boolean;
  owner_options: Owner[];
  visibility_options: Visibility[];
}

export interface PlanDetail extends PlanBase {
  sections: Section[];
}

export interface Inviter {
  id: Id;
  name: string;
  /** The party the inviter acted for; the other party's name here is worth a look. */
  party: Party | null;
}

export interface Member {
  id: Id;
  user: User;
  party: Party;
  role: Role;
  signatory: boolean;
  created_at: string | null;
  /** Null for the plan's creator (and members from before this was recorded). */
  invited_by: Inviter | null;
  /** What the reader may do to this member, as the server decides it. */
  role_options: Role[];
  can_set_signatory: boolean;
  can_remove: boolean;
}

export interface MemberList {
  members: Member[];
  /** The parties the reader may invite into now. */
  invite_parties: Party[];
}

export interface Invitation {
  id: Id;
  email: string;
  party: Party;
  role: Role;
  signatory: boolean;
  expires_at: string | null;
  inviter_party: Party | null;
}

export interface CreatedInvitation extends Invitation {
  token: string;
  url: string;
  code: string;
  /** Whether the server emailed the link (only when SMTP is set up). */
  emailed: boolean;
}

export interface InvitationPreview {
  plan_title: string;
  supplier_name: string;
  customer_name: string;
  email: string;
  party: Party;
  role: Role;
  signatory: boolean;
  invited_by: string;
  expires_at: string | null;
  account_exists: boolean;
}

export interface AcceptedInvitation {
  membership: Membership & { plan_id: Id };
}

export interface AuditEntry {
  id: Id;
  actor: { id: Id; name: string } | null;
  action: string;
  target_type: string;
  target_id: Id | null;
  before: unknown;
  after: unknown;
  created_at: string | null;
}

// ---- decoders -------------------------------------------------------------

export function decodeUser(value: unknown): User | null {
  if (!isObject(value)) return null;
  return { id: id(value.id), email: str(value.email), name: str(value.name) };
}

export function decodeConfig(value: unknown): AppConfig {
  const o = obj(value);
  return { allow_signup: bool(o.allow_signup), smtp_enabled: bool(o.smtp_enabled) };
}

export function decodeMembership(value: unknown): Membership | null {
  if (!isObject(value)) return null;
  return {
    id: id(value.id),
    party: oneOf(value.party, PARTIES, 'supplier'),
    role: oneOf(value.role, ROLES, 'viewer'),
    signatory: bool(value.signatory),
  };
}

function decodePlanBase(o: Record<string, unknown>): PlanBase {
  return {
    id: id(o.id),
    title: str(o.title),
    supplier_name: str(o.supplier_name),
    customer_name: str(o.customer_name),
    language: oneOf(o.language, PLAN_LANGUAGES, 'en'),
    archived_at: strOrNull(o.archived_at),
    created_at: strOrNull(o.created_at),
    updated_at: strOrNull(o.updated_at),
    my_membership: decodeMembership(o.my_membership),
  };
}

export function decodePlanSummary(value: unknown): PlanSummary | null {
  if (!isObject(value)) return null;
  return { ...decodePlanBase(value), member_count: num(value.member_count) };
}

export function decodeSection(value: unknown): Section | null {
  if (!isObject(value)) return null;
  return {
    id: id(value.id),
    key: strOrNull(value.key),
    title: str(value.title),
    kind: str(value.kind, 'text'),
    horizon: oneOfOrNull(value.horizon, HORIZONS),
    owner: oneOf(value.owner, OWNERS, 'joint'),
    visibility: oneOf(value.visibility, VISIBILITIES, 'shared'),
    position: num(value.position),
    help: str(value.help),
    can_write: bool(value.can_write),
    can_manage: bool(value.can_manage),
    can_delete: bool(value.can_delete),
    owner_options: choices(value.owner_options, OWNERS),
    visibility_options: choices(value.visibility_options, VISIBILITIES),
  };
}

/** The known values of a list, in the order given; anything else is dropped. */
function choices<T extends string>(value: unknown, known: readonly T[]): T[] {
  return Array.isArray(value) ? value.filter((v): v is T => known.includes(v as T)) : [];
}

export function decodePlanDetail(value: unknown): PlanDetail {
  const o = obj(value);
  return { ...decodePlanBase(o), sections: list(o.sections, decodeSection) };
}

export function decodeMember(value: unknown): Member | null {
  if (!isObject(value)) return null;
  return {
    id: id(value.id),
    user: decodeUser(value.user) ?? { id: '', email: '', name: '' },
    party: oneOf(value.party, PARTIES, 'supplier'),
    role: oneOf(value.role, ROLES, 'viewer'),
    signatory: bool(value.signatory),
    created_at: strOrNull(value.created_at),
    invited_by: isObject(value.invited_by)
      ? {
          id: id(value.invited_by.id),
          name: str(value.invited_by.name),
          party: oneOfOrNull(value.invited_by.party, PARTIES),
        }
      : null,
    role_options: choices(value.role_options, ROLES),
    can_set_signatory: bool(value.can_set_signatory),
    can_remove: bool(value.can_remove),
  };
}

export function decodeMemberList(value: unknown): MemberList {
  const o = obj(value);
  return { members: list(o.items, decodeMember), invite_parties: choices(o.invite_parties, PARTIES) };
}

export function decodeInvitation(value: unknown): Invitation | null {
  if (!isObject(value)) return null;
  return {
    id: id(value.id),
    email: str(value.email),
    party: oneOf(value.party, PARTIES, 'supplier'),
    role: oneOf(value.role, ROLES, 'viewer'),
    signatory: bool(value.signatory),
    expires_at: strOrNull(value.expires_at),
    inviter_party: oneOfOrNull(value.inviter_party, PARTIES),
  };
}

export function decodeCreatedInvitation(value: unknown): CreatedInvitation {
  const o = obj(value);
  const base = decodeInvitation(o) ?? decodeInvitation({})!;
  return { ...base, token: str(o.token), url: str(o.url), code: str(o.code), emailed: bool(o.emailed) };
}

export function decodeInvitationPreview(value: unknown): InvitationPreview {
  const o = obj(value);
  return {
    plan_title: str(o.plan_title),
    supplier_name: str(o.supplier_name),
    customer_name: str(o.customer_name),
    email: str(o.email),
    party: oneOf(o.party, PARTIES, 'supplier'),
    role: oneOf(o.role, ROLES, 'viewer'),
    signatory: bool(o.signatory),
    // Tolerate either a name or a {name} object.
    invited_by: isObject(o.invited_by) ? str(o.invited_by.name) : str(o.invited_by),
    expires_at: strOrNull(o.expires_at),
    account_exists: bool(o.account_exists),
  };
}

export function decodeAcceptedInvitation(value: unknown): AcceptedInvitation {
  const m = obj(obj(value).membership);
  const membership = decodeMembership(m) ?? decodeMembership({})!;
  return { membership: { ...membership, plan_id: id(m.plan_id) } };
}

export function decodeAuditEntry(value: unknown): AuditEntry | null {
  if (!isObject(value)) return null;
  const actor = isObject(value.actor) ? { id: id(value.actor.id), name: str(value.actor.name) } : null;
  return {
    id: id(value.id),
    actor,
    action: str(value.action),
    target_type: str(value.target_type),
    target_id: value.target_id == null ? null : id(value.target_id),
    before: value.before ?? null,
    after: value.after ?? null,
    created_at: strOrNull(value.created_at),
  };
}
