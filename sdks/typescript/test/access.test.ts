// Access control against a live server: invitations, scoped keys, agencies, 2FA login and a real
// 429. Needs CAMPAIGN_OS_BASE_URL, CAMPAIGN_OS_LIMITED_URL (a second server on the same database
// with a low per-key rate limit) and an operator account (CAMPAIGN_OS_OPERATOR_EMAIL/_PASSWORD)
// to read the sandbox mailbox; scripts/sdk-test provides all of them.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { CampaignOS, isMfaChallenge } from 'campaign-os';

import { baseUrl, PASSWORD, rejectsWith, signedUpClient, uniqueEmail } from './helpers.js';
import { totp } from './totp.js';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set (scripts/sdk-test sets it)`);
  return value;
}

/** The newest sandbox email to `to`, read as a platform operator. */
async function lastEmailTo(to: string): Promise<string> {
  const operator = new CampaignOS({ baseUrl: baseUrl() });
  const { data: session } = await operator.auth.login({
    body: { email: env('CAMPAIGN_OS_OPERATOR_EMAIL'), password: env('CAMPAIGN_OS_OPERATOR_PASSWORD') },
  });
  if (isMfaChallenge(session)) throw new Error('the operator account has 2FA on');
  operator.setAccessToken(session.access_token);
  for (let attempt = 0; attempt < 50; attempt++) {
    const { data } = await operator.admin.listSandboxEmails({ query: { to } });
    if (data.data.length > 0) return data.data[0]!.text;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no email to ${to}`);
}

describe('invitations', () => {
  test('an owner invites, the invitee accepts with the emailed token, and the token is single use', async () => {
    const { cos } = await signedUpClient();
    const email = uniqueEmail('invitee');
    const { data: invitation, response } = await cos.invitations.create({ body: { email, role: 'member' } });
    assert.equal(response.status, 201);
    assert.equal(invitation.status, 'pending');
    assert.ok(!('token' in invitation), 'the token is only ever emailed');
    const { data: pending } = await cos.invitations.list();
    assert.deepEqual(
      pending.data.map((i) => i.email),
      [email],
    );

    const token = /inv_[A-Za-z0-9]+/.exec(await lastEmailTo(email))?.[0];
    assert.ok(token, 'the email carries the token');
    const invitee = new CampaignOS({ baseUrl: baseUrl() });
    const { data: session } = await invitee.invitations.accept({ body: { token, password: PASSWORD, name: 'New' } });
    assert.equal(session.role, 'member');
    assert.equal(session.user.email, email);

    const { data: members } = await cos.members.list();
    assert.ok(members.data.some((m) => m.email === email && m.role === 'member'));
    const reuse = await rejectsWith(invitee.invitations.accept({ body: { token, password: PASSWORD } }));
    assert.equal(reuse.status, 400);
    assert.equal(reuse.code, 'invalid_invitation');
  });

  test('a member cannot invite: 403 forbidden naming the permission', async () => {
    const { cos } = await signedUpClient();
    const email = uniqueEmail('member');
    await cos.invitations.create({ body: { email, role: 'viewer' } });
    const token = /inv_[A-Za-z0-9]+/.exec(await lastEmailTo(email))![0];
    const viewer = new CampaignOS({ baseUrl: baseUrl() });
    const { data: session } = await viewer.invitations.accept({ body: { token, password: PASSWORD } });
    viewer.setAccessToken(session.access_token);
    const error = await rejectsWith(viewer.invitations.create({ body: { email: uniqueEmail(), role: 'viewer' } }));
    assert.equal(error.status, 403);
    assert.equal(error.code, 'forbidden');
    assert.equal(error.requiredScope, 'invitations:write');
  });
});

describe('scoped API keys', () => {
  test('a read-only key reads what its scope allows and is refused elsewhere with 403', async () => {
    const { cos } = await signedUpClient();
    const { data: key } = await cos.apiKeys.create({ body: { name: 'read-only', scopes: ['members:read'] } });
    assert.deepEqual(key.scopes, ['members:read']);
    const scoped = new CampaignOS({ baseUrl: baseUrl(), apiKey: key.secret });
    const { data: members } = await scoped.members.list();
    assert.equal(members.data.length, 1);
    const error = await rejectsWith(scoped.apiKeys.list());
    assert.equal(error.status, 403);
    assert.equal(error.code, 'insufficient_scope');
    assert.equal(error.requiredScope, 'api_keys:read');
  });

  test('an agency key restricted to one client acts on it with X-Tenant-Id', async () => {
    const { cos } = await signedUpClient();
    await cos.organizations.update({ body: { kind: 'agency' } });
    const { data: client } = await cos.clients.create({ body: { name: 'Client A' } });
    const { data: other } = await cos.clients.create({ body: { name: 'Client B' } });
    const { data: key } = await cos.apiKeys.create({
      body: { name: 'client-a', scopes: ['organization:read'], allowed_organization_ids: [client.id] },
    });
    const asClient = new CampaignOS({ baseUrl: baseUrl(), apiKey: key.secret, tenantId: client.id });
    const { data: org } = await asClient.organizations.get();
    assert.equal(org.id, client.id);
    assert.equal(org.kind, 'client');
    const asOther = new CampaignOS({ baseUrl: baseUrl(), apiKey: key.secret, tenantId: other.id });
    const hidden = await rejectsWith(asOther.organizations.get());
    assert.equal(hidden.status, 404);
  });
});

describe('two-factor login', () => {
  test('enrol and confirm TOTP, then login answers 202 with a challenge completed by a code', async () => {
    const { cos, email } = await signedUpClient();
    const { data: enrolment } = await cos.mfa.enrolTotp();
    assert.match(enrolment.otpauth_uri, /^otpauth:\/\/totp\//);
    const step = Math.floor(Date.now() / 1000 / 30);
    const { data: recovery } = await cos.mfa.confirmTotp({ body: { code: totp(enrolment.secret, step) } });
    assert.equal(recovery.recovery_codes.length, 10);

    const anonymous = new CampaignOS({ baseUrl: baseUrl() });
    const { data: challenge, response } = await anonymous.auth.login({ body: { email, password: PASSWORD } });
    assert.equal(response.status, 202);
    if (!isMfaChallenge(challenge)) assert.fail('expected a 2FA challenge');
    const wrong = await rejectsWith(
      anonymous.auth.loginMfa({ body: { challenge_token: challenge.challenge_token, code: '000000' } }),
    );
    assert.equal(wrong.status, 401);
    // The confirming code's step is spent: use the next one (accepted within the ±1 step window).
    const { data: session } = await anonymous.auth.loginMfa({
      body: { challenge_token: challenge.challenge_token, code: totp(enrolment.secret, step + 1) },
    });
    assert.equal(session.user.email, email);
    assert.equal(session.user.mfa_enabled, true);
  });
});

describe('rate limits', () => {
  test('a real 429 with Retry-After is waited out and the call succeeds', async () => {
    const { cos } = await signedUpClient();
    const { data: key } = await cos.apiKeys.create({ body: { name: 'busy' } });
    const limitedUrl = env('CAMPAIGN_OS_LIMITED_URL');
    const statuses: number[] = [];
    const counting: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      statuses.push(response.status);
      return response;
    };
    const noRetry = new CampaignOS({ baseUrl: limitedUrl, apiKey: key.secret, maxRetries: 0 });
    let refused;
    for (let i = 0; i < 60 && !refused; i++) {
      try {
        await noRetry.me.get();
      } catch (error) {
        refused = error;
      }
    }
    assert.ok(refused, 'the limited server refuses within 60 calls');
    const error = refused as { status: number; code: string; headers: Headers };
    assert.equal(error.status, 429);
    assert.equal(error.code, 'rate_limited');
    const retryAfter = Number(error.headers.get('retry-after'));
    assert.ok(retryAfter >= 1, `Retry-After ${retryAfter}`);

    const patient = new CampaignOS({ baseUrl: limitedUrl, apiKey: key.secret, maxRetries: 3, fetch: counting });
    const started = Date.now();
    const { data: me } = await patient.me.get();
    assert.equal(me.principal_type, 'api_key');
    assert.deepEqual(statuses.slice(-1), [200]);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
    assert.ok(Date.now() - started >= (retryAfter - 1) * 1000 + 500, 'the client waited for Retry-After');
  });
});
