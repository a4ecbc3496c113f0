import createClient from 'openapi-fetch';
import { conformResponses, MisfitResponse } from './conform';
import { isObject, str } from './decode';
import type { paths } from './schema';

export interface FieldError {
  /** Dotted path of the offending field, e.g. "email" or "section_ids.2"; "" if unknown. */
  field: string;
  message: string;
  /** The validator's error type (pydantic's, e.g. "string_too_short") and its limits, if given. */
  type?: string;
  params?: Record<string, string | number>;
}

/** Every failed call rejects with an ApiError; `status` 0 means the server was not reached. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly detail: string | null;
  readonly fieldErrors: FieldError[];
  /** Seconds to wait before retrying (from Retry-After), if the server said. */
  readonly retryAfter: number | null;

  constructor(init: {
    status: number;
    code: string;
    detail?: string | null;
    fieldErrors?: FieldError[];
    retryAfter?: number | null;
  }) {
    super(init.detail || init.code);
    this.name = 'ApiError';
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail ?? null;
    this.fieldErrors = init.fieldErrors ?? [];
    this.retryAfter = init.retryAfter ?? null;
  }

  fieldError(field: string): string | undefined {
    return this.fieldErrors.find((e) => e.field === field)?.message;
  }
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  410: 'gone',
  413: 'too_large',
  422: 'validation_error',
  429: 'too_many_attempts',
};

function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? 'server_error' : 'unknown_error');
}

function fieldPath(loc: unknown): string {
  if (typeof loc === 'string') return loc;
  if (!Array.isArray(loc)) return '';
  // FastAPI locations start with where the value came from ("body", "query", ...).
  const parts = loc.map((p) => String(p));
  if (['body', 'query', 'path', 'header', 'cookie'].includes(parts[0] ?? '')) parts.shift();
  return parts.join('.');
}

function parseFieldErrors(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  const out: FieldError[] = [];
  for (const item of value) {
    if (typeof item === 'string') {
      out.push({ field: '', message: item });
    } else if (isObject(item)) {
      const field = fieldPath(item.field ?? item.loc);
      const message = str(item.message) || str(item.msg) || str(item.detail);
      const type = str(item.type);
      const params: Record<string, string | number> = {};
      if (isObject(item.ctx)) {
        for (const [k, v] of Object.entries(item.ctx)) if (typeof v === 'string' || typeof v === 'number') params[k] = v;
      }
      if (message || type) out.push({ field, message, ...(type ? { type, params } : {}) });
    }
  }
  return out;
}

/** Seconds from a Retry-After header: either delta-seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return null;
  return Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * Turns an error response into an ApiError. Understands our envelope
 * `{error, detail, errors?}` and FastAPI's stock `{detail: string | [{loc, msg}]}`,
 * and falls back to a code derived from the status for anything else.
 */
export function parseApiError(status: number, body: unknown, retryAfterHeader?: string | null): ApiError {
  const retryAfter = parseRetryAfter(retryAfterHeader);
  if (!isObject(body)) {
    return new ApiError({ status, code: codeForStatus(status), retryAfter });
  }
  const code = typeof body.error === 'string' && body.error ? body.error : codeForStatus(status);
  let detail: string | null = typeof body.detail === 'string' && body.detail ? body.detail : null;
  let fieldErrors = parseFieldErrors(body.errors);
  if (Array.isArray(body.detail)) {
    fieldErrors = fieldErrors.concat(parseFieldErrors(body.detail));
  }
  // FastAPI's default 404/405 detail ("Not Found") says nothing a user can use.
  if (!body.error && detail && /^(not found|method not allowed)$/i.test(detail)) detail = null;
  return new ApiError({ status, code, detail, fieldErrors, retryAfter });
}

/** Listeners told when any call comes back 401, so the app can forget the signed-in user. */
const unauthorizedListeners = new Set<() => void>();

export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

function origin(): string {
  return typeof window !== 'undefined' && window.location?.origin ? window.location.origin : 'http://localhost';
}

/**
 * The typed client, generated from the server's OpenAPI schema (`npm run api`). Paths, path
 * parameters, request bodies and responses are checked against the schema at compile time, so
 * the app reads the fields the server declares; at run time each response is held to the same
 * schema (conform.ts). `fetch` is looked up per call so tests can stub it.
 */
export const api = createClient<paths>({
  baseUrl: origin(),
  credentials: 'same-origin',
  headers: { Accept: 'application/json' },
  fetch: (input: Request) => globalThis.fetch(input),
});
api.use(conformResponses);

interface Outcome<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

/**
 * Awaits a call of the typed client: resolves with the body (undefined for 204) or
 * rejects with an ApiError; a failed connection becomes `network_error`. A 401 tells the
 * unauthorized listeners, except for the auth calls themselves (`authCall`), where it only
 * means "wrong password" or "not signed in yet".
 */
export async function call<T>(
  pending: Promise<Outcome<T>>,
  { authCall = false }: { authCall?: boolean } = {},
): Promise<T> {
  let outcome: Outcome<T>;
  try {
    outcome = await pending;
  } catch (err) {
    if (isAbort(err) || err instanceof MisfitResponse) throw err;
    throw new ApiError({ status: 0, code: 'network_error' });
  }
  const { response } = outcome;
  if (!response.ok) throw refusal(response, outcome.error, { authCall });
  // openapi-fetch leaves `data` unset only on an error or an empty (204) body.
  return outcome.data as T;
}

/** The ApiError for a refused response (its body already read); a 401 tells the listeners. */
export function refusal(response: Response, body: unknown, { authCall = false }: { authCall?: boolean } = {}): ApiError {
  const error = parseApiError(response.status, body, response.headers.get('Retry-After'));
  if (response.status === 401 && !authCall) {
    unauthorizedListeners.forEach((listener) => listener());
  }
  return error;
}

export function isAbort(err: unknown): boolean {
  return err instanceof DOMException && err.name === 'AbortError';
}
