// Webhook endpoints and real deliveries against a live server: CRUD, secrets and rotation, then a
// delivery to a local receiver checked with verifyWebhook and the secret read through the API.
// The servers must accept http endpoints on loopback (scripts/sdk-test configures them).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { verifyWebhook, WebhookVerificationError, type CampaignOS, type WebhookHeaders } from 'campaign-os';

import { rejectsWith, signedUpClient } from './helpers.js';
import { Receiver } from './receiver.js';

const URL = 'http://127.0.0.1:9/hooks';
const freshSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** Reads until `done` holds (an attempt is recorded just after the receiver answered). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`still not done after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Waits until no delivery job runs: a replay of a message in flight is folded into it. */
async function settled(cos: CampaignOS): Promise<void> {
  await eventually(
    async () => (await cos.jobs.list({ query: { type: 'webhooks.deliver', status: 'running' } })).data.data,
    (running) => running.length === 0,
  );
}

interface Payload {
  type: string;
  data: { id: string; email?: string; first_name?: string };
}

describe('webhook endpoints', () => {
  test('create, read, patch, list, delete', async () => {
    const { cos } = await signedUpClient();
    const { data: created, response } = await cos.webhooks.createEndpoint({
      body: {
        url: URL,
        description: 'Order sync',
        event_types: ['contact.created', 'contact.updated', 'contact.created'],
        rate_limit_per_second: 50,
      },
    });
    assert.equal(response.status, 201);
    assert.match(created.id, /^ep_/);
    assert.deepEqual(created.event_types, ['contact.created', 'contact.updated']);
    assert.equal(created.enabled, true);
    assert.equal(created.disabled_reason, null);
    assert.ok(!('secret' in created));
    assert.deepEqual((await cos.webhooks.getEndpoint({ path: { id: created.id } })).data, created);

    const { data: cleared } = await cos.webhooks.updateEndpoint({
      path: { id: created.id },
      body: { description: null, rate_limit_per_second: null },
    });
    assert.equal(cleared.description, null);
    assert.equal(cleared.rate_limit_per_second, null);
    assert.deepEqual(cleared.event_types, created.event_types);
    const { data: off } = await cos.webhooks.updateEndpoint({ path: { id: created.id }, body: { enabled: false } });
    assert.equal(off.disabled_reason, 'manual');

    const { data: second } = await cos.webhooks.createEndpoint({ body: { url: URL } });
    const ids = [];
    for await (const e of cos.paginate(cos.webhooks.listEndpoints, { query: { limit: 1 } })) ids.push(e.id);
    assert.deepEqual(ids, [created.id, second.id]);

    await cos.webhooks.deleteEndpoint({ path: { id: second.id } });
    const gone = await rejectsWith(cos.webhooks.getEndpoint({ path: { id: second.id } }));
    assert.equal(gone.status, 404);
  });

  test('secrets: read, bring your own, rotate with a grace period', async () => {
    const { cos } = await signedUpClient();
    const own = freshSecret();
    const { data: endpoint } = await cos.webhooks.createEndpoint({ body: { url: URL, secret: own } });
    assert.equal((await cos.webhooks.getEndpointSecret({ path: { id: endpoint.id } })).data.key, own);

    const { data: rotated } = await cos.webhooks.rotateEndpointSecret({ path: { id: endpoint.id }, body: {} });
    assert.ok(rotated.previous_secret_expires_at);
    const hours = (Date.parse(rotated.previous_secret_expires_at) - Date.now()) / 3_600_000;
    assert.ok(hours > 23 && hours <= 24.1, `grace period of ${hours} h`);
    const { data: next } = await cos.webhooks.getEndpointSecret({ path: { id: endpoint.id } });
    assert.match(next.key, /^whsec_/);
    assert.notEqual(next.key, own);

    const mine = freshSecret();
    await cos.webhooks.rotateEndpointSecret({ path: { id: endpoint.id }, body: { key: mine } });
    assert.equal((await cos.webhooks.getEndpointSecret({ path: { id: endpoint.id } })).data.key, mine);
  });

  test('private addresses and unknown event types are refused together; strangers get 404', async () => {
    const { cos } = await signedUpClient();
    const error = await rejectsWith(
      cos.webhooks.createEndpoint({ body: { url: 'http://10.1.2.3/hooks', event_types: ['contact.exploded'] } }),
    );
    assert.equal(error.status, 422);
    const found = error.errors.map((e) => `${e.field}:${e.code}`).sort();
    assert.deepEqual(found, ['event_types[0]:unknown_event_type', 'url:url_private_address']);

    const { data: endpoint } = await cos.webhooks.createEndpoint({ body: { url: URL } });
    const { cos: stranger } = await signedUpClient();
    for (const call of [
      () => stranger.webhooks.getEndpoint({ path: { id: endpoint.id } }),
      () => stranger.webhooks.getEndpointSecret({ path: { id: endpoint.id } }),
      () => stranger.webhooks.deleteEndpoint({ path: { id: endpoint.id } }),
    ]) {
      assert.equal((await rejectsWith(call())).status, 404);
    }
  });
});

describe('webhook delivery', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await Receiver.start();
  });
  after(async () => {
    await receiver.close();
  });

  test('a contact.created reaches the receiver and verifies with the endpoint secret; a tampered one does not', async () => {
    const { cos } = await signedUpClient();
    const { data: endpoint } = await cos.webhooks.createEndpoint({
      body: { url: receiver.url, event_types: ['contact.created'] },
    });
    const { data: secret } = await cos.webhooks.getEndpointSecret({ path: { id: endpoint.id } });
    const { data: contact } = await cos.contacts.create({
      body: { email: 'delivered@example.com', first_name: 'Delivered' },
    });

    const delivery = await receiver.next();
    const headers = delivery.headers as WebhookHeaders;
    assert.equal(delivery.path, '/hooks');
    assert.match(String(delivery.headers['content-type']), /^application\/json/);
    assert.match(String(delivery.headers['webhook-id']), /^msg_/);
    assert.ok(Math.abs(Number(delivery.headers['webhook-timestamp']) - Date.now() / 1000) < 60);

    const event = verifyWebhook<Payload>(delivery.body, headers, secret.key);
    assert.equal(event.type, 'contact.created');
    assert.equal(event.data.id, contact.id);
    assert.equal(event.data.email, 'delivered@example.com');
    assert.equal(event.data.first_name, 'Delivered');

    const tampered = Buffer.from(delivery.body.toString('utf8').replace('Delivered', 'Tampered!'));
    assert.notDeepEqual(tampered, delivery.body);
    assert.throws(() => verifyWebhook(tampered, headers, secret.key), WebhookVerificationError);
    assert.throws(() => verifyWebhook(delivery.body, headers, freshSecret()), WebhookVerificationError);
    assert.throws(
      () => verifyWebhook(delivery.body, headers, secret.key, { now: Date.now() / 1000 + 3600 }),
      /too old/,
    );

    // After a rotation both secrets verify the next delivery (two v1 signatures).
    await cos.webhooks.rotateEndpointSecret({ path: { id: endpoint.id }, body: {} });
    const { data: rotated } = await cos.webhooks.getEndpointSecret({ path: { id: endpoint.id } });
    const { data: second } = await cos.contacts.create({ body: { email: 'second@example.com' } });
    const next = await receiver.next();
    assert.equal(String(next.headers['webhook-signature']).split(' ').length, 2);
    for (const key of [secret.key, rotated.key]) {
      assert.equal(verifyWebhook<Payload>(next.body, next.headers as WebhookHeaders, key).data.id, second.id);
    }
  });

  test('messages, attempts, replay, test send and the event-type catalogue', async () => {
    const { cos } = await signedUpClient();
    const { data: endpoint } = await cos.webhooks.createEndpoint({
      body: { url: receiver.url, event_types: ['contact.created'] },
    });
    const { data: secret } = await cos.webhooks.getEndpointSecret({ path: { id: endpoint.id } });
    await cos.contacts.create({ body: { email: 'logged@example.com' } });
    const first = await receiver.next();

    const { data: messages } = await cos.webhooks.listMessages({ query: { event_type: 'contact.created' } });
    assert.equal(messages.data.length, 1);
    const message = messages.data[0]!;
    assert.equal(message.id, first.headers['webhook-id']);
    assert.deepEqual(message.payload, JSON.parse(first.body.toString('utf8')));
    assert.deepEqual((await cos.webhooks.getMessage({ path: { id: message.id } })).data, message);

    const attempts = await eventually(
      async () => (await cos.webhooks.listMessageAttempts({ path: { id: message.id } })).data.data,
      (list) => list.length === 1,
    );
    const attempt = attempts[0]!;
    assert.match(attempt.id, /^atm_/);
    assert.equal(attempt.status, 'succeeded');
    assert.equal(attempt.response_status_code, 204);
    assert.equal(attempt.trigger, 'scheduled');
    assert.deepEqual((await cos.webhooks.getAttempt({ path: { id: attempt.id } })).data, attempt);
    const { data: failed } = await cos.webhooks.listEndpointAttempts({
      path: { id: endpoint.id },
      query: { status: 'failed' },
    });
    assert.deepEqual(failed.data, []);

    await settled(cos);
    const { data: replay } = await cos.webhooks.replayMessage({ path: { id: message.id }, body: {} });
    assert.equal(replay.queued, 1);
    const again = await receiver.next();
    assert.equal(again.headers['webhook-id'], message.id);
    assert.deepEqual(again.body, first.body);
    assert.ok(verifyWebhook(again.body, again.headers as WebhookHeaders, secret.key));

    const { data: test } = await cos.webhooks.testEndpoint({ path: { id: endpoint.id } });
    assert.equal(test.event_type, 'webhook.test');
    const delivered = await receiver.next();
    assert.equal(delivered.headers['webhook-id'], test.id);
    const body = verifyWebhook<{ type: string; data: { endpoint_id: string } }>(
      delivered.body,
      delivered.headers as WebhookHeaders,
      secret.key,
    );
    assert.equal(body.type, 'webhook.test');
    assert.equal(body.data.endpoint_id, endpoint.id);

    const since = new Date(Date.now() - 60_000).toISOString();
    const { data: none } = await cos.webhooks.replayFailedMessages({ path: { id: endpoint.id }, body: { since } });
    assert.equal(none.queued, 0);

    const { data: catalogue } = await cos.webhooks.listEventTypes();
    const names = catalogue.data.map((t) => t.name);
    assert.ok(names.includes('contact.created') && !names.includes('webhook.test'));
    assert.equal(catalogue.data.find((t) => t.name === 'contact.created')?.schema_name, 'ContactOut');

    const { cos: stranger } = await signedUpClient();
    for (const call of [
      () => stranger.webhooks.getMessage({ path: { id: message.id } }),
      () => stranger.webhooks.getAttempt({ path: { id: attempt.id } }),
      () => stranger.webhooks.replayMessage({ path: { id: message.id }, body: {} }),
    ]) {
      assert.equal((await rejectsWith(call())).status, 404);
    }
  });
});
