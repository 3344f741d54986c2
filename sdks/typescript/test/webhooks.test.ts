// Standard Webhooks verification (no server needed).
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, test } from 'node:test';

import { signWebhook, verifyWebhook, WebhookVerificationError } from 'campaign-os';

// The test vector of the Standard Webhooks specification.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const PAYLOAD = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const headers = (signature = SIGNATURE, timestamp = String(TIMESTAMP)) => ({
  'webhook-id': ID,
  'webhook-timestamp': timestamp,
  'webhook-signature': signature,
});

const rejects = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof WebhookVerificationError, String(error));
    assert.match(error.message, pattern);
    return true;
  });

describe('verifyWebhook', () => {
  test('the vector is what HMAC-SHA256 gives (sanity check of the vector itself)', () => {
    const key = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const mac = createHmac('sha256', key).update(`${ID}.${TIMESTAMP}.${PAYLOAD}`).digest('base64');
    assert.equal(`v1,${mac}`, SIGNATURE);
  });

  test('verifies the Standard Webhooks test vector and returns the parsed payload', () => {
    const event = verifyWebhook<{ test: number }>(PAYLOAD, headers(), SECRET, { now: TIMESTAMP });
    assert.deepEqual(event, { test: 2432232314 });
  });

  test('accepts a Headers object, Date for now, bytes as payload, and any header case', () => {
    const h = new Headers(headers());
    assert.deepEqual(verifyWebhook(PAYLOAD, h, SECRET, { now: new Date(TIMESTAMP * 1000) }), {
      test: 2432232314,
    });
    const upper = {
      'Webhook-Id': ID,
      'WEBHOOK-TIMESTAMP': String(TIMESTAMP),
      'Webhook-Signature': SIGNATURE,
    };
    assert.deepEqual(verifyWebhook(Buffer.from(PAYLOAD), upper, SECRET, { now: TIMESTAMP }), {
      test: 2432232314,
    });
  });

  test('one matching signature among several is enough', () => {
    const many = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${SIGNATURE} v1,bm90IGl0`;
    assert.deepEqual(verifyWebhook(PAYLOAD, headers(many), SECRET, { now: TIMESTAMP }), {
      test: 2432232314,
    });
  });

  test('a wrong signature is refused', () => {
    rejects(
      () =>
        verifyWebhook(PAYLOAD, headers('v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc='), SECRET, {
          now: TIMESTAMP,
        }),
      /no matching/,
    );
    // The right MAC under another version tag does not count.
    rejects(
      () => verifyWebhook(PAYLOAD, headers(SIGNATURE.replace('v1,', 'v2,')), SECRET, { now: TIMESTAMP }),
      /no matching/,
    );
    rejects(() => verifyWebhook(PAYLOAD, headers('garbage'), SECRET, { now: TIMESTAMP }), /no matching/);
  });

  test('a wrong secret is refused', () => {
    rejects(
      () =>
        verifyWebhook(PAYLOAD, headers(), 'whsec_' + Buffer.from('another secret').toString('base64'), {
          now: TIMESTAMP,
        }),
      /no matching/,
    );
  });

  test('a tampered payload is refused', () => {
    rejects(
      () => verifyWebhook('{"test": 2432232315}', headers(), SECRET, { now: TIMESTAMP }),
      /no matching/,
    );
  });

  test('a changed timestamp or id is refused', () => {
    rejects(
      () => verifyWebhook(PAYLOAD, headers(SIGNATURE, String(TIMESTAMP + 1)), SECRET, { now: TIMESTAMP }),
      /no matching/,
    );
    rejects(
      () => verifyWebhook(PAYLOAD, { ...headers(), 'webhook-id': 'msg_other' }, SECRET, { now: TIMESTAMP }),
      /no matching/,
    );
  });

  test('timestamps outside the tolerance are refused, inside are accepted', () => {
    rejects(() => verifyWebhook(PAYLOAD, headers(), SECRET, { now: TIMESTAMP + 301 }), /too old/);
    rejects(() => verifyWebhook(PAYLOAD, headers(), SECRET, { now: TIMESTAMP - 301 }), /future/);
    assert.ok(verifyWebhook(PAYLOAD, headers(), SECRET, { now: TIMESTAMP + 300 }));
    assert.ok(verifyWebhook(PAYLOAD, headers(), SECRET, { now: TIMESTAMP - 300 }));
    rejects(
      () => verifyWebhook(PAYLOAD, headers(), SECRET, { now: TIMESTAMP + 11, toleranceSeconds: 10 }),
      /too old/,
    );
    // Without `now`, the real clock: the 2021 vector is long expired.
    rejects(() => verifyWebhook(PAYLOAD, headers(), SECRET), /too old/);
  });

  test('missing headers are refused', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const) {
      const h: Record<string, string> = headers();
      delete h[name];
      rejects(() => verifyWebhook(PAYLOAD, h, SECRET, { now: TIMESTAMP }), /missing/);
    }
    rejects(() => verifyWebhook(PAYLOAD, {}, SECRET, { now: TIMESTAMP }), /missing/);
  });

  test('a non-numeric timestamp is refused', () => {
    rejects(
      () => verifyWebhook(PAYLOAD, headers(SIGNATURE, '2021-02-26T15:42:10Z'), SECRET, { now: TIMESTAMP }),
      /invalid webhook-timestamp/,
    );
  });
});

describe('signWebhook', () => {
  test('reproduces the Standard Webhooks test vector', () => {
    assert.equal(signWebhook(ID, TIMESTAMP, PAYLOAD, SECRET), SIGNATURE);
    assert.equal(signWebhook(ID, String(TIMESTAMP), Buffer.from(PAYLOAD), SECRET), SIGNATURE);
  });

  test('what it signs verifies, and only with that body, id, timestamp and secret', () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const body = '{"type":"contact.created","timestamp":"2026-11-28T12:00:00Z","data":{"id":"con_1"}}';
    const now = 1_700_000_000;
    const signed = {
      'webhook-id': 'msg_1',
      'webhook-timestamp': String(now),
      'webhook-signature': signWebhook('msg_1', now, body, secret),
    };
    assert.equal(verifyWebhook<{ type: string }>(body, signed, secret, { now }).type, 'contact.created');
    rejects(() => verifyWebhook(body.replace('con_1', 'con_2'), signed, secret, { now }), /no matching/);
    rejects(() => verifyWebhook(body, signed, SECRET, { now }), /no matching/);
    assert.throws(() => signWebhook('msg_1', now, body, 'whsec_'), WebhookVerificationError);
  });
});
