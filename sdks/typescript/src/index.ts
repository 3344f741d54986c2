export { CampaignOS, DEFAULT_BASE_URL, type CampaignOSOptions } from './client.js';
export {
  CampaignOSError,
  CampaignOSConnectionError,
  CampaignOSTimeoutError,
  type CampaignOSErrorInit,
} from './errors.js';
export {
  paginate,
  paginatePages,
  Paginator,
  type ListItemOf,
  type ListOperation,
  type ListOptionsOf,
  type Page,
} from './pagination.js';
export { isMfaChallenge } from './login.js';
export { csvFile, waitForExport, waitForImport, waitForJob, type WaitOptions } from './jobs.js';
export { retryAfterMs } from './transport.js';
export {
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
  type VerifyWebhookOptions,
  type WebhookHeaders,
} from './webhooks.js';
export { SDK_VERSION } from './version.js';
// The generated layer: the namespace classes, the low-level client, and every request and
// response type of the API (ApiKeyOut, MeOut, SessionOut, Problem, …).
export * from './gen/index.js';
export { createClient, createConfig, type Client, type Config } from './gen/client/index.js';
