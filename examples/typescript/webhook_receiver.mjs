// A Campaign OS webhook receiver: verifies every delivery with the SDK and prints its event.
//
//   (cd ../../sdks/typescript && npm ci && npm run build)
//   npm ci
//   CAMPAIGN_OS_WEBHOOK_SECRET=whsec_… node webhook_receiver.mjs --port 8000
//
// Each POST is checked with verifyWebhook (Standard Webhooks signature over the raw body,
// timestamp within 5 minutes) against the endpoint's signing secret. A valid delivery is answered
// 204 and printed (webhook-id, event type, data); a duplicate webhook-id (a retry of a message
// already handled) is answered 204 and not handled again; anything else is answered 400. Only
// node:http and the SDK are used.
//
// Point an endpoint at it (the server must be allowed to reach it: https and a public address,
// or, in development, COS_WEBHOOK_ALLOW_HTTP=true and COS_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8,::1/128),
// and give it the endpoint's secret (GET /v1/webhooks/endpoints/{id}/secret). --port 0 picks a
// free port; the first line printed says which.
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import { verifyWebhook, WebhookVerificationError } from 'campaign-os';

const MAX_BODY = 1024 * 1024; // deliveries are small; refuse anything bigger

const { values: args } = parseArgs({
  options: { host: { type: 'string', default: '127.0.0.1' }, port: { type: 'string', default: '8000' } },
});
const secret = process.env.CAMPAIGN_OS_WEBHOOK_SECRET;
if (!secret) {
  console.error("set CAMPAIGN_OS_WEBHOOK_SECRET to the endpoint's secret (whsec_…)");
  process.exit(2);
}

/** webhook-ids handled (keep them in a database in a real app). */
const seen = new Set();

/** Your integration goes here. The payload is {"type", "timestamp", "data"}. */
function handle(msgId, event) {
  console.log(`${msgId} ${event.type}: ${JSON.stringify(event.data)}`);
}

function answer(res, status, body) {
  const data = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, data ? { 'Content-Type': 'application/json' } : {});
  res.end(data);
}

const server = createServer((req, res) => {
  if (req.method !== 'POST') {
    answer(res, 405, { error: 'method_not_allowed' });
    return;
  }
  const chunks = [];
  let size = 0;
  req.on('data', (chunk) => {
    size += chunk.length;
    if (size <= MAX_BODY) chunks.push(chunk);
  });
  req.on('end', () => {
    if (size > MAX_BODY) {
      answer(res, 413, { error: 'too_large' });
      return;
    }
    const body = Buffer.concat(chunks); // the raw bytes: verify them before parsing anything
    let event;
    try {
      event = verifyWebhook(body, req.headers, secret);
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      console.log(`rejected: ${error.message}`);
      answer(res, 400, { error: error.message });
      return;
    }
    const msgId = String(req.headers['webhook-id']);
    const duplicate = seen.has(msgId);
    seen.add(msgId);
    answer(res, 204); // answer quickly; do the work after
    if (duplicate) {
      console.log(`${msgId} duplicate: already handled`);
    } else {
      handle(msgId, event);
    }
  });
});

server.listen(Number(args.port), args.host, () => {
  const { address, port } = server.address();
  console.log(`listening on http://${address}:${port}`);
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
