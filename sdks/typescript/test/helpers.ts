import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';

import { CampaignOS, CampaignOSError, isMfaChallenge, type CampaignOSOptions, type SessionOut } from 'campaign-os';

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: start a Campaign OS server (and the fault proxy) and export it`);
  }
  return value.replace(/\/+$/, '');
}

/** The server under test. */
export const baseUrl = (): string => requireEnv('CAMPAIGN_OS_BASE_URL');
/** The fault proxy (sdks/testing/fault_proxy.py) in front of the same server. */
export const proxyUrl = (): string => requireEnv('CAMPAIGN_OS_PROXY_URL');

export function uniqueEmail(tag = 'ts'): string {
  return `${tag}-${Date.now()}-${randomUUID().slice(0, 8)}@example.com`;
}

export const PASSWORD = 'Tangerine-Bicycle-Orbit-4471';

/** Fast backoff, so that retry tests do not wait for the production delays. */
export const FAST_RETRIES: CampaignOSOptions = { retryBaseDelayMs: 5, retryMaxDelayMs: 20 };

/** Signs up a fresh user and returns a client authenticated with its access token. */
export async function signedUpClient(
  options: CampaignOSOptions = {},
): Promise<{ cos: CampaignOS; session: SessionOut; email: string }> {
  const cos = new CampaignOS({ baseUrl: baseUrl(), ...options });
  const email = uniqueEmail();
  const { data: session } = await cos.auth.signup({
    body: { email, password: PASSWORD, organization_name: 'SDK tests' },
  });
  cos.setAccessToken(session.access_token);
  return { cos, session, email };
}

/** Asserts that `promise` rejects with a CampaignOSError and returns it. */
export async function rejectsWith(promise: Promise<unknown>): Promise<CampaignOSError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof CampaignOSError, `expected a CampaignOSError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the call to fail');
}

export interface ProxyRequest {
  method: string;
  path: string;
  idempotency_key: string | null;
  authorization: string | null;
  status: number | null;
  faulted: boolean;
}

export interface Fault {
  status?: number;
  retry_after?: string;
  method?: string;
  path?: string;
  drop?: boolean;
}

async function control(path: string, init?: RequestInit): Promise<unknown> {
  const response = await fetch(`${proxyUrl()}/__proxy/${path}`, init);
  assert.equal(response.status, 200, `fault proxy ${path}: ${response.status}`);
  return response.json();
}

export const proxy = {
  reset: () => control('reset', { method: 'POST' }),
  faults: (faults: Fault[]) =>
    control('faults', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ faults }),
    }),
  requests: async (): Promise<ProxyRequest[]> =>
    ((await control('requests')) as { requests: ProxyRequest[] }).requests,
};

/** A client logged in as the platform operator (CAMPAIGN_OS_OPERATOR_EMAIL / _PASSWORD). */
export async function operatorClient(): Promise<CampaignOS> {
  const email = process.env['CAMPAIGN_OS_OPERATOR_EMAIL'];
  const password = process.env['CAMPAIGN_OS_OPERATOR_PASSWORD'];
  if (!email || !password) {
    throw new Error('CAMPAIGN_OS_OPERATOR_EMAIL / _PASSWORD are not set (scripts/sdk-test sets them)');
  }
  const operator = new CampaignOS({ baseUrl: baseUrl() });
  const { data: session } = await operator.auth.login({ body: { email, password } });
  if (isMfaChallenge(session)) throw new Error('the operator account has 2FA on');
  operator.setAccessToken(session.access_token);
  return operator;
}
