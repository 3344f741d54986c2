import { openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';

import type { ExportOut, ImportOut } from './gen/types.gen.js';

/** Options of {@link waitForImport} and {@link waitForExport}. */
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

/** What `waitForImport` / `waitForExport` need of a client: its generated `imports` / `exports` namespace. */
interface JobsClient {
  imports: { get(options: { path: { id: string } }): Promise<{ data: ImportOut }> };
  exports: { get(options: { path: { id: string } }): Promise<{ data: ExportOut }> };
}

/** The statuses after which an import or export no longer changes. */
const FINISHED = new Set(['completed', 'failed']);

async function poll<T extends { status: string }>(
  read: () => Promise<T>,
  what: string,
  options: WaitOptions<T>,
): Promise<T> {
  const interval = options.pollIntervalMs ?? 1000;
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    const job = await read();
    await options.onProgress?.(job);
    if (FINISHED.has(job.status)) {
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
  cos: JobsClient,
  id: string,
  options: WaitOptions<ImportOut> = {},
): Promise<ImportOut> {
  return poll(async () => (await cos.imports.get({ path: { id } })).data, `import ${id}`, options);
}

/** Polls an export (`exp_…`) until it is `completed` or `failed`, like {@link waitForImport}. */
export function waitForExport(
  cos: JobsClient,
  id: string,
  options: WaitOptions<ExportOut> = {},
): Promise<ExportOut> {
  return poll(async () => (await cos.exports.get({ path: { id } })).data, `export ${id}`, options);
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
