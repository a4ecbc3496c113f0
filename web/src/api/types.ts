// The API's shapes and enums, named for the app: every one is the generated schema's
// (schema.d.ts, from the server's OpenAPI document), so a field the server renames or drops
// fails `tsc` wherever the app reads it.
import type { components } from './schema';

export type { Id } from './decode';

type Schemas = components['schemas'];

export type User = Schemas['UserRead'];
export type AppConfig = Schemas['ServerConfig'];
export type Membership = Schemas['MembershipRead'];
/** A plan as listed; the detail (`PlanDetail`) has the same fields and its sections. */
export type PlanSummary = Schemas['PlanSummary'];
export type PlanBase = PlanSummary;
export type PlanDetail = Schemas['PlanRead'];
export type Section = Schemas['SectionRead'];
export type Inviter = Schemas['Inviter'];
export type Member = Schemas['MemberRead'];
export type MemberList = Schemas['MemberList'];
export type Invitation = Schemas['InvitationRead'];
export type CreatedInvitation = Schemas['InvitationCreated'];
export type InvitationPreview = Schemas['InvitationPreview'];
export type AcceptedInvitation = Schemas['InvitationAccepted'];
export type AuditEntry = Schemas['AuditRead'];
export type PasswordResetInfo = Schemas['PasswordResetInfo'];
export type PasswordResetIssued = Schemas['PasswordResetIssued'];

export type Party = Membership['party'];
export type Role = Membership['role'];
export type Owner = Section['owner'];
export type Visibility = Section['visibility'];
export type SectionKind = Section['kind'];
export type Horizon = NonNullable<Section['horizon']>;
export type PlanLanguage = Schemas['PlanCreate']['language'];
export type Template = Schemas['PlanCreate']['template'];

/**
 * The values of a generated enum, in the order the app shows them. The list is checked
 * against the enum: `tsc` fails if the server adds a value the list lacks, or drops one it has.
 */
export function allOf<T extends string>() {
  return <const V extends readonly T[]>(...values: V & ([T] extends [V[number]] ? unknown : readonly [T, 'is missing'])) =>
    values as V;
}

export const PARTIES = allOf<Party>()('supplier', 'customer');
export const OWNERS = allOf<Owner>()('supplier', 'customer', 'joint');
export const VISIBILITIES = allOf<Visibility>()('shared', 'supplier-only', 'customer-only');
export const ROLES = allOf<Role>()('facilitator', 'editor', 'commenter', 'viewer');
export const KINDS = allOf<SectionKind>()('goals', 'activities', 'stakeholders', 'text');
export const HORIZONS = allOf<Horizon>()('strategic', 'tactical', 'operative');
export const PLAN_LANGUAGES = allOf<PlanLanguage>()('en', 'nb');
export const TEMPLATES = allOf<Template>()('kam', 'blank');
