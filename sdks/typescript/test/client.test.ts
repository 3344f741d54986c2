// Unit tests of the hand-written layer with a stub `fetch` (no server needed).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import {
  CampaignOS,
  CampaignOSError,
  CampaignOSTimeoutError,
  DEFAULT_BASE_URL,
  SDK_VERSION,
  retryAfterMs,
} from 'campaign-os';

interface Call {
  url: string;
  method: string;
  headers: Headers;
  body: string | undefined;
}

type Reply = Response | ((call: Call, signal: AbortSignal) => Promise<Response>);

/** A fetch that records each call and answers with the next queued reply. */
function stubFetch(replies: Reply[]) {
  const calls: Call[] = [];
  const fetch = (async (input: string | URL | Request, init?: RequestInit) => {
    const call: Call = {
      url: String(input),
      method: init?.method ?? 'GET',
      headers: new Headers(init?.headers),
      body: init?.body ? Buffer.from(init.body as ArrayBuffer).toString() : undefined,
    };
    calls.push(call);
    const reply = replies.shift();
    assert.ok(reply, `unexpected extra request ${call.method} ${call.url}`);
    return typeof reply === 'function' ? reply(call, init?.signal as AbortSignal) : reply;
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: {
      'Content-Type': status >= 400 ? 'application/problem+json' : 'application/json',
      ...headers,
    },
  });

const problem = (status: number, code: string, headers: Record<string, string> = {}) =>
  json(
    status,
    { type: `https://docs.campaign-os.dev/errors/${code}`, title: 'T', status, detail: 'd', code, request_id: 'req_x' },
    headers,
  );

const ME = {
  principal_type: 'api_key',
  user: null,
  api_key: { id: 'key_01h455vb4pex5vsknk084sn02q', name: 'k', prefix: 'cos_abcdefgh' },
  organization: { id: 'org_01h455vb4pex5vsknk084sn02q', name: 'o', created_at: '2025-01-01T00:00:00Z' },
  role: 'admin',
};

const FAST = { retryBaseDelayMs: 1, retryMaxDelayMs: 5 };

describe('client', () => {
  test('the SDK version matches package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    assert.equal(SDK_VERSION, pkg.version);
  });

  test('sends the API key as a bearer token, and a User-Agent', async () => {
    const { fetch, calls } = stubFetch([json(200, ME)]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test/', apiKey: 'cos_secret', fetch });
    const { data } = await cos.me.get();
    assert.equal(data.principal_type, 'api_key');
    assert.equal(calls[0]?.url, 'http://api.test/v1/me');
    assert.equal(calls[0]?.headers.get('authorization'), 'Bearer cos_secret');
    assert.match(
      calls[0]?.headers.get('user-agent') ?? '',
      /^campaign-os-typescript\/\d+\.\d+\.\d+ node\/\d+\.\d+\.\d+$/,
    );
    assert.equal(calls[0]?.headers.get('idempotency-key'), null);
  });

  test('operations without security get no Authorization; POSTs get a UUID Idempotency-Key', async () => {
    const { fetch, calls } = stubFetch([new Response(null, { status: 204 })]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', accessToken: 'jwt', fetch });
    await cos.auth.logout({ body: { refresh_token: 'rt_x' } });
    assert.equal(calls[0]?.headers.get('authorization'), null);
    assert.equal(calls[0]?.headers.get('content-type'), 'application/json');
    assert.equal(calls[0]?.body, '{"refresh_token":"rt_x"}');
    assert.match(calls[0]?.headers.get('idempotency-key') ?? '', /^[0-9a-f-]{36}$/);
  });

  test('setAccessToken switches the credentials', async () => {
    const { fetch, calls } = stubFetch([json(200, ME), json(200, ME)]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch });
    await cos.me.get();
    cos.setAccessToken('jwt-2');
    await cos.me.get();
    assert.equal(calls[0]?.headers.get('authorization'), null);
    assert.equal(calls[1]?.headers.get('authorization'), 'Bearer jwt-2');
  });

  test('apiKey and accessToken together are refused', () => {
    assert.throws(() => new CampaignOS({ apiKey: 'cos_x', accessToken: 'jwt' }), TypeError);
  });

  test('the base URL defaults to CAMPAIGN_OS_BASE_URL, then the local default', () => {
    const saved = process.env['CAMPAIGN_OS_BASE_URL'];
    try {
      process.env['CAMPAIGN_OS_BASE_URL'] = 'http://from-env.test:1234/';
      assert.equal(new CampaignOS().baseUrl, 'http://from-env.test:1234');
      delete process.env['CAMPAIGN_OS_BASE_URL'];
      assert.equal(new CampaignOS().baseUrl, DEFAULT_BASE_URL);
    } finally {
      if (saved === undefined) delete process.env['CAMPAIGN_OS_BASE_URL'];
      else process.env['CAMPAIGN_OS_BASE_URL'] = saved;
    }
  });

  test('a 409 idempotency_key_in_use is retried with the same key', async () => {
    const created = { id: 'key_01h455vb4pex5vsknk084sn02q', name: 'n', prefix: 'cos_x', created_at: 'x', last_used_at: null, secret: 'cos_x' };
    const { fetch, calls } = stubFetch([problem(409, 'idempotency_key_in_use'), json(201, created)]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', apiKey: 'cos_k', fetch, ...FAST });
    const { data } = await cos.apiKeys.create({ body: { name: 'n' } });
    assert.equal(data.id, created.id);
    assert.equal(calls.length, 2);
    assert.equal(calls[0]?.headers.get('idempotency-key'), calls[1]?.headers.get('idempotency-key'));
    assert.equal(calls[1]?.body, '{"name":"n"}');
  });

  test('other 4xx are not retried', async () => {
    for (const [status, code] of [
      [409, 'conflict'],
      [400, 'invalid_id'],
      [401, 'invalid_token'],
      [404, 'not_found'],
      [422, 'validation_failed'],
    ] as const) {
      const { fetch, calls } = stubFetch([problem(status, code)]);
      const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch, ...FAST });
      const error = await cos.me.get().then(
        () => assert.fail('should fail'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof CampaignOSError);
      assert.equal(error.status, status);
      assert.equal(error.code, code);
      assert.equal(calls.length, 1, `${status} must not be retried`);
    }
  });

  test('408 and 5xx are retried up to maxRetries', async () => {
    const { fetch, calls } = stubFetch([
      problem(408, 'request_timeout'),
      problem(500, 'internal_error'),
      problem(502, 'bad_gateway'),
      problem(503, 'service_unavailable'),
    ]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch, maxRetries: 3, ...FAST });
    const error = await cos.me.get().catch((e: unknown) => e);
    assert.ok(error instanceof CampaignOSError);
    assert.equal(error.status, 503);
    assert.equal(calls.length, 4);
  });

  test('a Retry-After longer than maxRetryAfterMs is not waited for', async () => {
    const { fetch, calls } = stubFetch([problem(429, 'rate_limited', { 'Retry-After': '3600' })]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch, ...FAST });
    const error = await cos.me.get().catch((e: unknown) => e);
    assert.ok(error instanceof CampaignOSError);
    assert.equal(error.status, 429);
    assert.equal(error.headers?.get('retry-after'), '3600');
    assert.equal(calls.length, 1);
  });

  test('Retry-After as an HTTP date is honoured', async () => {
    const inOneSecond = new Date(Date.now() + 1000).toUTCString();
    const { fetch, calls } = stubFetch([
      problem(503, 'service_unavailable', { 'Retry-After': inOneSecond }),
      json(200, ME),
    ]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch, ...FAST });
    const started = Date.now();
    await cos.me.get();
    // HTTP dates have a one-second resolution: the wait is between 0 and 1 s.
    assert.ok(Date.now() - started <= 1500);
    assert.equal(calls.length, 2);
  });

  test('retryAfterMs parses delta-seconds and HTTP dates', () => {
    const now = Date.parse('Wed, 21 Oct 2015 07:28:00 GMT');
    assert.equal(retryAfterMs('2', now), 2000);
    assert.equal(retryAfterMs(' 0 ', now), 0);
    assert.equal(retryAfterMs('1.5', now), 1500);
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', now), 5000);
    assert.equal(retryAfterMs('Wed, 21 Oct 2015 07:27:00 GMT', now), 0);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs('-1', now), undefined);
    assert.equal(retryAfterMs(null, now), undefined);
  });

  test('a slow answer times out, is retried, and ends in a CampaignOSTimeoutError', async () => {
    const hang = (_call: Call, signal: AbortSignal) =>
      new Promise<Response>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const { fetch, calls } = stubFetch([hang, hang]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch, timeoutMs: 50, maxRetries: 1, ...FAST });
    const error = await cos.me.get().catch((e: unknown) => e);
    assert.ok(error instanceof CampaignOSTimeoutError, String(error));
    assert.equal(error.status, 0);
    assert.equal(error.code, 'timeout');
    assert.equal(calls.length, 2);
  });

  test('the caller aborting is not retried and not wrapped', async () => {
    const hang = (_call: Call, signal: AbortSignal) =>
      new Promise<Response>((_resolve, reject) => {
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    const { fetch, calls } = stubFetch([hang]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch, ...FAST });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const error = await cos.me.get({ signal: controller.signal }).catch((e: unknown) => e);
    assert.ok(!(error instanceof CampaignOSError), String(error));
    assert.equal((error as Error).name, 'AbortError');
    assert.equal(calls.length, 1);
  });

  test('an error body that is not a problem still gives a CampaignOSError', async () => {
    const { fetch } = stubFetch([
      new Response('<html>bad gateway</html>', {
        status: 502,
        statusText: 'Bad Gateway',
        headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'req_edge' },
      }),
    ]);
    const cos = new CampaignOS({ baseUrl: 'http://api.test', fetch, maxRetries: 0 });
    const error = await cos.me.get().catch((e: unknown) => e);
    assert.ok(error instanceof CampaignOSError);
    assert.equal(error.status, 502);
    assert.equal(error.code, 'http_502');
    assert.equal(error.title, 'Bad Gateway');
    assert.equal(error.requestId, 'req_edge');
    assert.equal(error.body, '<html>bad gateway</html>');
  });
});
