// examples/typescript/webhook_receiver.mjs: deliveries signed locally with signWebhook (valid,
// repeated, tampered, stale, unsigned), then a real delivery from the live server. The example
// imports the SDK through examples/typescript/node_modules (installed here when missing).
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';

import { signWebhook } from 'campaign-os';

import { signedUpClient } from './helpers.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples/typescript/', import.meta.url));
const secret = `whsec_${randomBytes(24).toString('base64')}`;

class ReceiverProcess {
  url = '';
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #lines: string[] = [];
  #wake: (() => void) | undefined;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    child.stderr.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    createInterface({ input: child.stdout }).on('line', (line) => {
      this.#lines.push(line);
      this.#wake?.();
    });
  }

  static async start(): Promise<ReceiverProcess> {
    if (!existsSync(`${EXAMPLES}node_modules/campaign-os`)) {
      execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--silent'], { cwd: EXAMPLES, stdio: 'inherit' });
    }
    const receiver = new ReceiverProcess(
      spawn(process.execPath, ['webhook_receiver.mjs', '--port', '0'], {
        cwd: EXAMPLES,
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', CAMPAIGN_OS_WEBHOOK_SECRET: secret },
      }),
    );
    const first = await receiver.line(30_000);
    assert.match(first, /^listening on http:\/\/127\.0\.0\.1:\d+$/);
    receiver.url = `${first.replace('listening on ', '')}/webhooks`;
    return receiver;
  }

  /** The next line printed; rejects after `timeoutMs`. */
  async line(timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.#lines.shift();
      if (line !== undefined) return line;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`the receiver printed nothing within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  async stop(): Promise<number | null> {
    if (this.#child.exitCode !== null) return this.#child.exitCode;
    const exited = new Promise<number | null>((resolve) => this.#child.on('exit', (code) => resolve(code)));
    this.#child.kill('SIGTERM');
    return exited;
  }
}

function signed(msgId: string, body: string, key: string, timestamp = Math.floor(Date.now() / 1000)) {
  return {
    'content-type': 'application/json',
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(msgId, timestamp, body, key),
  };
}

describe('examples/typescript/webhook_receiver.mjs', () => {
  let example: ReceiverProcess;
  before(async () => {
    example = await ReceiverProcess.start();
  });
  after(async () => {
    await example.stop();
  });

  test('prints signed deliveries once, and answers 400 to bad ones', async () => {
    const data = { id: 'con_01jdq4m3y7e8f9g0h1j2k3m4n5', email: 'ada@example.com' };
    const body = JSON.stringify({ type: 'contact.created', timestamp: '2026-11-28T12:00:00Z', data });
    const post = (payload: string, headers: Record<string, string>) =>
      fetch(example.url, { method: 'POST', body: payload, headers });

    assert.equal((await post(body, signed('msg_example1', body, secret))).status, 204);
    assert.equal(await example.line(), `msg_example1 contact.created: ${JSON.stringify(data)}`);
    assert.equal((await post(body, signed('msg_example1', body, secret))).status, 204);
    assert.equal(await example.line(), 'msg_example1 duplicate: already handled');

    const tampered = await post(body.replace('ada@', 'eve@'), signed('msg_example2', body, secret));
    assert.equal(tampered.status, 400);
    assert.match(await example.line(), /^rejected: no matching webhook signature/);

    const stale = await post(body, signed('msg_example3', body, secret, Math.floor(Date.now() / 1000) - 3600));
    assert.equal(stale.status, 400);
    assert.match(await example.line(), /^rejected: webhook timestamp is too old/);

    const forged = await post(body, signed('msg_example4', body, `whsec_${randomBytes(24).toString('base64')}`));
    assert.equal(forged.status, 400);
    assert.match(await example.line(), /^rejected: no matching/);

    const unsigned = await post(body, { 'content-type': 'application/json' });
    assert.equal(unsigned.status, 400);
    assert.match(await example.line(), /^rejected: missing/);
  });

  test('a real delivery from the server', async () => {
    const { cos } = await signedUpClient();
    await cos.webhooks.createEndpoint({ body: { url: example.url, secret, event_types: ['contact.created'] } });
    const { data: contact } = await cos.contacts.create({ body: { email: 'receiver@example.com' } });
    const line = await example.line(30_000);
    const match = /^(msg_\S+) contact\.created: (.*)$/.exec(line);
    assert.ok(match, line);
    assert.equal((JSON.parse(match[2]!) as { id: string }).id, contact.id);
  });

  test('refuses to start without a secret', () => {
    const result = spawnSync(process.execPath, ['webhook_receiver.mjs', '--port', '0'], {
      cwd: EXAMPLES,
      env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    assert.equal(result.status, 2);
    assert.match(result.stderr, /CAMPAIGN_OS_WEBHOOK_SECRET/);
  });
});
