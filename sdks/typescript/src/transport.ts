import { randomUUID } from 'node:crypto';

import { CampaignOSConnectionError, CampaignOSTimeoutError } from './errors.js';

/** Settings of the retrying transport (see `CampaignOSOptions`). */
export interface TransportOptions {
  fetch: typeof globalThis.fetch;
  timeoutMs: number;
  maxRetries: number;
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** The longest `Retry-After` honoured; a longer one is not waited for (the error is raised). */
  maxRetryAfterMs: number;
  userAgent: string;
}

const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

/**
 * Wraps `fetch` with what every call needs: an `Idempotency-Key` on each POST (kept across the
 * retries of that call), the `User-Agent`, a timeout per attempt, and retries with exponential
 * backoff and full jitter that honour `Retry-After`.
 *
 * The response body is read inside the attempt (so the timeout covers it) and handed on buffered.
 * A response that is not retried, or the last one, is returned as it is: turning an error status
 * into a `CampaignOSError` is the client's error interceptor's job. When no response arrives the
 * returned promise rejects with `CampaignOSConnectionError` / `CampaignOSTimeoutError`; when the
 * caller's own `signal` aborts, with the signal's reason, unchanged and without retrying.
 */
export function createTransport(options: TransportOptions): (request: Request) => Promise<Response> {
  return async (request: Request) => {
    const method = request.method.toUpperCase();
    const headers = new Headers(request.headers);
    if (method === 'POST' && !headers.has('idempotency-key')) {
      headers.set('Idempotency-Key', randomUUID());
    }
    if (!headers.has('user-agent')) {
      headers.set('User-Agent', options.userAgent);
    }
    const body = request.body === null ? undefined : await request.arrayBuffer();
    const callerSignal = request.signal;

    for (let attempt = 0; ; attempt++) {
      const lastAttempt = attempt >= options.maxRetries;
      let response: Response;
      try {
        response = await attemptOnce(options, request.url, {
          method,
          headers,
          body,
          redirect: request.redirect,
          signal: callerSignal,
        });
      } catch (error) {
        if (callerSignal.aborted || lastAttempt || !(error instanceof CampaignOSConnectionError)) {
          throw error;
        }
        await sleep(backoff(options, attempt), callerSignal);
        continue;
      }

      if (lastAttempt || !(await isRetryable(response))) {
        return response;
      }
      const retryAfter = retryAfterMs(response.headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > options.maxRetryAfterMs) {
        return response;
      }
      await sleep(retryAfter ?? backoff(options, attempt), callerSignal);
    }
  };
}

async function attemptOnce(
  options: TransportOptions,
  url: string,
  init: RequestInit & { signal: AbortSignal; body: ArrayBuffer | undefined },
): Promise<Response> {
  const timeout = new AbortController();
  const timer = setTimeout(
    () => timeout.abort(new CampaignOSTimeoutError(`request timed out after ${options.timeoutMs} ms`)),
    options.timeoutMs,
  );
  const signal = AbortSignal.any([init.signal, timeout.signal]);
  try {
    const response = await options.fetch(url, { ...init, signal });
    // Read the body inside the attempt, so that the timeout covers it and a 409 can be inspected.
    const data = NULL_BODY_STATUSES.has(response.status) ? null : await response.arrayBuffer();
    return new Response(data, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  } catch (error) {
    if (init.signal.aborted) {
      throw init.signal.reason ?? error;
    }
    if (timeout.signal.aborted) {
      throw new CampaignOSTimeoutError(
        `${init.method} ${url} timed out after ${options.timeoutMs} ms`,
        error,
      );
    }
    throw new CampaignOSConnectionError(
      `${init.method} ${url} failed: ${describe(error)}`,
      error,
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Network errors, 408, 429 and 5xx are retried; a 409 only when its problem code is
 * `idempotency_key_in_use` (the same key is still being processed). Other 409s, such as
 * `email_taken`, are permanent.
 */
async function isRetryable(response: Response): Promise<boolean> {
  const status = response.status;
  if (status === 408 || status === 429 || status >= 500) {
    return true;
  }
  if (status === 409) {
    try {
      const problem = (await response.clone().json()) as { code?: unknown };
      return problem?.code === 'idempotency_key_in_use';
    } catch {
      return false;
    }
  }
  return false;
}

/** Exponential backoff with full jitter: a random delay in [0, min(max, base · 2^attempt)]. */
function backoff(options: TransportOptions, attempt: number): number {
  const ceiling = Math.min(options.retryMaxDelayMs, options.retryBaseDelayMs * 2 ** attempt);
  return Math.random() * ceiling;
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined if absent or invalid. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) {
    return undefined;
  }
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) {
    return Number(trimmed) * 1000;
  }
  // An HTTP date starts with the day name ("Wed, 21 Oct 2015 07:28:00 GMT").
  const date = /^[A-Za-z]/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) {
    return undefined;
  }
  return Math.max(0, date - now);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
  }
  return String(error);
}
