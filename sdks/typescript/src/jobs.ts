import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { ExportOut, ImportOut, JobOut } from './gen/types.gen.js';

/** Options of {@link waitForImport}, {@link waitForExport} and {@link waitForJob}. */
export interface WaitOptions<T> {
  /** How long to wait between two reads, in ms. Default 1000. */
  pollIntervalMs?: number | undefined;
  /** Give up (rejecting with a `TimeoutError`) after this many ms. Default: wait as long as it takes. */
  timeoutMs?: number | undefined;
  /** Called with every state read, the last one included (e.g. to print progress). */
  onProgress?: ((job: T) => void | Promise<void>) | undefined;
  /** Stops waiting when aborted (rejecting with the signal's reason). */
  signal?: AbortSignal | undefined;
}

/** A generated `get` operation: what the wait helpers need of a client's namespace. */
interface Getter<T> {
  get(options: { path: { id: string } }): Promise<{ data: T }>;
}

/** The statuses after which an import or export no longer changes. */
const FINISHED = new Set(['completed', 'failed']);
/** The statuses after which a job (`GET /v1/jobs/{id}`) no longer changes. */
const JOB_FINISHED = new Set(['succeeded', 'failed']);

async function poll<T extends { status: string }>(
  read: () => Promise<T>,
  what: string,
  options: WaitOptions<T>,
  finished: ReadonlySet<string> = FINISHED,
): Promise<T> {
  const interval = options.pollIntervalMs ?? 1000;
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const job = await read();
    await options.onProgress?.(job);
    if (finished.has(job.status)) {
      return job;
    }
    if (deadline !== undefined && Date.now() + interval > deadline) {
      const error = new Error(`${what} is still ${job.status} after ${options.timeoutMs} ms`);
      error.name = 'TimeoutError';
      throw error;
    }
    await delay(interval, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}

/**
 * Polls an import (`imp_…`) until it is `completed` or `failed`, and resolves to it (check
 * `status`: a failed import resolves, it does not reject):
 *
 * ```ts
 * const { data: started } = await cos.imports.create({ body: { file: await csvFile('contacts.csv') } });
 * const done = await waitForImport(cos, started.id, {
 *   onProgress: (i) => console.log(i.status, i.rows_read, i.rows_failed),
 * });
 * ```
 */
export function waitForImport(
  cos: { imports: Getter<ImportOut> },
  id: string,
  options: WaitOptions<ImportOut> = {},
): Promise<ImportOut> {
  return poll(async () => (await cos.imports.get({ path: { id } })).data, `import ${id}`, options);
}

/** Polls an export (`exp_…`) until it is `completed` or `failed`, like {@link waitForImport}. */
export function waitForExport(
  cos: { exports: Getter<ExportOut> },
  id: string,
  options: WaitOptions<ExportOut> = {},
): Promise<ExportOut> {
  return poll(async () => (await cos.exports.get({ path: { id } })).data, `export ${id}`, options);
}

/**
 * Polls a background job (`job_…`, from `cos.jobs.list`) until it has `succeeded` or `failed`,
 * and resolves to it (a failed job resolves, it does not reject). `progress` is the job's own
 * report, e.g. an import's row counters; `resource` names the import or export it works on:
 *
 * ```ts
 * const { data: jobs } = await cos.jobs.list({ query: { type: 'crm.import', status: 'running' } });
 * const done = await waitForJob(cos, jobs.data[0]!.id, { onProgress: (j) => console.log(j.progress) });
 * ```
 */
export function waitForJob(
  cos: { jobs: Getter<JobOut> },
  id: string,
  options: WaitOptions<JobOut> = {},
): Promise<JobOut> {
  return poll(async () => (await cos.jobs.get({ path: { id } })).data, `job ${id}`, options, JOB_FINISHED);
}

/**
 * A file on disk as a `File` for a multipart upload (`cos.imports.create({ body: { file } })`),
 * named after the path and typed `text/csv` unless told otherwise. The file is not read here.
 */
export async function csvFile(
  path: string,
  options: { name?: string | undefined; type?: string | undefined } = {},
): Promise<File> {
  const blob = await openAsBlob(path);
  return new File([blob], options.name ?? basename(path), { type: options.type ?? 'text/csv' });
}
