import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Agreement, Comment, GoalComparison, Notification, PersonRef, Signature, VersionSummary, VoteCounts } from './discussion';
import type { components } from './schema';
import {
  allOf,
  HORIZONS,
  OWNERS,
  PARTIES,
  ROLES,
  VISIBILITIES,
  type Horizon,
  type Invitation,
  type InvitationPreview,
  type Member,
  type MemberList,
  type Owner,
  type Party,
  type PlanDetail,
  type PlanSummary,
  type Role,
  type Section,
  type User,
  type Visibility,
} from './types';

type Schemas = components['schemas'];

// These checks run in `tsc --noEmit` (part of `npm run build`): the app's API types are the
// generated schema's, so when the server renames or retypes a field the app reads, the
// `npm run api` that follows makes this file, and every screen reading the field, fail to build.
describe("the app's API types", () => {
  it('are the generated schema types, not copies', () => {
    expectTypeOf<User>().toEqualTypeOf<Schemas['UserRead']>();
    expectTypeOf<PlanDetail>().toEqualTypeOf<Schemas['PlanRead']>();
    expectTypeOf<PlanSummary>().toEqualTypeOf<Schemas['PlanSummary']>();
    expectTypeOf<Section>().toEqualTypeOf<Schemas['SectionRead']>();
    expectTypeOf<Member>().toEqualTypeOf<Schemas['MemberRead']>();
    expectTypeOf<MemberList>().toEqualTypeOf<Schemas['MemberList']>();
    expectTypeOf<Invitation>().toEqualTypeOf<Schemas['InvitationRead']>();
    expectTypeOf<InvitationPreview>().toEqualTypeOf<Schemas['InvitationPreview']>();
    expectTypeOf<Agreement>().toEqualTypeOf<Schemas['AgreementRead']>();
    expectTypeOf<Comment>().toEqualTypeOf<Schemas['CommentRead']>();
    expectTypeOf<Notification>().toEqualTypeOf<Schemas['NotificationRead']>();
    expectTypeOf<VersionSummary>().toEqualTypeOf<Schemas['VersionSummary']>();
    expectTypeOf<GoalComparison>().toEqualTypeOf<Schemas['GoalComparison']>();
    expectTypeOf<VoteCounts>().toEqualTypeOf<Schemas['VoteCounts']>();
  });

  it('have the response fields the screens read', () => {
    expectTypeOf<PlanDetail>().toMatchTypeOf<{
      id: string;
      title: string;
      supplier_name: string;
      customer_name: string;
      language: 'en' | 'nb';
      archived_at: string | null;
      my_membership: { id: string; party: Party; role: Role; signatory: boolean };
      sections: Section[];
    }>();
    expectTypeOf<PlanSummary>().toMatchTypeOf<{ member_count: number; updated_at: string }>();
    expectTypeOf<Section>().toMatchTypeOf<{
      id: string;
      key: string;
      title: string;
      kind: 'goals' | 'activities' | 'stakeholders' | 'text';
      horizon: Horizon | null;
      owner: Owner;
      visibility: Visibility;
      position: number;
      help: string;
      can_write: boolean;
      can_manage: boolean;
      can_delete: boolean;
      owner_options: Owner[];
      visibility_options: Visibility[];
    }>();
    expectTypeOf<Member>().toMatchTypeOf<{
      id: string;
      user: { id: string; name: string; email: string };
      party: Party;
      role: Role;
      signatory: boolean;
      created_at: string;
      invited_by?: { id: string; name: string; party: Party | null } | null;
      role_options: Role[];
      can_set_signatory: boolean;
      can_remove: boolean;
    }>();
    expectTypeOf<MemberList>().toMatchTypeOf<{ items: Member[]; invite_parties: Party[] }>();
    expectTypeOf<InvitationPreview>().toMatchTypeOf<{
      plan_title: string;
      email: string;
      party: Party;
      role: Role;
      invited_by: string | null;
      expires_at: string;
      account_exists: boolean;
    }>();
    expectTypeOf<Agreement>().toMatchTypeOf<{
      section_id: string;
      goal_id: string;
      title: string | null;
      status: 'pending' | 'agreed' | 'changed';
      agreed_hash: string | null;
      agreed_content: { [key: string]: unknown } | null;
      current_content: { [key: string]: unknown } | null;
      goal_deleted: boolean;
      signatures: Signature[];
    }>();
    expectTypeOf<Signature>().toMatchTypeOf<{ signer: { name: string }; party: Party; hash: string; signed_at: string }>();
    expectTypeOf<Comment>().toMatchTypeOf<{ author: PersonRef; body: string; html: string; deleted: boolean; edited_at: string | null }>();
    expectTypeOf<Schemas['ThreadRead']>().toMatchTypeOf<{
      section_id: string;
      item_id: string | null;
      anchor_state: { detached: boolean; quote: string | null } | null;
      visibility: 'shared' | 'internal';
      status: 'open' | 'resolved';
      resolved_by: PersonRef | null;
      comments: Comment[];
    }>();
    expectTypeOf<GoalComparison>().toMatchTypeOf<{
      change: 'added' | 'removed' | 'changed' | 'unchanged';
      fields: string[];
      before: { content: { [key: string]: unknown } | null; status: 'pending' | 'agreed' | 'changed' } | null;
    }>();
    expectTypeOf<Schemas['NotificationList']>().toMatchTypeOf<{ items: Notification[]; unread: number }>();
  });

  it('list every value of the enums the app offers as choices', () => {
    expect([...PARTIES]).toEqual(['supplier', 'customer']);
    expect([...ROLES]).toEqual(['facilitator', 'editor', 'commenter', 'viewer']);
    expect([...OWNERS]).toEqual(['supplier', 'customer', 'joint']);
    expect([...VISIBILITIES]).toEqual(['shared', 'supplier-only', 'customer-only']);
    expect([...HORIZONS]).toEqual(['strategic', 'tactical', 'operative']);
    // @ts-expect-error: a value of the enum is missing
    allOf<Party>()('supplier');
    // @ts-expect-error: a value the enum does not have
    allOf<Party>()('supplier', 'customer', 'partner');
  });
});
