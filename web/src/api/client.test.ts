import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, onUnauthorized, parseApiError, parseRetryAfter, request } from './client';

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
      { field: 'supplier_name', message: 'Field required' },
      { field: 'section_ids.2', message: 'Input should be a valid integer' },
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

describe('request', () => {
  afterEach(() => vi.unstubAllGlobals());

  function stubFetch(response: Response | Error) {
    const fetchMock = vi.fn(async () => {
      if (response instanceof Error) throw response;
      return response;
    });
    vi.stubGlobal('fetch', fetchMock);
    return fetchMock;
  }

  it('sends JSON with the session cookie and returns the decoded body', async () => {
    const fetchMock = stubFetch(new Response(JSON.stringify({ id: 1 }), { status: 201 }));
    await expect(request('POST', '/api/plans', { body: { title: 'T' } })).resolves.toEqual({ id: 1 });
    const [url, init] = fetchMock.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/plans');
    expect(init.credentials).toBe('same-origin');
    expect(init.body).toBe('{"title":"T"}');
    expect((init.headers as Record<string, string>)['Content-Type']).toBe('application/json');
  });

  it('resolves undefined for 204 No Content', async () => {
    stubFetch(new Response(null, { status: 204 }));
    await expect(request('DELETE', '/api/plans/1/members/2')).resolves.toBeUndefined();
  });

  it('rejects with an ApiError carrying the server code', async () => {
    stubFetch(
      new Response(JSON.stringify({ error: 'invalid_credentials', detail: 'Wrong email or password' }), {
        status: 401,
      }),
    );
    const err = await request('POST', '/api/auth/login', { body: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 401, code: 'invalid_credentials' });
  });

  it('turns a failed connection into a network_error', async () => {
    stubFetch(new TypeError('Failed to fetch'));
    await expect(request('GET', '/api/plans')).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('tells listeners when a session expires, but not for auth calls', async () => {
    const listener = vi.fn();
    const stop = onUnauthorized(listener);
    stubFetch(new Response('{}', { status: 401 }));
    await request('GET', '/api/auth/me').catch(() => undefined);
    expect(listener).not.toHaveBeenCalled();
    stubFetch(new Response('{}', { status: 401 }));
    await request('GET', '/api/plans').catch(() => undefined);
    expect(listener).toHaveBeenCalledTimes(1);
    stop();
  });
});
