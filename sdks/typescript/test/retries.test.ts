// Through the fault proxy (CAMPAIGN_OS_PROXY_URL) in front of the live server.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, test } from 'node:test';

import { CampaignOS, CampaignOSConnectionError } from 'campaign-os';

import {
  FAST_RETRIES,
  PASSWORD,
  proxy,
  proxyUrl,
  rejectsWith,
  signedUpClient,
  uniqueEmail,
} from './helpers.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** A client through the proxy, signed up (directly through the proxy as well). */
async function proxiedClient(options = {}) {
  const { cos, session } = await signedUpClient({ baseUrl: proxyUrl(), ...FAST_RETRIES, ...options });
  await proxy.reset();
  return { cos, session };
}

const attempts = async (method: string, path: string) =>
  (await proxy.requests()).filter((r) => r.method === method && r.path === path);

describe('retries through the fault proxy', () => {
  beforeEach(async () => {
    await proxy.reset();
  });

  test('a 503 is retried, with the same Idempotency-Key, and the call succeeds', async () => {
    const { cos } = await proxiedClient();
    await proxy.faults([{ status: 503, method: 'POST', path: '/v1/api-keys' }]);

    const { data: key } = await cos.apiKeys.create({ body: { name: 'after a 503' } });
    assert.equal(key.name, 'after a 503');

    const tries = await attempts('POST', '/v1/api-keys');
    assert.deepEqual(
      tries.map((r) => r.status),
      [503, 201],
    );
    const keys = new Set(tries.map((r) => r.idempotency_key));
    assert.equal(keys.size, 1, `one Idempotency-Key for every attempt, got ${[...keys].join(', ')}`);
    assert.match(tries[0]?.idempotency_key ?? '', UUID_V4);
    // Every attempt is authenticated.
    assert.ok(tries.every((r) => r.authorization?.startsWith('Bearer ')));
  });

  test('a 429 with Retry-After: 1 waits a second, then succeeds with the same key', async () => {
    const { cos } = await proxiedClient();
    await proxy.faults([{ status: 429, retry_after: '1', method: 'POST', path: '/v1/api-keys' }]);

    const started = performance.now();
    const { data: key } = await cos.apiKeys.create({ body: { name: 'after a 429' } });
    const elapsed = performance.now() - started;
    assert.equal(key.name, 'after a 429');
    assert.ok(elapsed >= 950, `waited ${elapsed.toFixed(0)} ms, expected ≥ 1000 ms`);

    const tries = await attempts('POST', '/v1/api-keys');
    assert.deepEqual(
      tries.map((r) => r.status),
      [429, 201],
    );
    assert.equal(new Set(tries.map((r) => r.idempotency_key)).size, 1);
  });

  test('each call gets its own Idempotency-Key; a caller-supplied one is kept across retries', async () => {
    const { cos } = await proxiedClient();
    await cos.apiKeys.create({ body: { name: 'one' } });
    await cos.apiKeys.create({ body: { name: 'two' } });
    const mine = randomUUID();
    await proxy.faults([{ status: 502, method: 'POST', path: '/v1/api-keys' }]);
    await cos.apiKeys.create({ body: { name: 'three' }, headers: { 'Idempotency-Key': mine } });

    const keys = (await attempts('POST', '/v1/api-keys')).map((r) => r.idempotency_key);
    assert.equal(keys.length, 4);
    assert.notEqual(keys[0], keys[1]);
    assert.deepEqual(keys.slice(2), [mine, mine]);
  });

  test('GET requests are retried too, without an Idempotency-Key', async () => {
    const { cos } = await proxiedClient();
    await proxy.faults([
      { status: 500, method: 'GET', path: '/v1/me' },
      { status: 504, method: 'GET', path: '/v1/me' },
    ]);
    const { data: me } = await cos.me.get();
    assert.equal(me.principal_type, 'user');
    const tries = await attempts('GET', '/v1/me');
    assert.deepEqual(
      tries.map((r) => r.status),
      [500, 504, 200],
    );
    assert.ok(tries.every((r) => r.idempotency_key === null));
  });

  test('a dropped connection is retried', async () => {
    const { cos } = await proxiedClient();
    await proxy.faults([{ drop: true, method: 'GET', path: '/v1/me' }]);
    const { data: me } = await cos.me.get();
    assert.equal(me.principal_type, 'user');
    const tries = await attempts('GET', '/v1/me');
    assert.deepEqual(
      tries.map((r) => r.faulted),
      [true, false],
    );
  });

  test('a 409 email_taken is not retried', async () => {
    const email = uniqueEmail();
    const cos = new CampaignOS({ baseUrl: proxyUrl(), ...FAST_RETRIES });
    await cos.auth.signup({ body: { email, password: PASSWORD, organization_name: 'First' } });
    await proxy.reset();

    const error = await rejectsWith(
      cos.auth.signup({ body: { email, password: PASSWORD, organization_name: 'Second' } }),
    );
    assert.equal(error.status, 409);
    assert.equal(error.code, 'email_taken');
    assert.equal((await attempts('POST', '/v1/auth/signup')).length, 1);
  });

  test('signup sends no Authorization even when the client holds a token', async () => {
    const { cos } = await proxiedClient();
    await cos.auth.signup({
      body: { email: uniqueEmail(), password: PASSWORD, organization_name: 'Other' },
    });
    await cos.me.get();
    const [signup] = await attempts('POST', '/v1/auth/signup');
    const [me] = await attempts('GET', '/v1/me');
    assert.equal(signup?.authorization, null);
    assert.ok(me?.authorization?.startsWith('Bearer '));
  });

  test('when retries are exhausted the error carries the last status', async () => {
    const { cos } = await proxiedClient({ maxRetries: 2 });
    await proxy.faults([
      { status: 503, method: 'POST', path: '/v1/api-keys' },
      { status: 502, method: 'POST', path: '/v1/api-keys' },
      { status: 504, method: 'POST', path: '/v1/api-keys' },
      { status: 500, method: 'POST', path: '/v1/api-keys' },
    ]);
    const error = await rejectsWith(cos.apiKeys.create({ body: { name: 'never' } }));
    assert.equal(error.status, 504);
    assert.equal(error.code, 'gateway_timeout');
    assert.equal(error.requestId, 'req_proxy');
    const tries = await attempts('POST', '/v1/api-keys');
    assert.equal(tries.length, 3, 'maxRetries 2 → 3 attempts');
    assert.equal(new Set(tries.map((r) => r.idempotency_key)).size, 1);
  });

  test('maxRetries 0 makes a single attempt', async () => {
    const { cos } = await proxiedClient({ maxRetries: 0 });
    await proxy.faults([{ status: 503, method: 'GET', path: '/v1/me' }]);
    const error = await rejectsWith(cos.me.get());
    assert.equal(error.status, 503);
    assert.equal((await attempts('GET', '/v1/me')).length, 1);
  });

  test('dropped connections until the end give a CampaignOSConnectionError', async () => {
    const { cos } = await proxiedClient({ maxRetries: 1 });
    await proxy.faults([
      { drop: true, method: 'GET', path: '/v1/me' },
      { drop: true, method: 'GET', path: '/v1/me' },
    ]);
    const error = await rejectsWith(cos.me.get());
    assert.ok(error instanceof CampaignOSConnectionError);
    assert.equal(error.status, 0);
    assert.equal(error.code, 'network_error');
    assert.equal((await attempts('GET', '/v1/me')).length, 2);
  });
});
