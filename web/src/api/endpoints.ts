import { api, ApiError, call, refusal } from './client';
import { threadCounts, toThread } from './discussion';
import type { components } from './schema';
import type { Id } from './types';

// Every call goes through the client generated from the server's OpenAPI schema, so a path,
// parameter or body the server does not accept fails `tsc`, not a workshop.

type Schemas = components['schemas'];
type Signal = { signal?: AbortSignal };

const s = (value: Id) => String(value);
const plan = (planId: Id) => ({ path: { plan_id: s(planId) } });

// ---- auth -----------------------------------------------------------------

export const auth = {
  async me({ signal }: Signal = {}) {
    return call(api.GET('/api/auth/me', { signal }), { authCall: true });
  },
  async login(body: Schemas['LoginIn']) {
    const data = await call(api.POST('/api/auth/login', { body }), { authCall: true });
    return data.user;
  },
  async signup(body: Schemas['SignupIn']) {
    const data = await call(api.POST('/api/auth/signup', { body }), { authCall: true });
    return data.user;
  },
  async logout() {
    await call(api.POST('/api/auth/logout'), { authCall: true });
  },
  async requestReset(email: string) {
    await call(api.POST('/api/auth/password-reset', { body: { email } }), { authCall: true });
  },
  async openReset(token: string, { signal }: Signal = {}) {
    const params = { path: { token } };
    return call(api.GET('/api/auth/password-reset/{token}', { params, signal }), { authCall: true });
  },
  async completeReset(token: string, password: string) {
    const params = { path: { token } };
    const data = await call(api.POST('/api/auth/password-reset/{token}', { params, body: { password } }), { authCall: true });
    return data.user;
  },
};

export async function getConfig({ signal }: Signal = {}) {
  return call(api.GET('/api/config', { signal }));
}

// ---- plans ----------------------------------------------------------------

export type NewPlan = Schemas['PlanCreate'];

export const plans = {
  async list(archived: boolean, { signal }: Signal = {}) {
    return (await call(api.GET('/api/plans', { params: { query: { archived } }, signal }))).items;
  },
  async create(body: NewPlan) {
    return call(api.POST('/api/plans', { body }));
  },
  async get(planId: Id, { signal }: Signal = {}) {
    return call(api.GET('/api/plans/{plan_id}', { params: plan(planId), signal }));
  },
  async archive(planId: Id) {
    return call(api.POST('/api/plans/{plan_id}/archive', { params: plan(planId) }));
  },
  async unarchive(planId: Id) {
    return call(api.POST('/api/plans/{plan_id}/unarchive', { params: plan(planId) }));
  },
  async audit(planId: Id, { signal }: Signal = {}) {
    return (await call(api.GET('/api/plans/{plan_id}/audit', { params: plan(planId), signal }))).items;
  },
};

// ---- members & invitations ------------------------------------------------

export const members = {
  async list(planId: Id, { signal }: Signal = {}) {
    return (await call(api.GET('/api/plans/{plan_id}/members', { params: plan(planId), signal }))).items;
  },
  /** The members with what the reader may do: to each member, and whom they may invite. */
  async listWithRights(planId: Id, { signal }: Signal = {}) {
    return call(api.GET('/api/plans/{plan_id}/members', { params: plan(planId), signal }));
  },
  async update(planId: Id, memberId: Id, body: Schemas['MemberUpdate']) {
    const params = { path: { plan_id: s(planId), member_id: s(memberId) } };
    return call(api.PATCH('/api/plans/{plan_id}/members/{member_id}', { params, body }));
  },
  async remove(planId: Id, memberId: Id) {
    const params = { path: { plan_id: s(planId), member_id: s(memberId) } };
    await call(api.DELETE('/api/plans/{plan_id}/members/{member_id}', { params }));
  },
  /** A single-use password-reset link for a member of my party, shown once. */
  async issueReset(planId: Id, memberId: Id) {
    const params = { path: { plan_id: s(planId), member_id: s(memberId) } };
    return call(api.POST('/api/plans/{plan_id}/members/{member_id}/password-reset', { params }));
  },
};

export type NewInvitation = Schemas['InvitationCreate'];

export const invitations = {
  async list(planId: Id, { signal }: Signal = {}) {
    return (await call(api.GET('/api/plans/{plan_id}/invitations', { params: plan(planId), signal }))).items;
  },
  async create(planId: Id, body: NewInvitation) {
    return call(api.POST('/api/plans/{plan_id}/invitations', { params: plan(planId), body }));
  },
  /** A new link and code for a pending invitation (the earlier link stops working). */
  async reissue(planId: Id, invitationId: Id) {
    const params = { path: { plan_id: s(planId), invitation_id: s(invitationId) } };
    return call(api.POST('/api/plans/{plan_id}/invitations/{invitation_id}/link', { params }));
  },
  async revoke(planId: Id, invitationId: Id) {
    const params = { path: { plan_id: s(planId), invitation_id: s(invitationId) } };
    await call(api.DELETE('/api/plans/{plan_id}/invitations/{invitation_id}', { params }));
  },
  async preview(token: string, { signal }: Signal = {}) {
    return call(api.GET('/api/invitations/{token}', { params: { path: { token } }, signal }), { authCall: true });
  },
  /** Without `account`, joins as the signed-in user; with it, creates the account first. */
  async accept(token: string, account?: { name: string; password: string }) {
    return call(api.POST('/api/invitations/{token}/accept', { params: { path: { token } }, body: account }), {
      authCall: true,
    });
  },
};

// ---- sections -------------------------------------------------------------

export type NewSection = Schemas['SectionCreate'];

export const sections = {
  async create(planId: Id, body: NewSection) {
    return call(api.POST('/api/plans/{plan_id}/sections', { params: plan(planId), body }));
  },
  async update(planId: Id, sectionId: Id, body: Schemas['SectionUpdate']) {
    const params = { path: { plan_id: s(planId), section_id: s(sectionId) } };
    return call(api.PATCH('/api/plans/{plan_id}/sections/{section_id}', { params, body }));
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
    return (await call(api.GET('/api/plans/{plan_id}/threads', { params, signal }))).items.map(toThread);
  },
  async counts(planId: Id, { signal }: Signal = {}) {
    return threadCounts(await call(api.GET('/api/plans/{plan_id}/threads/counts', { params: plan(planId), signal })));
  },
  async create(planId: Id, body: Schemas['ThreadCreate']) {
    return toThread(await call(api.POST('/api/plans/{plan_id}/threads', { params: plan(planId), body })));
  },
  async reply(planId: Id, threadId: Id, body: Schemas['CommentCreate']) {
    await call(api.POST('/api/plans/{plan_id}/threads/{thread_id}/comments', { params: thread(planId, threadId), body }));
  },
  async resolve(planId: Id, threadId: Id) {
    return toThread(await call(api.POST('/api/plans/{plan_id}/threads/{thread_id}/resolve', { params: thread(planId, threadId) })));
  },
  async reopen(planId: Id, threadId: Id) {
    return toThread(await call(api.POST('/api/plans/{plan_id}/threads/{thread_id}/reopen', { params: thread(planId, threadId) })));
  },
  async get(planId: Id, threadId: Id, { signal }: Signal = {}) {
    return toThread(await call(api.GET('/api/plans/{plan_id}/threads/{thread_id}', { params: thread(planId, threadId), signal })));
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
    return (await call(api.GET('/api/plans/{plan_id}/votes', { params, signal }))).items;
  },
  async add(planId: Id, sectionId: Id, itemId: string) {
    const body = { section_id: s(sectionId), item_id: itemId };
    return call(api.POST('/api/plans/{plan_id}/votes', { params: plan(planId), body }));
  },
  async remove(planId: Id, sectionId: Id, itemId: string) {
    const params = { path: { plan_id: s(planId), section_id: s(sectionId), item_id: itemId } };
    return call(api.DELETE('/api/plans/{plan_id}/votes/{section_id}/{item_id}', { params }));
  },
};

export const notifications = {
  async list({ signal }: Signal = {}) {
    return call(api.GET('/api/notifications', { params: { query: { limit: 50 } }, signal }));
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
    return (await call(api.GET('/api/plans/{plan_id}/agreements', { params: plan(planId), signal }))).items;
  },
  async sign(planId: Id, sectionId: Id, goalId: string) {
    return call(api.POST('/api/plans/{plan_id}/goals/{goal_id}/signatures', { params: goal(planId, goalId, sectionId) }));
  },
  async withdraw(planId: Id, sectionId: Id, goalId: string, reason: string | null) {
    const params = goal(planId, goalId, sectionId);
    return call(api.DELETE('/api/plans/{plan_id}/goals/{goal_id}/signatures/mine', { params, body: { reason } }));
  },
};

const version = (planId: Id, versionId: Id) => ({ path: { plan_id: s(planId), version_id: s(versionId) } });

export const versions = {
  async list(planId: Id, { signal }: Signal = {}) {
    return (await call(api.GET('/api/plans/{plan_id}/versions', { params: plan(planId), signal }))).items;
  },
  async create(planId: Id, name: string) {
    return call(api.POST('/api/plans/{plan_id}/versions', { params: plan(planId), body: { name } }));
  },
  async get(planId: Id, versionId: Id, { signal }: Signal = {}) {
    return call(api.GET('/api/plans/{plan_id}/versions/{version_id}', { params: version(planId, versionId), signal }));
  },
  async compare(planId: Id, versionId: Id, to: string, { signal }: Signal = {}) {
    const params = { ...version(planId, versionId), query: { to } };
    return call(api.GET('/api/plans/{plan_id}/versions/{version_id}/compare', { params, signal }));
  },
  async sign(planId: Id, versionId: Id) {
    await call(api.POST('/api/plans/{plan_id}/versions/{version_id}/signatures', { params: version(planId, versionId) }));
  },
};

/** The export's address; the session cookie authenticates it. */
export function exportUrl(planId: Id, format: 'md' | 'pdf', versionId?: Id | null): string {
  const query = new URLSearchParams({ format });
  if (versionId) query.set('version_id', s(versionId));
  return `/api/plans/${encodeURIComponent(s(planId))}/export?${query}`;
}

/** The file name from a Content-Disposition header (`filename*=UTF-8''…` preferred), if any. */
export function dispositionFilename(header: string | null): string | null {
  if (!header) return null;
  const extended = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (extended) {
    try {
      return decodeURIComponent(extended[1]!.trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/i.exec(header);
  return plain ? plain[1]!.trim() : null;
}

/**
 * Fetches an export and hands it to the browser as a download under the server's file name.
 * Fetched rather than linked so that a refusal (413 too large, 422, 429, offline) reaches the
 * screen as a message instead of being saved as a JSON file.
 */
export async function downloadExport(planId: Id, format: 'md' | 'pdf', versionId?: Id | null): Promise<void> {
  let response: Response;
  try {
    response = await globalThis.fetch(exportUrl(planId, format, versionId), { credentials: 'same-origin' });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error' });
  }
  if (!response.ok) {
    throw refusal(response, await response.json().catch(() => null));
  }
  const blob = await response.blob();
  const name = dispositionFilename(response.headers.get('Content-Disposition')) ?? `plan.${format}`;
  const href = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = href;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the address can go once the browser has read it.
  setTimeout(() => URL.revokeObjectURL(href), 60_000);
}
