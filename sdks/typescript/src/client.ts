import { createClient, createConfig, type Client } from './gen/client/index.js';
import { GeneratedApi } from './gen/sdk.gen.js';
import type { ClientOptions } from './gen/types.gen.js';
import { CampaignOSError } from './errors.js';
import { paginate, type ListOperation, type ListOptionsOf, type Paginator } from './pagination.js';
import { createTransport } from './transport.js';
import { SDK_VERSION } from './version.js';

/** Options of {@link CampaignOS}. */
export interface CampaignOSOptions {
  /** An API key (`cos_…`), sent as `Authorization: Bearer <key>`. */
  apiKey?: string | undefined;
  /** A JWT access token (from `auth.signup`, `auth.login` or `auth.refreshToken`). */
  accessToken?: string | undefined;
  /**
   * Act on this client workspace (`org_…`) of your agency: sent as `X-Tenant-Id` on every
   * request. Default: your own organisation.
   */
  tenantId?: string | undefined;
  /**
   * The API's base URL. Default: the `CAMPAIGN_OS_BASE_URL` environment variable, else
   * `http://127.0.0.1:8080`.
   */
  baseUrl?: string | undefined;
  /** Timeout of each attempt (connecting, sending, and reading the whole response), in ms. Default 30000. */
  timeoutMs?: number | undefined;
  /** How many times a failed call is retried (so at most `maxRetries + 1` attempts). Default 2. */
  maxRetries?: number | undefined;
  /** Base of the exponential backoff, in ms. Default 500. */
  retryBaseDelayMs?: number | undefined;
  /** Upper bound of one backoff delay, in ms. Default 8000. */
  retryMaxDelayMs?: number | undefined;
  /**
   * The longest `Retry-After` the client waits for, in ms. A longer one is not waited for: the
   * error is raised at once. Default 60000.
   */
  maxRetryAfterMs?: number | undefined;
  /** Headers sent with every request. */
  headers?: Record<string, string> | undefined;
  /** The `fetch` implementation. Default: the global `fetch`. */
  fetch?: typeof globalThis.fetch | undefined;
}

/** The default base URL when neither `baseUrl` nor `CAMPAIGN_OS_BASE_URL` is set. */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080';

/**
 * The Campaign OS client.
 *
 * Every operation of the API is a method of a namespace named after the operation's tag, e.g.
 * `cos.auth.signup({ body })`, `cos.me.get()`, `cos.apiKeys.list({ query: { limit: 10 } })`,
 * `cos.apiKeys.get({ path: { id } })`. These namespaces are generated from the OpenAPI document
 * (src/gen/, class `GeneratedApi`); this class only configures the HTTP client under them.
 * Each method resolves to `{ data, request, response }` and rejects with a `CampaignOSError`.
 * Methods are bound to their namespace, so they can be passed around (e.g. to `paginate`).
 */
export class CampaignOS extends GeneratedApi {
  /** The base URL requests go to. */
  readonly baseUrl: string;
  readonly #credentials: { token: string | undefined; tenantId: string | undefined };

  constructor(options: CampaignOSOptions = {}) {
    if (options.apiKey && options.accessToken) {
      throw new TypeError('CampaignOS: pass either apiKey or accessToken, not both');
    }
    const credentials = { token: options.apiKey ?? options.accessToken, tenantId: options.tenantId };
    const baseUrl = (
      options.baseUrl ??
      process.env['CAMPAIGN_OS_BASE_URL'] ??
      DEFAULT_BASE_URL
    ).replace(/\/+$/, '');
    super({ client: buildClient(options, baseUrl, credentials) });
    this.baseUrl = baseUrl;
    this.#credentials = credentials;
    bindNamespaces(this);
  }

  /** Uses this access token (e.g. after `auth.login` or `auth.refreshToken`) from now on. */
  setAccessToken(accessToken: string | undefined): void {
    this.#credentials.token = accessToken;
  }

  /** Uses this API key from now on (replacing any access token). */
  setApiKey(apiKey: string | undefined): void {
    this.#credentials.token = apiKey;
  }

  /** Acts on this client workspace (`X-Tenant-Id`) from now on; `undefined` for your own. */
  setTenantId(tenantId: string | undefined): void {
    this.#credentials.tenantId = tenantId;
  }

  /**
   * Iterates over every item of any list operation, following `next_cursor`:
   *
   * ```ts
   * for await (const key of cos.paginate(cos.apiKeys.list, { query: { limit: 50 } })) { … }
   * for await (const page of cos.paginate(cos.apiKeys.list).pages()) { … }
   * ```
   */
  paginate<F extends ListOperation>(operation: F, options?: ListOptionsOf<F>): Paginator<F> {
    return paginate(operation, options);
  }
}

function buildClient(
  options: CampaignOSOptions,
  baseUrl: string,
  credentials: { token: string | undefined; tenantId: string | undefined },
): Client {
  const transport = createTransport({
    fetch: options.fetch ?? globalThis.fetch,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: Math.max(0, options.maxRetries ?? 2),
    retryBaseDelayMs: options.retryBaseDelayMs ?? 500,
    retryMaxDelayMs: options.retryMaxDelayMs ?? 8_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    userAgent: `campaign-os-typescript/${SDK_VERSION} node/${process.versions.node}`,
  });
  const client = createClient(
    createConfig<ClientOptions>({
      baseUrl,
      throwOnError: true,
      headers: options.headers,
      fetch: transport as typeof globalThis.fetch,
      // Per security scheme: the spec's only scheme, `bearer`, is HTTP bearer auth. Operations
      // without `security` (sign-up, login…) get no Authorization header.
      auth: (auth) =>
        auth.type === 'http' && auth.scheme === 'bearer' ? credentials.token : undefined,
    }),
  );
  client.interceptors.request.use((request) => {
    if (credentials.tenantId) {
      request.headers.set('X-Tenant-Id', credentials.tenantId);
    }
    return request;
  });
  client.interceptors.error.use((error, response) => {
    if (error instanceof CampaignOSError) {
      return error;
    }
    if (response) {
      return CampaignOSError.fromResponse(response, error);
    }
    return error;
  });
  return client;
}

/**
 * Binds the methods of every generated namespace (`auth`, `me`, `apiKeys`…) to it, so that
 * `cos.apiKeys.list` can be passed as a value. Generic: new tags need nothing here.
 */
function bindNamespaces(api: GeneratedApi): void {
  for (const [name, descriptor] of Object.entries(
    Object.getOwnPropertyDescriptors(GeneratedApi.prototype),
  )) {
    if (!descriptor.get) {
      continue;
    }
    const namespace = (api as unknown as Record<string, unknown>)[name];
    if (typeof namespace !== 'object' || namespace === null) {
      continue;
    }
    const proto = Object.getPrototypeOf(namespace) as object;
    for (const method of Object.getOwnPropertyNames(proto)) {
      const value = (namespace as Record<string, unknown>)[method];
      if (method !== 'constructor' && typeof value === 'function') {
        Object.defineProperty(namespace, method, {
          value: value.bind(namespace),
          configurable: true,
          writable: true,
        });
      }
    }
  }
}
