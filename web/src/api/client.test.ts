import { afterEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError, call, onUnauthorized, parseApiError, parseRetryAfter } from './client';

describe('parseApiError', () => {
  it('reads our error envelope with field errors', () => {
    const err = parseApiError(422, {
      error: 'validation_error',
      detail: 'Check the fields',
      errors: [{ field: 'email', message: 'Not a valid email' }],
    });
    expect(err).toBeInstanceOf(ApiError);
    expect(err.status).toBe(422);
    expect(err.code).toBe('validation_error');
    expect(err.detail).toBe('Check the fields');
    expect(err.fieldError('email')).toBe('Not a valid email');
  });

  it("understands FastAPI's stock validation shape", () => {
    const err = parseApiError(422, {
      detail: [
        { loc: ['body', 'supplier_name'], msg: 'Field required', type: 'missing' },
        { loc: ['body', 'section_ids', 2], msg: 'Input should be a valid integer' },
      ],
    });
    expect(err.code).toBe('validation_error');
    expect(err.detail).toBeNull();
    expect(err.fieldErrors).toEqual([
      { field: 'supplier_name', message: 'Field required', type: 'missing', params: {} },
      { field: 'section_ids.2', message: 'Input should be a valid integer' },
    ]);
  });

  it("keeps our validation errors' type and plain limits, for translation", () => {
    const err = parseApiError(422, {
      error: 'validation_error',
      detail: 'The request is malformed.',
      errors: [{ loc: ['body', 'name'], msg: 'String should have at least 8 characters', type: 'string_too_short', ctx: { min_length: 8, junk: { a: 1 } } }],
    });
    expect(err.fieldErrors).toEqual([
      { field: 'name', message: 'String should have at least 8 characters', type: 'string_too_short', params: { min_length: 8 } },
    ]);
  });

  it('falls back to a status-derived code for bodies it does not know', () => {
    expect(parseApiError(500, '<html>Bad gateway</html>').code).toBe('server_error');
    expect(parseApiError(404, { detail: 'Not Found' })).toMatchObject({ code: 'not_found', detail: null });
    expect(parseApiError(418, null).code).toBe('unknown_error');
    expect(parseApiError(400, { error: 42, errors: 'nope' })).toMatchObject({ code: 'bad_request', fieldErrors: [] });
  });

  it('keeps the Retry-After wait of a rate-limited login', () => {
    const err = parseApiError(429, { error: 'too_many_attempts', detail: 'Slow down' }, '30');
    expect(err.code).toBe('too_many_attempts');
    expect(err.retryAfter).toBe(30);
  });
});

describe('parseRetryAfter', () => {
  it('accepts seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});

describe('the typed client', () => {
  afterEach(() => vi.unstubAllGlobals());

  function stubFetch(response: Response | Error) {
    const fetchMock = vi.fn(async (_request: Request) => {
      if (response instanceof Error) throw response;
      return response.clone();
    });
    vi.stubGlobal('fetch', fetchMock);
    return fetchMock;
  }

  it('sends JSON with the session cookie and returns the decoded body', async () => {
    const fetchMock = stubFetch(new Response(JSON.stringify({ id: '1' }), { status: 201 }));
    const body = { title: 'T', supplier_name: 'S', customer_name: 'C', template: 'kam' as const, language: 'en' as const };
    await expect(call(api.POST('/api/plans', { body }))).resolves.toEqual({ id: '1' });
    const request = fetchMock.mock.calls[0]![0];
    expect(new URL(request.url).pathname).toBe('/api/plans');
    expect(request.method).toBe('POST');
    expect(request.credentials).toBe('same-origin');
    expect(await request.text()).toBe(JSON.stringify(body));
    expect(request.headers.get('Content-Type')).toBe('application/json');
  });

  it('fills path parameters and query strings', async () => {
    const fetchMock = stubFetch(new Response('{"items": []}', { status: 200 }));
    await call(api.GET('/api/plans', { params: { query: { archived: true } } }));
    await call(api.GET('/api/plans/{plan_id}', { params: { path: { plan_id: 'a/b' } } }));
    const urls = fetchMock.mock.calls.map(([r]) => new URL(r.url));
    expect(urls[0]!.search).toBe('?archived=true');
    expect(urls[1]!.pathname).toBe('/api/plans/a%2Fb');
  });

  it('resolves undefined for 204 No Content', async () => {
    stubFetch(new Response(null, { status: 204 }));
    const params = { path: { plan_id: '1', member_id: '2' } };
    await expect(call(api.DELETE('/api/plans/{plan_id}/members/{member_id}', { params }))).resolves.toBeUndefined();
  });

  it('rejects with an ApiError carrying the server code', async () => {
    stubFetch(
      new Response(JSON.stringify({ error: 'invalid_credentials', detail: 'Wrong email or password' }), {
        status: 401,
      }),
    );
    const err = await call(api.POST('/api/auth/login', { body: { email: 'a@b.c', password: 'x' } }), {
      authCall: true,
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('turns a failed connection into a network_error', async () => {
    stubFetch(new TypeError('Failed to fetch'));
    await expect(call(api.GET('/api/plans', {}))).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('tells listeners when a session expires, but not for auth calls', async () => {
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    stubFetch(new Response('{}', { status: 401 }));
    await call(api.GET('/api/auth/me', {}), { authCall: true }).catch(() => undefined);
    expect(listener).not.toHaveBeenCalled();
    stubFetch(new Response('{}', { status: 401 }));
    await call(api.GET('/api/plans', {})).catch(() => undefined);
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });
});
