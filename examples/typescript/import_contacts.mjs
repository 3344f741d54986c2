// Import contacts from a CSV file with the TypeScript SDK, printing progress and the error report.
//
//   (cd ../../sdks/typescript && npm ci && npm run build)
//   npm ci
//   node import_contacts.mjs contacts.csv --map E-mail=email --map Mobile=phone
//   node import_contacts.mjs                  # a generated sample with a few bad rows
//
// Authenticates with CAMPAIGN_OS_API_KEY (a key with imports:write and imports:read) or, without
// it, signs up a new account. The server is CAMPAIGN_OS_BASE_URL (default http://127.0.0.1:8080).
// Without --map, every CSV header must be a contact field (first_name, last_name, email, phone,
// timezone, locale, company_domain, tags, sms_consent, email_consent or custom.<key>).
//
// Exits 0 when the import completes (rows that failed are listed in the error report), 1 when it
// fails or on an API error. With the generated sample it also checks the counters.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { CampaignOS, CampaignOSError, csvFile, waitForImport } from 'campaign-os';

const baseUrl = process.env.CAMPAIGN_OS_BASE_URL ?? 'http://127.0.0.1:8080';

const SAMPLE_ROWS = 500;
// The sample's bad rows (1-based data row → [email, phone]), and a row repeating an earlier email.
const BAD_ROWS = new Map([
  [7, ['not-an-email', '+1 415 555 0107']],
  [123, ['bad-phone@example.com', '12']],
]);
const DUPLICATE_ROW = 250;

/** A CSV of SAMPLE_ROWS contacts: two invalid rows and one duplicate of an earlier email. */
async function writeSample(directory) {
  const path = join(directory, 'sample-contacts.csv');
  const lines = ['first_name,last_name,email,phone,timezone'];
  for (let n = 1; n <= SAMPLE_ROWS; n++) {
    let [email, phone] = BAD_ROWS.get(n) ?? [`person-${n}@example.com`, `+1 415 555 ${String(n).padStart(4, '0')}`];
    if (n === DUPLICATE_ROW) [email, phone] = ['PERSON-1@example.com', ''];
    lines.push(`Person,Number ${n},${email},${phone},Europe/London`);
  }
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
}

/** A client authenticated with CAMPAIGN_OS_API_KEY, or as a newly signed-up user. */
async function client() {
  const apiKey = process.env.CAMPAIGN_OS_API_KEY;
  if (apiKey) return new CampaignOS({ baseUrl, apiKey });
  const cos = new CampaignOS({ baseUrl });
  const email = `import-example-${Date.now()}@example.com`;
  const { data: session } = await cos.auth.signup({
    body: { email, password: 'Import-Example-Pass-42', organization_name: 'Import Co.' },
  });
  console.log(`signed up ${email} (organisation ${session.organization.id})`);
  cos.setAccessToken(session.access_token);
  return cos;
}

const counters = (job) =>
  `${job.rows_read} rows read: ${job.rows_created} created, ${job.rows_updated} updated, ` +
  `${job.rows_skipped} skipped, ${job.rows_failed} failed`;

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      map: { type: 'string', multiple: true, default: [] },
      'match-on': { type: 'string' },
      'on-match': { type: 'string' },
    },
  });
  const mapping = values.map.length
    ? Object.fromEntries(values.map.map((m) => [m.slice(0, m.indexOf('=')), m.slice(m.indexOf('=') + 1)]))
    : undefined;

  const cos = await client();
  const tmp = await mkdtemp(join(tmpdir(), 'cos-import-'));
  try {
    const sample = positionals.length === 0;
    const path = sample ? await writeSample(tmp) : positionals[0];
    console.log(`uploading ${path} (${(await stat(path)).size} bytes) to ${baseUrl} …`);
    const { data: started } = await cos.imports.create({
      body: {
        file: await csvFile(path),
        options: { mapping, match_on: values['match-on'], on_match: values['on-match'] },
      },
    });
    console.log(`import ${started.id} is ${started.status}; polling for progress`);
    const done = await waitForImport(cos, started.id, {
      pollIntervalMs: 500,
      onProgress: (job) => console.log(`  ${job.status.padEnd(9)} ${counters(job)}`),
    });

    if (done.status !== 'completed') {
      console.error(`import failed: ${done.failure_reason}`);
      return 1;
    }
    console.log(`done: ${counters(done)}`);
    if (done.rows_failed > 0) {
      const { data: report } = await cos.imports.downloadErrors({ path: { id: done.id }, parseAs: 'text' });
      console.log('error report (row, column, code, reason):');
      for (const line of String(report).trim().split('\n').slice(1)) console.log(`  ${line}`);
    }

    if (sample) {
      const expected = [SAMPLE_ROWS, SAMPLE_ROWS - BAD_ROWS.size - 1, 1, BAD_ROWS.size];
      const actual = [done.rows_read, done.rows_created, done.rows_updated, done.rows_failed];
      if (actual.join() !== expected.join()) {
        console.error(`expected (read, created, updated, failed) = ${expected}, got ${actual}`);
        return 1;
      }
    }
    return 0;
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    if (error instanceof CampaignOSError) {
      console.error(`Failed: ${error.status} ${error.code}: ${error.detail ?? error.message}`);
      if (error.requestId) console.error(`  request_id ${error.requestId}`);
      for (const e of error.errors) console.error(`  ${e.field}: ${e.code} (${e.message})`);
    } else {
      console.error('Failed:', error);
    }
    process.exit(1);
  },
);
