// Against a live server: CAMPAIGN_OS_BASE_URL.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { describe, test } from 'node:test';

import { CampaignOS, isMfaChallenge, type ApiKeyOut } from 'campaign-os';

import { baseUrl, PASSWORD, rejectsWith, signedUpClient, uniqueEmail } from './helpers.js';

describe('auth', () => {
  test('signup then login, and the access token authenticates me.get', async () => {
    const cos = new CampaignOS({ baseUrl: baseUrl() });
    const email = uniqueEmail();
    const { data: session, response } = await cos.auth.signup({
      body: { email, password: PASSWORD, organization_name: 'Acme', name: 'Ada' },
    });
    assert.equal(response.status, 201);
    assert.equal(session.token_type, 'Bearer');
    assert.equal(session.user.email, email);
    assert.equal(session.user.name, 'Ada');
    assert.equal(session.organization.name, 'Acme');
    assert.equal(session.role, 'owner');
    assert.match(session.refresh_token, /^rt_/);

    const { data: login } = await cos.auth.login({ body: { email, password: PASSWORD } });
    if (isMfaChallenge(login)) assert.fail('no 2FA on this account');
    assert.equal(login.user.id, session.user.id);
    assert.equal(login.organization.id, session.organization.id);

    const authed = new CampaignOS({ baseUrl: baseUrl(), accessToken: login.access_token });
    const { data: me } = await authed.me.get();
    assert.equal(me.principal_type, 'user');
    assert.equal(me.user?.id, session.user.id);
    assert.equal(me.api_key, null);
    assert.equal(me.organization.id, session.organization.id);
  });

  test('a wrong password is a 401 invalid_credentials', async () => {
    const { email } = await signedUpClient();
    const cos = new CampaignOS({ baseUrl: baseUrl() });
    const error = await rejectsWith(cos.auth.login({ body: { email, password: 'not-the-password-1' } }));
    assert.equal(error.status, 401);
    assert.equal(error.code, 'invalid_credentials');
  });

  test('refresh rotates the tokens, logout revokes the session', async () => {
    const { cos, session } = await signedUpClient();
    const { data: refreshed } = await cos.auth.refreshToken({
      body: { refresh_token: session.refresh_token },
    });
    assert.notEqual(refreshed.refresh_token, session.refresh_token);
    const { response } = await cos.auth.logout({ body: { refresh_token: refreshed.refresh_token } });
    assert.equal(response.status, 204);
    const error = await rejectsWith(
      cos.auth.refreshToken({ body: { refresh_token: refreshed.refresh_token } }),
    );
    assert.equal(error.status, 401);
  });

  test('calling an authenticated operation without credentials is a 401', async () => {
    const cos = new CampaignOS({ baseUrl: baseUrl() });
    const error = await rejectsWith(cos.me.get());
    assert.equal(error.status, 401);
    assert.equal(error.code, 'missing_credentials');
    assert.ok(error.requestId);
  });
});

describe('API keys', () => {
  test('an API key created with a JWT authenticates as principal_type api_key', async () => {
    const { cos, session } = await signedUpClient();
    const { data: key, response } = await cos.apiKeys.create({ body: { name: 'CI' } });
    assert.equal(response.status, 201);
    assert.match(key.secret, /^cos_/);
    assert.ok(key.secret.startsWith(key.prefix));

    const withKey = new CampaignOS({ baseUrl: baseUrl(), apiKey: key.secret });
    const { data: me } = await withKey.me.get();
    assert.equal(me.principal_type, 'api_key');
    assert.equal(me.api_key?.id, key.id);
    assert.equal(me.api_key?.name, 'CI');
    assert.equal(me.user, null);
    assert.equal(me.organization.id, session.organization.id);
  });

  test('create, get, list and delete', async () => {
    const { cos } = await signedUpClient();
    const { data: created } = await cos.apiKeys.create({ body: { name: 'Zapier' } });

    const { data: fetched } = await cos.apiKeys.get({ path: { id: created.id } });
    assert.equal(fetched.id, created.id);
    assert.equal(fetched.name, 'Zapier');
    assert.equal(fetched.prefix, created.prefix);
    assert.equal('secret' in fetched, false);

    const { data: list } = await cos.apiKeys.list();
    assert.deepEqual(
      list.data.map((k) => k.id),
      [created.id],
    );
    assert.equal(list.has_more, false);
    assert.equal(list.next_cursor, null);

    const { response } = await cos.apiKeys.delete({ path: { id: created.id } });
    assert.equal(response.status, 204);
    const { data: after } = await cos.apiKeys.list();
    assert.deepEqual(after.data, []);
    const error = await rejectsWith(cos.apiKeys.get({ path: { id: created.id } }));
    assert.equal(error.status, 404);

    const revoked = new CampaignOS({ baseUrl: baseUrl(), apiKey: created.secret });
    const denied = await rejectsWith(revoked.me.get());
    assert.equal(denied.status, 401);
    assert.equal(denied.code, 'invalid_api_key');
  });

  test('paginate iterates over every key once, in order, across pages', async () => {
    const { cos } = await signedUpClient();
    const created: string[] = [];
    for (let i = 0; i < 5; i++) {
      const { data } = await cos.apiKeys.create({ body: { name: `key ${i}` } });
      created.push(data.id);
    }

    const seen: ApiKeyOut[] = [];
    for await (const key of cos.paginate(cos.apiKeys.list, { query: { limit: 2 } })) {
      seen.push(key);
    }
    assert.deepEqual(
      seen.map((k) => k.id),
      created,
    );
    assert.deepEqual(
      seen.map((k) => k.name),
      ['key 0', 'key 1', 'key 2', 'key 3', 'key 4'],
    );

    const sizes: number[] = [];
    for await (const page of cos.paginate(cos.apiKeys.list, { query: { limit: 2 } }).pages()) {
      sizes.push(page.data.length);
    }
    assert.deepEqual(sizes, [2, 2, 1]);

    // An unbound method reference works too, as does collecting everything.
    const { list } = cos.apiKeys;
    const all = await cos.paginate(list, { query: { limit: 3 } }).toArray();
    assert.equal(all.length, 5);
  });

  test('a missing key is a typed 404 not_found with a request id', async () => {
    const { cos } = await signedUpClient();
    const id = 'key_01h455vb4pex5vsknk084sn02q';
    const error = await rejectsWith(cos.apiKeys.get({ path: { id } }));
    assert.equal(error.status, 404);
    assert.equal(error.code, 'not_found');
    assert.equal(error.title, 'Not Found');
    assert.equal(error.type, 'https://docs.campaign-os.dev/errors/not_found');
    assert.match(error.requestId ?? '', /^req_/);
    assert.equal(error.requestId, error.headers?.get('x-request-id'));
    assert.deepEqual(error.errors, []);
    assert.equal((error.body as { code: string }).code, 'not_found');
    assert.ok(error.message.includes('not_found'));
  });

  test('the request id the caller sends comes back in the error', async () => {
    const { cos } = await signedUpClient();
    const requestId = `sdk-test-${randomUUID()}`;
    const error = await rejectsWith(
      cos.apiKeys.get({
        path: { id: 'key_01h455vb4pex5vsknk084sn02q' },
        headers: { 'X-Request-Id': requestId },
      }),
    );
    assert.equal(error.requestId, requestId);
  });

  test('an empty name is a 422 validation_failed with field errors', async () => {
    const { cos } = await signedUpClient();
    const error = await rejectsWith(cos.apiKeys.create({ body: { name: '' } }));
    assert.equal(error.status, 422);
    assert.equal(error.code, 'validation_failed');
    assert.ok(error.errors.length >= 1);
    assert.equal(error.errors[0]?.field, 'name');
    assert.ok(error.errors[0]?.code);
    assert.ok(error.errors[0]?.message);
    assert.match(error.requestId ?? '', /^req_/);
  });

  test('a malformed id is a 400 invalid_id', async () => {
    const { cos } = await signedUpClient();
    const error = await rejectsWith(cos.apiKeys.get({ path: { id: 'usr_01h455vb4pex5vsknk084sn02q' } }));
    assert.equal(error.status, 400);
    assert.equal(error.code, 'invalid_id');
  });
});
