import type { FieldError, Problem } from './gen/types.gen.js';

/** What the constructor of {@link CampaignOSError} takes. */
export interface CampaignOSErrorInit {
  status: number;
  code: string;
  title?: string | undefined;
  detail?: string | undefined;
  type?: string | undefined;
  requestId?: string | null | undefined;
  errors?: FieldError[] | undefined;
  requiredScope?: string | null | undefined;
  body?: unknown;
  headers?: Headers | undefined;
  cause?: unknown;
}

/**
 * Every failed call raises a `CampaignOSError`.
 *
 * - For an HTTP error answer, the fields come from the `application/problem+json` body
 *   (RFC 9457): `status`, `code` (stable, snake_case: match on this), `title`, `detail`, `type`,
 *   `requestId` (the `request_id`, quote it when reporting a problem) and `errors` (the field
 *   errors of a `422 validation_failed`). `body` is the raw parsed body (or its text when it was
 *   not JSON), `headers` the response headers.
 * - When no answer arrived, the error is a {@link CampaignOSConnectionError} (`status` 0, `code`
 *   `"network_error"`) or its subclass {@link CampaignOSTimeoutError} (`status` 0, `code`
 *   `"timeout"`). The underlying error is in `cause`.
 */
export class CampaignOSError extends Error {
  /** The HTTP status; 0 when no response arrived. */
  readonly status: number;
  /** Stable, machine-readable error code, e.g. `not_found`, `validation_failed`, `network_error`. */
  readonly code: string;
  /** The problem's title (the HTTP reason phrase). */
  readonly title: string | undefined;
  /** Human explanation of this occurrence. Do not parse it. */
  readonly detail: string | undefined;
  /** The problem type URI, `https://docs.campaign-os.dev/errors/<code>`. */
  readonly type: string | undefined;
  /** The request id (`request_id` of the body, else the `X-Request-Id` response header). */
  readonly requestId: string | undefined;
  /** Field errors (present on `422 validation_failed`); an empty array otherwise. */
  readonly errors: FieldError[];
  /** The permission the caller lacks (`403 forbidden` / `insufficient_scope`), e.g. `members:write`. */
  readonly requiredScope: string | undefined;
  /** The raw response body: parsed JSON, or the text when it was not JSON. */
  readonly body: unknown;
  /** The response headers, when a response arrived. */
  readonly headers: Headers | undefined;

  constructor(message: string, init: CampaignOSErrorInit) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.type = init.type;
    this.requestId = init.requestId ?? undefined;
    this.errors = init.errors ?? [];
    this.requiredScope = init.requiredScope ?? undefined;
    this.body = init.body;
    this.headers = init.headers;
  }

  /** Builds the error for an HTTP error response whose body has already been read. */
  static fromResponse(response: Response, body: unknown): CampaignOSError {
    const problem = isProblemLike(body) ? body : undefined;
    const status = response.status;
    const code = problem?.code ?? `http_${status}`;
    const detail = problem?.detail;
    const requestId = problem?.request_id ?? response.headers.get('x-request-id') ?? undefined;
    const message =
      `${status} ${code}` +
      (detail ? `: ${detail}` : typeof body === 'string' && body ? `: ${body.slice(0, 200)}` : '') +
      (requestId ? ` (request_id ${requestId})` : '');
    return new CampaignOSError(message, {
      status,
      code,
      title: problem?.title ?? (response.statusText || undefined),
      detail,
      type: problem?.type,
      requestId,
      errors: Array.isArray(problem?.errors) ? problem.errors : undefined,
      requiredScope: problem?.required_scope,
      body,
      headers: response.headers,
    });
  }
}

/** No response arrived: DNS failure, refused or reset connection… `status` 0, `code` `"network_error"`. */
export class CampaignOSConnectionError extends CampaignOSError {
  constructor(message: string, cause?: unknown, code = 'network_error') {
    super(message, { status: 0, code, cause });
  }
}

/** The attempt did not complete within `timeoutMs`. `status` 0, `code` `"timeout"`. */
export class CampaignOSTimeoutError extends CampaignOSConnectionError {
  constructor(message: string, cause?: unknown) {
    super(message, cause, 'timeout');
  }
}

function isProblemLike(body: unknown): body is Partial<Problem> & { code: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { code?: unknown }).code === 'string'
  );
}
