// CRM through the SDK, against a live server (CAMPAIGN_OS_BASE_URL): contacts CRUD, filtering
// and search, pagination over a few hundred contacts, and a CSV import followed to the end.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';

import { csvFile, waitForExport, waitForImport, type ContactIn, type ImportOut } from 'campaign-os';

import { rejectsWith, signedUpClient } from './helpers.js';

describe('contacts', () => {
  test('create, get, patch (absent / null / value), list and delete', async () => {
    const { cos } = await signedUpClient();
    const { data: created, response } = await cos.contacts.create({
      body: {
        first_name: 'Ada',
        last_name: 'Lovelace',
        email: 'Ada@Example.com',
        phone: '+1 415 555 2671',
        consent: { email: { status: 'opted_in', source: 'signup form' } },
      },
    });
    assert.equal(response.status, 201);
    assert.match(created.id, /^con_/);
    assert.equal(created.phone, '+14155552671');
    assert.equal(created.consent.email.status, 'opted_in');
    assert.equal(created.consent.sms.status, 'unknown');

    const { data: fetched } = await cos.contacts.get({ path: { id: created.id } });
    assert.deepEqual(fetched, created);

    // Absent fields stay, null clears, a value sets.
    const { data: patched } = await cos.contacts.update({
      path: { id: created.id },
      body: { phone: null, first_name: 'Augusta' },
    });
    assert.equal(patched.phone, null);
    assert.equal(patched.first_name, 'Augusta');
    assert.equal(patched.last_name, 'Lovelace');
    assert.equal(patched.email, created.email);

    const duplicate = await rejectsWith(cos.contacts.create({ body: { email: 'ada@example.COM' } }));
    assert.equal(duplicate.status, 409);
    assert.ok(duplicate.errors.some((e) => e.field === 'email'));

    const invalid = await rejectsWith(cos.contacts.create({ body: { email: 'not an email' } }));
    assert.equal(invalid.status, 422);
    assert.ok(invalid.errors.some((e) => e.field === 'email'));

    const { data: page } = await cos.contacts.list();
    assert.deepEqual(
      page.data.map((c) => c.id),
      [created.id],
    );

    const { response: deleted } = await cos.contacts.delete({ path: { id: created.id } });
    assert.equal(deleted.status, 204);
    const gone = await rejectsWith(cos.contacts.get({ path: { id: created.id } }));
    assert.equal(gone.status, 404);
  });

  test('another organisation cannot see the contact', async () => {
    const { cos } = await signedUpClient();
    const { cos: other } = await signedUpClient();
    const { data: contact } = await cos.contacts.create({ body: { email: 'private@example.com' } });
    const error = await rejectsWith(other.contacts.get({ path: { id: contact.id } }));
    assert.equal(error.status, 404);
  });

  test('filter by tags and search by prefix; a bad filter is a 400 naming the position', async () => {
    const { cos } = await signedUpClient();
    await cos.tags.create({ body: { name: 'vip', color: '#ff8800' } });
    const people: ContactIn[] = [
      { first_name: 'Grace', last_name: 'Hopper', email: 'grace@navy.example', tags: ['vip'] },
      { first_name: 'Alan', last_name: 'Turing', email: 'alan@bletchley.example' },
      { first_name: 'Grete', last_name: 'Hermann', email: 'grete@example.com', tags: ['vip'] },
    ];
    const { data: bulk } = await cos.contacts.bulkUpsert({ body: { contacts: people } });
    assert.equal(bulk.created, 3);
    const [grace, alan, grete] = bulk.results.map((r) => r.id);

    const { data: vips } = await cos.contacts.list({ query: { filter: 'tags[any]:vip' } });
    assert.deepEqual(vips.data.map((c) => c.id).sort(), [grace, grete].sort());

    const { data: notVip } = await cos.contacts.list({ query: { filter: 'tags[none]:vip' } });
    assert.deepEqual(
      notVip.data.map((c) => c.id),
      [alan],
    );

    const { data: gr } = await cos.contacts.list({ query: { q: 'gr' } });
    assert.deepEqual(gr.data.map((c) => c.id).sort(), [grace, grete].sort());

    const { data: both } = await cos.contacts.list({ query: { q: 'gr', filter: 'last_name[eq]:Hopper' } });
    assert.deepEqual(
      both.data.map((c) => c.id),
      [grace],
    );

    const { data: count } = await cos.segments.preview({ body: { filter: 'tags[any]:vip' } });
    assert.equal(count.count, 2);

    const bad = await rejectsWith(cos.contacts.list({ query: { filter: 'tags[any:vip' } }));
    assert.equal(bad.status, 400);
    assert.equal(bad.code, 'invalid_filter');
  });

  test('paginate() visits every one of 300 contacts exactly once, 50 per page', async () => {
    const { cos } = await signedUpClient();
    const contacts = Array.from({ length: 300 }, (_, i) => ({
      first_name: `Person ${i}`,
      email: `person-${i}@example.com`,
    }));
    const { data: bulk } = await cos.contacts.bulkUpsert({ body: { contacts, match_on: 'email' } });
    assert.equal(bulk.created, 300);
    assert.equal(bulk.failed, 0);
    const created = new Set(bulk.results.map((r) => r.id));
    assert.equal(created.size, 300);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of cos.paginate(cos.contacts.list, { query: { limit: 50 } }).pages()) {
      pages += 1;
      assert.ok(page.data.length <= 50);
      seen.push(...page.data.map((c) => c.id));
    }
    assert.equal(pages, 6);
    assert.equal(seen.length, 300);
    assert.equal(new Set(seen).size, 300);
    assert.deepEqual(new Set(seen), created);

    // The same under a sort and a filter.
    const sorted = await cos
      .paginate(cos.contacts.list, { query: { limit: 50, sort: '-created_at', filter: 'email[exists]:true' } })
      .toArray();
    assert.equal(new Set(sorted.map((c) => c.id)).size, 300);
  });
});

describe('imports', () => {
  test('upload a CSV with bad rows, follow its progress, read the counters and the error report', async () => {
    const { cos } = await signedUpClient();
    const csv = [
      'First name,E-mail,Mobile',
      'Ada,ada@example.com,+44 20 7946 0018',
      'Bad,not-an-email,',
      'Grace,grace@example.com,',
      'Alan,alan@example.com,not a phone',
      'Ada again,ADA@example.com,',
    ].join('\n');
    const dir = await mkdtemp(join(tmpdir(), 'cos-import-'));
    try {
      const path = join(dir, 'people.csv');
      await writeFile(path, `${csv}\n`);
      const { data: started, response } = await cos.imports.create({
        body: {
          file: await csvFile(path),
          options: { mapping: { 'First name': 'first_name', 'E-mail': 'email', Mobile: 'phone' } },
        },
      });
      assert.equal(response.status, 202);
      assert.match(started.id, /^imp_/);
      assert.equal(started.filename, 'people.csv');

      const seen: ImportOut[] = [];
      const done = await waitForImport(cos, started.id, {
        pollIntervalMs: 50,
        timeoutMs: 30_000,
        onProgress: (i) => {
          seen.push(i);
        },
      });
      assert.equal(done.status, 'completed');
      assert.ok(seen.length >= 1);
      assert.deepEqual(seen.at(-1), done);
      assert.equal(done.rows_read, 5);
      assert.equal(done.rows_created, 2);
      assert.equal(done.rows_updated, 1);
      assert.equal(done.rows_failed, 2);
      assert.equal(done.rows_skipped, 0);
      assert.ok(done.error_report_url);

      const { data: report } = await cos.imports.downloadErrors({ path: { id: done.id } });
      const lines = String(report).trim().split('\n');
      assert.equal(lines[0], 'row,column,code,reason');
      assert.equal(lines.length, 3);
      assert.match(lines[1] ?? '', /^3,/);
      assert.match(lines[2] ?? '', /^5,/);

      const { data: ada } = await cos.contacts.list({ query: { q: 'ada@example.com' } });
      assert.equal(ada.data.length, 1);
      assert.equal(ada.data[0]?.first_name, 'Ada again');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a Blob built in memory uploads too; waitForImport honours its timeout', async () => {
    const { cos } = await signedUpClient();
    const file = new Blob(['email\nsomeone@example.com\n'], { type: 'text/csv' });
    const { data: started } = await cos.imports.create({ body: { file } });
    // With no time to wait, it either has already finished or rejects with a TimeoutError.
    const early = await waitForImport(cos, started.id, { pollIntervalMs: 10, timeoutMs: 0 }).then(
      (job) => job,
      (error: unknown) => error,
    );
    if (early instanceof Error) {
      assert.equal(early.name, 'TimeoutError');
    } else {
      assert.ok(['completed', 'failed'].includes((early as ImportOut).status));
    }
    const done = await waitForImport(cos, started.id, { pollIntervalMs: 50, timeoutMs: 30_000 });
    assert.equal(done.status, 'completed');
    assert.equal(done.rows_created, 1);
  });

  test('an unknown column without a mapping is refused at once (422)', async () => {
    const { cos } = await signedUpClient();
    const file = new Blob(['email,shoe size\na@example.com,42\n'], { type: 'text/csv' });
    const error = await rejectsWith(cos.imports.create({ body: { file } }));
    assert.equal(error.status, 422);
  });
});

describe('exports', () => {
  test('export a filter as CSV and download it', async () => {
    const { cos } = await signedUpClient();
    await cos.contacts.bulkUpsert({
      body: { contacts: [{ email: 'one@example.com', first_name: 'One' }, { email: 'two@example.com' }] },
    });
    const { data: started } = await cos.exports.create({
      body: { format: 'csv', filter: 'first_name[eq]:One' },
    });
    const done = await waitForExport(cos, started.id, { pollIntervalMs: 50, timeoutMs: 30_000 });
    assert.equal(done.status, 'completed');
    assert.equal(done.rows_written, 1);
    const { data: file } = await cos.exports.download({ path: { id: done.id }, parseAs: 'text' });
    const lines = String(file).trim().split('\n');
    assert.equal(lines.length, 2);
    assert.match(lines[1] ?? '', /one@example\.com/);
  });
});
