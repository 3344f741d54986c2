import { createHmac, timingSafeEqual } from 'node:crypto';

/** Raised by {@link verifyWebhook} when a delivery must not be trusted. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookVerificationError';
  }
}

/**
 * The request headers: a fetch `Headers`, Node's `IncomingHttpHeaders` (`req.headers`), or a plain
 * object. Names are matched case-insensitively.
 */
export type WebhookHeaders =
  | Headers
  | Record<string, string | readonly string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far the `webhook-timestamp` may be from now, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** The current time: a `Date`, or a number of **seconds** since the Unix epoch. Default: now. */
  now?: Date | number;
}

const SECRET_PREFIX = 'whsec_';

/**
 * Verifies a webhook delivery signed according to Standard Webhooks
 * (https://www.standardwebhooks.com) and returns its parsed JSON payload.
 *
 * - `payload` is the raw request body, exactly as received (do not re-serialize parsed JSON).
 * - `headers` must hold `webhook-id`, `webhook-timestamp` and `webhook-signature`.
 * - `secret` is the endpoint's signing secret, `whsec_` followed by base64.
 *
 * The signed content is `${id}.${timestamp}.${payload}`, signed with HMAC-SHA256 under the
 * base64-decoded secret; `webhook-signature` is a space-separated list of `v1,<base64>` entries,
 * any one of which may match (several are sent while a secret is being rotated). Comparison is in
 * constant time. The timestamp must be within `toleranceSeconds` of now, which defeats replays.
 *
 * @throws WebhookVerificationError when a header is missing, the timestamp is out of tolerance,
 *   no signature matches, or the payload is not JSON.
 */
export function verifyWebhook<T = unknown>(
  payload: string | Uint8Array,
  headers: WebhookHeaders,
  secret: string,
  options: VerifyWebhookOptions = {},
): T {
  const { toleranceSeconds = 300 } = options;
  const id = header(headers, 'webhook-id');
  const timestamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError(
      'missing webhook-id, webhook-timestamp or webhook-signature header',
    );
  }

  if (!/^\d+$/.test(timestamp)) {
    throw new WebhookVerificationError('invalid webhook-timestamp header');
  }
  const sentAt = Number(timestamp);
  const now =
    options.now === undefined
      ? Date.now() / 1000
      : options.now instanceof Date
        ? options.now.getTime() / 1000
        : options.now;
  if (now - sentAt > toleranceSeconds) {
    throw new WebhookVerificationError('webhook timestamp is too old');
  }
  if (sentAt - now > toleranceSeconds) {
    throw new WebhookVerificationError('webhook timestamp is too far in the future');
  }

  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  const expected = hmac(id, timestamp, body, secret);

  let matched = false;
  for (const entry of signatures.split(' ')) {
    const comma = entry.indexOf(',');
    if (comma < 0 || entry.slice(0, comma) !== 'v1') {
      continue;
    }
    const candidate = Buffer.from(entry.slice(comma + 1), 'base64');
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) {
      matched = true;
    }
  }
  if (!matched) {
    throw new WebhookVerificationError('no matching webhook signature');
  }

  try {
    return JSON.parse(body.toString('utf8')) as T;
  } catch {
    throw new WebhookVerificationError('webhook payload is not valid JSON');
  }
}

/**
 * The `v1,<base64>` signature of one delivery, as the sender puts it in `webhook-signature`: to
 * sign requests in your receiver's tests (Python: `sign_webhook`).
 *
 * ```ts
 * const timestamp = Math.floor(Date.now() / 1000);
 * const headers = {
 *   'webhook-id': 'msg_test',
 *   'webhook-timestamp': String(timestamp),
 *   'webhook-signature': signWebhook('msg_test', timestamp, body, secret),
 * };
 * ```
 */
export function signWebhook(
  msgId: string,
  timestamp: number | string,
  payload: string | Uint8Array,
  secret: string,
): string {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : Buffer.from(payload);
  return `v1,${hmac(msgId, String(timestamp), body, secret).toString('base64')}`;
}

function hmac(id: string, timestamp: string, body: Buffer, secret: string): Buffer {
  return createHmac('sha256', decodeSecret(secret))
    .update(`${id}.${timestamp}.`, 'utf8')
    .update(body)
    .digest();
}

function decodeSecret(secret: string): Buffer {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length === 0) {
    throw new WebhookVerificationError('invalid webhook secret');
  }
  return key;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') {
    return (headers as Headers).get(name) ?? undefined;
  }
  for (const [key, value] of Object.entries(headers as Record<string, unknown>)) {
    if (key.toLowerCase() === name) {
      if (Array.isArray(value)) {
        return value.join(' ');
      }
      return typeof value === 'string' ? value : undefined;
    }
  }
  return undefined;
}
