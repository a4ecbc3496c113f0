import { api, call } from './client';
import { items, obj } from './decode';
import {
  decodeAgreement,
  decodeComparison,
  decodeNotification,
  decodeThread,
  decodeThreadCounts,
  decodeVersion,
  decodeVersionSummary,
  decodeVotes,
} from './discussion';
import type { components } from './schema';
import {
  decodeAcceptedInvitation,
  decodeAuditEntry,
  decodeConfig,
  decodeCreatedInvitation,
  decodeInvitation,
  decodeInvitationPreview,
  decodeMember,
  decodeMemberList,
  decodePlanDetail,
  decodePlanSummary,
  decodeSection,
  decodeUser,
  type Id,
} from './types';

// Every call goes through the client generated from the server's OpenAPI schema, so a path,
// parameter or body the server does not accept fails `tsc`, not a workshop.

type Schemas = components['schemas'];
type Signal = { signal?: AbortSignal };

const s = (value: Id) => String(value);
const plan = (planId: Id) => ({ path: { plan_id: s(planId) } });

// ---- auth -----------------------------------------------------------------

export const auth = {
  async me({ signal }: Signal = {}) {
    return decodeUser(await call(api.GET('/api/auth/me', { signal }), { authCall: true }));
  },
  async login(body: Schemas['LoginIn']) {
    const data = await call(api.POST('/api/auth/login', { body }), { authCall: true });
    return decodeUser(data?.user);
  },
  async signup(body: Schemas['SignupIn']) {
    const data = await call(api.POST('/api/auth/signup', { body }), { authCall: true });
    return decodeUser(data?.user);
  },
  async logout() {
    await call(api.POST('/api/auth/logout'), { authCall: true });
  },
  async requestReset(email: string) {
    await call(api.POST('/api/auth/password-reset', { body: { email } }), { authCall: true });
  },
  async openReset(token: string, { signal }: Signal = {}) {
    const params = { path: { token } };
    const data = obj(await call(api.GET('/api/auth/password-reset/{token}', { params, signal }), { authCall: true }));
    return { email: String(data.email ?? ''), expires_at: String(data.expires_at ?? '') };
  },
  async completeReset(token: string, password: string) {
    const params = { path: { token } };
    const data = await call(api.POST('/api/auth/password-reset/{token}', { params, body: { password } }), { authCall: true });
    return decodeUser(data?.user);
  },
};

export async function getConfig({ signal }: Signal = {}) {
  return decodeConfig(await call(api.GET('/api/config', { signal })));
}

// ---- plans ----------------------------------------------------------------

export type NewPlan = Schemas['PlanCreate'];

export const plans = {
  async list(archived: boolean, { signal }: Signal = {}) {
    return items(await call(api.GET('/api/plans', { params: { query: { archived } }, signal })), decodePlanSummary);
  },
  async create(body: NewPlan) {
    return decodePlanDetail(await call(api.POST('/api/plans', { body })));
  },
  async get(planId: Id, { signal }: Signal = {}) {
    return decodePlanDetail(await call(api.GET('/api/plans/{plan_id}', { params: plan(planId), signal })));
  },
  async archive(planId: Id) {
    return decodePlanDetail(await call(api.POST('/api/plans/{plan_id}/archive', { params: plan(planId) })));
  },
  async unarchive(planId: Id) {
    return decodePlanDetail(await call(api.POST('/api/plans/{plan_id}/unarchive', { params: plan(planId) })));
  },
  async audit(planId: Id, { signal }: Signal = {}) {
    return items(await call(api.GET('/api/plans/{plan_id}/audit', { params: plan(planId), signal })), decodeAuditEntry);
  },
};

// ---- members & invitations ------------------------------------------------

export const members = {
  async list(planId: Id, { signal }: Signal = {}) {
    return items(await call(api.GET('/api/plans/{plan_id}/members', { params: plan(planId), signal })), decodeMember);
  },
  /** The members with what the reader may do: to each member, and whom they may invite. */
  async listWithRights(planId: Id, { signal }: Signal = {}) {
    return decodeMemberList(await call(api.GET('/api/plans/{plan_id}/members', { params: plan(planId), signal })));
  },
  async update(planId: Id, memberId: Id, body: Schemas['MemberUpdate']) {
    const params = { path: { plan_id: s(planId), member_id: s(memberId) } };
    return decodeMember(await call(api.PATCH('/api/plans/{plan_id}/members/{member_id}', { params, body })));
  },
  async remove(planId: Id, memberId: Id) {
    const params = { path: { plan_id: s(planId), member_id: s(memberId) } };
    await call(api.DELETE('/api/plans/{plan_id}/members/{member_id}', { params }));
  },
  /** A single-use password-reset link for a member of my party, shown once. */
  async issueReset(planId: Id, memberId: Id) {
    const params = { path: { plan_id: s(planId), member_id: s(memberId) } };
    const data = obj(await call(api.POST('/api/plans/{plan_id}/members/{member_id}/password-reset', { params })));
    return { url: String(data.url ?? ''), expires_at: String(data.expires_at ?? '') };
  },
};

export type NewInvitation = Schemas['InvitationCreate'];

export const invitations = {
  async list(planId: Id, { signal }: Signal = {}) {
    return items(
      await call(api.GET('/api/plans/{plan_id}/invitations', { params: plan(planId), signal })),
      decodeInvitation,
    );
  },
  async create(planId: Id, body: NewInvitation) {
    return decodeCreatedInvitation(await call(api.POST('/api/plans/{plan_id}/invitations', { params: plan(planId), body })));
  },
  async revoke(planId: Id, invitationId: Id) {
    const params = { path: { plan_id: s(planId), invitation_id: s(invitationId) } };
    await call(api.DELETE('/api/plans/{plan_id}/invitations/{invitation_id}', { params }));
  },
  async preview(token: string, { signal }: Signal = {}) {
    return decodeInvitationPreview(
      await call(api.GET('/api/invitations/{token}', { params: { path: { token } }, signal }), { authCall: true }),
    );
  },
  /** Without `account`, joins as the signed-in user; with it, creates the account first. */
  async accept(token: string, account?: { name: string; password: string }) {
    const data = await call(
      api.POST('/api/invitations/{token}/accept', { params: { path: { token } }, body: account }),
      { authCall: true },
    );
    return decodeAcceptedInvitation(data);
  },
};

// ---- sections -------------------------------------------------------------

export type NewSection = Schemas['SectionCreate'];

export const sections = {
  async create(planId: Id, body: NewSection) {
    return decodeSection(await call(api.POST('/api/plans/{plan_id}/sections', { params: plan(planId), body })));
  },
  async update(planId: Id, sectionId: Id, body: Schemas['SectionUpdate']) {
    const params = { path: { plan_id: s(planId), section_id: s(sectionId) } };
    return decodeSection(await call(api.PATCH('/api/plans/{plan_id}/sections/{section_id}', { params, body })));
  },
  async remove(planId: Id, sectionId: Id) {
    const params = { path: { plan_id: s(planId), section_id: s(sectionId) } };
    await call(api.DELETE('/api/plans/{plan_id}/sections/{section_id}', { params }));
  },
  async reorder(planId: Id, sectionIds: Id[]) {
    const body = { section_ids: sectionIds.map(s) };
    await call(api.POST('/api/plans/{plan_id}/sections/order', { params: plan(planId), body }));
  },
};

// ---- discussion -----------------------------------------------------------

const thread = (planId: Id, threadId: Id) => ({ path: { plan_id: s(planId), thread_id: s(threadId) } });

export const threads = {
  async list(planId: Id, query: { section_id?: string; item_id?: string; status?: 'open' | 'resolved' }, { signal }: Signal = {}) {
    const params = { ...plan(planId), query: { ...query, limit: 100 } };
    return items(await call(api.GET('/api/plans/{plan_id}/threads', { params, signal })), decodeThread);
  },
  async counts(planId: Id, { signal }: Signal = {}) {
    return decodeThreadCounts(await call(api.GET('/api/plans/{plan_id}/threads/counts', { params: plan(planId), signal })));
  },
  async create(planId: Id, body: Schemas['ThreadCreate']) {
    return decodeThread(await call(api.POST('/api/plans/{plan_id}/threads', { params: plan(planId), body })));
  },
  async reply(planId: Id, threadId: Id, body: Schemas['CommentCreate']) {
    await call(api.POST('/api/plans/{plan_id}/threads/{thread_id}/comments', { params: thread(planId, threadId), body }));
  },
  async resolve(planId: Id, threadId: Id) {
    return decodeThread(await call(api.POST('/api/plans/{plan_id}/threads/{thread_id}/resolve', { params: thread(planId, threadId) })));
  },
  async reopen(planId: Id, threadId: Id) {
    return decodeThread(await call(api.POST('/api/plans/{plan_id}/threads/{thread_id}/reopen', { params: thread(planId, threadId) })));
  },
  async get(planId: Id, threadId: Id, { signal }: Signal = {}) {
    return decodeThread(await call(api.GET('/api/plans/{plan_id}/threads/{thread_id}', { params: thread(planId, threadId), signal })));
  },
  async editComment(planId: Id, threadId: Id, commentId: Id, body: string) {
    const params = { path: { plan_id: s(planId), thread_id: s(threadId), comment_id: s(commentId) } };
    await call(api.PATCH('/api/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}', { params, body: { body } }));
  },
  async deleteComment(planId: Id, threadId: Id, commentId: Id) {
    const params = { path: { plan_id: s(planId), thread_id: s(threadId), comment_id: s(commentId) } };
    await call(api.DELETE('/api/plans/{plan_id}/threads/{thread_id}/comments/{comment_id}', { params }));
  },
};

export const votes = {
  async list(planId: Id, sectionId: Id, { signal }: Signal = {}) {
    const params = { ...plan(planId), query: { section_id: s(sectionId) } };
    return items(await call(api.GET('/api/plans/{plan_id}/votes', { params, signal })), decodeVotes);
  },
  async add(planId: Id, sectionId: Id, itemId: string) {
    const body = { section_id: s(sectionId), item_id: itemId };
    return decodeVotes(await call(api.POST('/api/plans/{plan_id}/votes', { params: plan(planId), body })));
  },
  async remove(planId: Id, sectionId: Id, itemId: string) {
    const params = { path: { plan_id: s(planId), section_id: s(sectionId), item_id: itemId } };
    return decodeVotes(await call(api.DELETE('/api/plans/{plan_id}/votes/{section_id}/{item_id}', { params })));
  },
};

export const notifications = {
  async list({ signal }: Signal = {}) {
    const data = await call(api.GET('/api/notifications', { params: { query: { limit: 50 } }, signal }));
    return { items: items(data, decodeNotification), unread: Number(obj(data).unread) || 0 };
  },
  async markRead(body: Schemas['MarkRead']) {
    await call(api.POST('/api/notifications/read', { body }));
  },
};

// ---- agreement, versions, export -------------------------------------------

const goal = (planId: Id, goalId: string, sectionId: Id) => ({
  path: { plan_id: s(planId), goal_id: goalId },
  query: { section_id: s(sectionId) },
});

export const agreements = {
  async list(planId: Id, { signal }: Signal = {}) {
    return items(await call(api.GET('/api/plans/{plan_id}/agreements', { params: plan(planId), signal })), decodeAgreement);
  },
  async sign(planId: Id, sectionId: Id, goalId: string) {
    return decodeAgreement(await call(api.POST('/api/plans/{plan_id}/goals/{goal_id}/signatures', { params: goal(planId, goalId, sectionId) })));
  },
  async withdraw(planId: Id, sectionId: Id, goalId: string, reason: string | null) {
    const params = goal(planId, goalId, sectionId);
    return decodeAgreement(
      await call(api.DELETE('/api/plans/{plan_id}/goals/{goal_id}/signatures/mine', { params, body: { reason } })),
    );
  },
};

const version = (planId: Id, versionId: Id) => ({ path: { plan_id: s(planId), version_id: s(versionId) } });

export const versions = {
  async list(planId: Id, { signal }: Signal = {}) {
    return items(await call(api.GET('/api/plans/{plan_id}/versions', { params: plan(planId), signal })), decodeVersionSummary);
  },
  async create(planId: Id, name: string) {
    return decodeVersionSummary(await call(api.POST('/api/plans/{plan_id}/versions', { params: plan(planId), body: { name } })));
  },
  async get(planId: Id, versionId: Id, { signal }: Signal = {}) {
    return decodeVersion(await call(api.GET('/api/plans/{plan_id}/versions/{version_id}', { params: version(planId, versionId), signal })));
  },
  async compare(planId: Id, versionId: Id, to: string, { signal }: Signal = {}) {
    const params = { ...version(planId, versionId), query: { to } };
    return decodeComparison(await call(api.GET('/api/plans/{plan_id}/versions/{version_id}/compare', { params, signal })));
  },
  async sign(planId: Id, versionId: Id) {
    await call(api.POST('/api/plans/{plan_id}/versions/{version_id}/signatures', { params: version(planId, versionId) }));
  },
};

/** A plain link (the session cookie authenticates it), so the browser downloads the file itself. */
export function exportUrl(planId: Id, format: 'md' | 'pdf', versionId?: Id | null): string {
  const query = new URLSearchParams({ format });
  if (versionId) query.set('version_id', s(versionId));
  return `/api/plans/${encodeURIComponent(s(planId))}/export?${query}`;
}
