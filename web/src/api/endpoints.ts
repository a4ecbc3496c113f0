import { items } from './decode';
import { request } from './client';
import {
  decodeAcceptedInvitation,
  decodeAuditEntry,
  decodeConfig,
  decodeCreatedInvitation,
  decodeInvitation,
  decodeInvitationPreview,
  decodeMember,
  decodePlanDetail,
  decodePlanSummary,
  decodeSection,
  decodeUser,
  type Id,
  type Owner,
  type Party,
  type PlanLanguage,
  type Role,
  type SectionKind,
  type Horizon,
  type Template,
  type Visibility,
} from './types';

const enc = (value: Id | string) => encodeURIComponent(String(value));
const planPath = (planId: Id) => `/api/plans/${enc(planId)}`;

type Signal = { signal?: AbortSignal };

// ---- auth -----------------------------------------------------------------

export const auth = {
  async me({ signal }: Signal = {}) {
    return decodeUser(await request('GET', '/api/auth/me', { signal }));
  },
  async login(body: { email: string; password: string }) {
    const data = await request('POST', '/api/auth/login', { body });
    return decodeUser((data as { user?: unknown } | undefined)?.user);
  },
  async signup(body: { email: string; name: string; password: string }) {
    const data = await request('POST', '/api/auth/signup', { body });
    return decodeUser((data as { user?: unknown } | undefined)?.user);
  },
  async logout() {
    await request('POST', '/api/auth/logout');
  },
};

export async function getConfig({ signal }: Signal = {}) {
  return decodeConfig(await request('GET', '/api/config', { signal }));
}

// ---- plans ----------------------------------------------------------------

export interface NewPlan {
  title: string;
  supplier_name: string;
  customer_name: string;
  template: Template;
  language?: PlanLanguage;
}

export const plans = {
  async list(archived: boolean, { signal }: Signal = {}) {
    const data = await request('GET', `/api/plans?archived=${archived ? 'true' : 'false'}`, { signal });
    return items(data, decodePlanSummary);
  },
  async create(body: NewPlan) {
    return decodePlanDetail(await request('POST', '/api/plans', { body }));
  },
  async get(planId: Id, { signal }: Signal = {}) {
    return decodePlanDetail(await request('GET', planPath(planId), { signal }));
  },
  async archive(planId: Id) {
    return decodePlanDetail(await request('POST', `${planPath(planId)}/archive`));
  },
  async unarchive(planId: Id) {
    return decodePlanDetail(await request('POST', `${planPath(planId)}/unarchive`));
  },
  async audit(planId: Id, { signal }: Signal = {}) {
    return items(await request('GET', `${planPath(planId)}/audit`, { signal }), decodeAuditEntry);
  },
};

// ---- members & invitations ------------------------------------------------

export const members = {
  async list(planId: Id, { signal }: Signal = {}) {
    return items(await request('GET', `${planPath(planId)}/members`, { signal }), decodeMember);
  },
  async update(planId: Id, memberId: Id, body: { role?: Role; signatory?: boolean; party?: Party }) {
    return decodeMember(await request('PATCH', `${planPath(planId)}/members/${enc(memberId)}`, { body }));
  },
  async remove(planId: Id, memberId: Id) {
    await request('DELETE', `${planPath(planId)}/members/${enc(memberId)}`);
  },
};

export interface NewInvitation {
  email: string;
  party: Party;
  role: Role;
  signatory: boolean;
}

export const invitations = {
  async list(planId: Id, { signal }: Signal = {}) {
    return items(await request('GET', `${planPath(planId)}/invitations`, { signal }), decodeInvitation);
  },
  async create(planId: Id, body: NewInvitation) {
    return decodeCreatedInvitation(await request('POST', `${planPath(planId)}/invitations`, { body }));
  },
  async revoke(planId: Id, invitationId: Id) {
    await request('DELETE', `${planPath(planId)}/invitations/${enc(invitationId)}`);
  },
  async preview(token: string, { signal }: Signal = {}) {
    return decodeInvitationPreview(await request('GET', `/api/invitations/${enc(token)}`, { signal }));
  },
  /** Without `account`, joins as the signed-in user; with it, creates the account first. */
  async accept(token: string, account?: { name: string; password: string }) {
    const data = await request('POST', `/api/invitations/${enc(token)}/accept`, account ? { body: account } : {});
    return decodeAcceptedInvitation(data);
  },
};

// ---- sections -------------------------------------------------------------

export interface NewSection {
  title: string;
  kind: SectionKind;
  horizon?: Horizon | null;
  owner?: Owner;
  visibility?: Visibility;
}

export const sections = {
  async create(planId: Id, body: NewSection) {
    return decodeSection(await request('POST', `${planPath(planId)}/sections`, { body }));
  },
  async update(planId: Id, sectionId: Id, body: { title?: string; owner?: Owner; visibility?: Visibility }) {
    return decodeSection(await request('PATCH', `${planPath(planId)}/sections/${enc(sectionId)}`, { body }));
  },
  async remove(planId: Id, sectionId: Id) {
    await request('DELETE', `${planPath(planId)}/sections/${enc(sectionId)}`);
  },
  async reorder(planId: Id, sectionIds: Id[]) {
    await request('POST', `${planPath(planId)}/sections/order`, { body: { section_ids: sectionIds } });
  },
};
