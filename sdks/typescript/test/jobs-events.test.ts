// Background jobs, the operators' dead-job operations and the event feed against a live server.
// The operator tests need CAMPAIGN_OS_OPERATOR_EMAIL / _PASSWORD (scripts/sdk-test sets them).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import {
  waitForExport,
  waitForImport,
  waitForJob,
  type CampaignOS,
  type ContactCreatedEvent,
  type EventOut,
  type JobOut,
} from 'campaign-os';

import { operatorClient, rejectsWith, signedUpClient } from './helpers.js';

const CSV = 'email,first_name\nada@example.com,Ada\ngrace@example.com,Grace\nnot-an-email,Nobody\n';

async function jobOf(cos: CampaignOS, type: string, resourceId: string): Promise<JobOut> {
  const found: JobOut[] = [];
  for await (const job of cos.paginate(cos.jobs.list, { query: { type } })) {
    if (job.resource?.id === resourceId) found.push(job);
  }
  assert.equal(found.length, 1, `one ${type} job for ${resourceId}`);
  return found[0]!;
}

async function importCsv(cos: CampaignOS): Promise<string> {
  const { data: started } = await cos.imports.create({ body: { file: new Blob([CSV], { type: 'text/csv' }) } });
  const done = await waitForImport(cos, started.id, { pollIntervalMs: 50, timeoutMs: 30_000 });
  assert.equal(done.status, 'completed');
  return done.id;
}

describe('jobs', () => {
  test('an import and an export are listed as jobs, with progress; waitForJob follows one', async () => {
    const { cos } = await signedUpClient();
    const importId = await importCsv(cos);
    const job = await jobOf(cos, 'crm.import', importId);
    assert.match(job.id, /^job_/);
    assert.deepEqual(job.resource, { type: 'import', id: importId });

    const seen: JobOut[] = [];
    const done = await waitForJob(cos, job.id, {
      pollIntervalMs: 50,
      timeoutMs: 30_000,
      onProgress: (j) => {
        seen.push(j);
      },
    });
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(seen.at(-1), done);
    assert.equal(done.attempts, 1);
    assert.ok(done.started_at && done.finished_at);
    assert.deepEqual(done.progress, {
      rows_read: 3,
      rows_created: 2,
      rows_updated: 0,
      rows_skipped: 0,
      rows_failed: 1,
    });
    assert.deepEqual((await cos.jobs.get({ path: { id: job.id } })).data, done);

    const { data: started } = await cos.exports.create({ body: { format: 'csv' } });
    await waitForExport(cos, started.id, { pollIntervalMs: 50, timeoutMs: 30_000 });
    const exportJob = await waitForJob(cos, (await jobOf(cos, 'crm.export', started.id)).id, {
      pollIntervalMs: 50,
      timeoutMs: 30_000,
    });
    assert.equal(exportJob.status, 'succeeded');
    assert.equal(exportJob.resource?.type, 'export');

    const { data: succeeded } = await cos.jobs.list({ query: { status: 'succeeded' } });
    assert.deepEqual(
      succeeded.data.map((j) => j.id),
      [done.id, exportJob.id],
    );
    const { data: failed } = await cos.jobs.list({ query: { status: 'failed' } });
    assert.deepEqual(failed.data, []);
  });

  test("another organisation's job is 404", async () => {
    const { cos } = await signedUpClient();
    const job = await jobOf(cos, 'crm.import', await importCsv(cos));
    const { cos: stranger } = await signedUpClient();
    const error = await rejectsWith(stranger.jobs.get({ path: { id: job.id } }));
    assert.equal(error.status, 404);
    assert.deepEqual((await stranger.jobs.list()).data.data, []);
  });

  test('operators list jobs; only dead jobs can be retried or discarded; others get 404', async () => {
    const { cos, session } = await signedUpClient();
    const job = await waitForJob(cos, (await jobOf(cos, 'crm.import', await importCsv(cos))).id, {
      pollIntervalMs: 50,
      timeoutMs: 30_000,
    });
    const operator = await operatorClient();

    const { data: dead } = await operator.admin.listJobs();
    assert.ok(dead.data.every((j) => j.state === 'dead'));
    let mine;
    for await (const j of operator.paginate(operator.admin.listJobs, {
      query: { state: 'succeeded', type: 'crm.import', limit: 100 },
    })) {
      if (j.id === job.id) mine = j;
    }
    assert.ok(mine, 'the succeeded job is listed for operators');
    assert.equal(mine.organization_id, session.organization.id);
    assert.equal(mine.queue, 'crm');
    assert.equal(mine.last_error, null);

    for (const call of [
      () => operator.admin.retryJob({ path: { id: job.id } }),
      () => operator.admin.discardJob({ path: { id: job.id } }),
    ]) {
      const error = await rejectsWith(call());
      assert.equal(error.status, 409);
      assert.equal(error.code, 'job_not_dead');
    }
    const hidden = await rejectsWith(cos.admin.listJobs());
    assert.equal(hidden.status, 404);
  });
});

describe('events', () => {
  test('contact writes are in the feed, filtered by type, typed by their discriminator', async () => {
    const { cos } = await signedUpClient();
    const since = new Date(Date.now() - 5_000).toISOString();
    const { data: ada } = await cos.contacts.create({ body: { email: 'ada@example.com', first_name: 'Ada' } });
    await cos.contacts.update({ path: { id: ada.id }, body: { first_name: 'Augusta' } });
    const { data: grace } = await cos.contacts.create({ body: { email: 'grace@example.com' } });
    await cos.contacts.delete({ path: { id: grace.id } });

    const { data: created } = await cos.events.list({ query: { type: 'contact.created' } });
    assert.deepEqual(
      created.data.map((e) => [e.type, e.type === 'contact.created' ? e.data.id : undefined]),
      [
        ['contact.created', ada.id],
        ['contact.created', grace.id],
      ],
    );
    const first: EventOut = created.data[0]!;
    assert.match(first.id, /^evt_/);
    if (first.type !== 'contact.created') assert.fail('narrowed by type');
    const typed: ContactCreatedEvent = first;
    assert.equal(typed.data.email, 'ada@example.com');

    const changes: EventOut[] = [];
    for await (const e of cos.paginate(cos.events.list, {
      query: { type: 'contact.updated,contact.deleted', limit: 1 },
    })) {
      changes.push(e);
    }
    assert.deepEqual(
      changes.map((e) => e.type),
      ['contact.updated', 'contact.deleted'],
    );
    const { data: newest } = await cos.events.list({
      query: { type: 'contact.updated,contact.deleted', order: 'desc' },
    });
    assert.deepEqual(
      newest.data.map((e) => e.id),
      changes.map((e) => e.id).reverse(),
    );
    const { data: one } = await cos.events.get({ path: { id: changes[1]!.id } });
    assert.deepEqual(one, changes[1]);

    const { data: window } = await cos.events.list({ query: { type: 'contact.created', 'created_at[gte]': since } });
    assert.equal(window.data.length, 2);
    const { data: before } = await cos.events.list({ query: { type: 'contact.created', 'created_at[lt]': since } });
    assert.equal(before.data.length, 0);
  });

  test('an unknown type is a 422 naming it; events of another organisation are 404', async () => {
    const { cos } = await signedUpClient();
    const error = await rejectsWith(cos.events.list({ query: { type: 'contact.created,contact.exploded' } }));
    assert.equal(error.status, 422);
    assert.equal(error.errors[0]?.field, 'type');
    assert.equal(error.errors[0]?.code, 'unknown_event_type');
    assert.match(error.errors[0]?.message ?? '', /contact\.exploded/);

    await cos.contacts.create({ body: { email: 'private@example.com' } });
    const { data: page } = await cos.events.list({ query: { type: 'contact.created' } });
    const { cos: stranger } = await signedUpClient();
    const hidden = await rejectsWith(stranger.events.get({ path: { id: page.data[0]!.id } }));
    assert.equal(hidden.status, 404);
  });
});
