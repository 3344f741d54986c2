"""Background jobs, the operators' dead-job operations and the event feed (live server)."""

from __future__ import annotations

import datetime

import httpx
import pytest

from campaign_os import AsyncCampaignOS, CampaignOS, CampaignOSError, Event
from campaign_os.models import (
    AdminJobList,
    ContactCreatedEvent,
    ContactDeletedEvent,
    ContactUpdatedEvent,
    EventList,
    ImportCompletedEvent,
    JobList,
    JobOut,
    JobStatus,
)
from conftest import FAST, Account, signup

CSV = b"email,first_name\nada@example.com,Ada\ngrace@example.com,Grace\nnot-an-email,Nobody\n"


def _job_of(cos: CampaignOS, kind: str, resource_id: str) -> JobOut:
    [job] = [j for j in cos.jobs.list_all(type=kind) if j.resource is not None and j.resource.id == resource_id]
    return job


def test_an_import_and_an_export_are_listed_as_jobs_with_their_progress(cos: CampaignOS) -> None:
    imported = cos.imports.wait(cos.imports.create(CSV, filename="people.csv").id, poll_interval=0.05, timeout=30)
    assert (imported.status, imported.rows_created, imported.rows_failed) == ("completed", 2, 1)

    job = _job_of(cos, "crm.import", imported.id)
    assert job.id.startswith("job_") and job.type_ == "crm.import"
    assert job.resource is not None and (job.resource.type_, job.resource.id) == ("import", imported.id)
    seen: list[JobOut] = []
    done = cos.jobs.wait(job.id, poll_interval=0.05, timeout=30, on_progress=seen.append)
    assert done.status == JobStatus.SUCCEEDED == "succeeded"
    assert seen and seen[-1].to_dict() == done.to_dict()
    assert done.attempts == 1 and done.max_attempts >= 1
    assert done.started_at is not None and done.finished_at is not None and done.finished_at >= done.started_at
    assert done.progress is not None
    assert done.progress.to_dict() == {
        "rows_read": 3,
        "rows_created": 2,
        "rows_updated": 0,
        "rows_skipped": 0,
        "rows_failed": 1,
    }
    assert cos.jobs.get(job.id).to_dict() == done.to_dict()

    exported = cos.exports.wait(cos.exports.create(format="csv").id, poll_interval=0.05, timeout=30)
    assert (exported.status, exported.rows_written) == ("completed", 2)
    export_job = cos.jobs.wait(_job_of(cos, "crm.export", exported.id).id, poll_interval=0.05, timeout=30)
    assert export_job.status == "succeeded"
    assert export_job.resource is not None and export_job.resource.type_ == "export"

    # Filters: by type and by status; pages follow the cursor.
    page = cos.jobs.list(type="crm.export", limit=1)
    assert isinstance(page, JobList)
    assert [j.id for j in page.data] == [export_job.id] and not page.has_more
    assert [j.id for j in cos.jobs.list_all(status="succeeded", limit=1)] == [done.id, export_job.id]
    assert list(cos.jobs.list_all(status="failed")) == []
    assert [len(p.data) for p in cos.jobs.pages(limit=1)] == [1, 1]


def test_jobs_are_private_to_their_organisation(base_url: str, cos: CampaignOS, public: CampaignOS) -> None:
    imported = cos.imports.wait(cos.imports.create(CSV).id, poll_interval=0.05, timeout=30)
    job = _job_of(cos, "crm.import", imported.id)
    other = signup(public)
    with CampaignOS(base_url=base_url, access_token=other.session.access_token, **FAST) as stranger:
        assert list(stranger.jobs.list_all()) == []
        with pytest.raises(CampaignOSError) as info:
            stranger.jobs.get(job.id)
        assert (info.value.status, info.value.code) == (404, "not_found")
    with pytest.raises(CampaignOSError) as bad:
        cos.jobs.get("imp_01jdq4m3y7e8f9g0h1j2k3m4n5")
    assert bad.value.status == 400
    with pytest.raises(ValueError):
        cos.jobs.list(status="finished")  # not a status: refused before any request


def test_operators_list_jobs_and_only_dead_ones_can_be_retried_or_discarded(
    operator: CampaignOS, cos: CampaignOS, account: Account
) -> None:
    imported = cos.imports.wait(cos.imports.create(CSV).id, poll_interval=0.05, timeout=30)
    job = cos.jobs.wait(_job_of(cos, "crm.import", imported.id).id, poll_interval=0.05, timeout=30)

    dead = operator.admin.list_jobs()
    assert isinstance(dead, AdminJobList)
    assert all(j.state == "dead" for j in dead.data)
    [mine] = [
        j for j in operator.admin.list_all_jobs(state="succeeded", type="crm.import", limit=100) if j.id == job.id
    ]
    assert (mine.state, mine.queue, mine.organization_id) == ("succeeded", "crm", account.session.organization.id)
    assert mine.status == "succeeded" and mine.last_error is None
    assert mine.payload.to_dict()  # the job's input, for operators

    for call in (operator.admin.retry_job, operator.admin.discard_job):
        with pytest.raises(CampaignOSError) as info:
            call(job.id)
        assert (info.value.status, info.value.code) == (409, "job_not_dead")
    assert cos.jobs.get(job.id).status == "succeeded"

    # Everyone else: the routes do not exist.
    for call in (cos.admin.list_jobs, lambda: cos.admin.retry_job(job.id), lambda: cos.admin.discard_job(job.id)):
        with pytest.raises(CampaignOSError) as hidden:
            call()
        assert (hidden.value.status, hidden.value.code) == (404, "not_found")


def test_contact_writes_are_in_the_event_feed_and_filter_by_type(cos: CampaignOS) -> None:
    before = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
    ada = cos.contacts.create(email="ada@example.com", first_name="Ada")
    cos.contacts.update(ada.id, first_name="Augusta")
    grace = cos.contacts.create(email="grace@example.com", first_name="Grace")
    cos.contacts.delete(grace.id)

    created = cos.events.list(type="contact.created")
    assert isinstance(created, EventList)
    assert [(e.type_, e.data.id) for e in created.data] == [("contact.created", ada.id), ("contact.created", grace.id)]
    first = created.data[0]
    assert isinstance(first, ContactCreatedEvent)
    assert first.id.startswith("evt_") and first.data.email == "ada@example.com" and first.data.first_name == "Ada"

    contact_events = list(cos.events.list_all(type=["contact.updated", "contact.deleted"], limit=1))
    assert [type(e) for e in contact_events] == [ContactUpdatedEvent, ContactDeletedEvent]
    updated, deleted = contact_events
    assert isinstance(updated, ContactUpdatedEvent) and updated.data.first_name == "Augusta"
    assert isinstance(deleted, ContactDeletedEvent) and deleted.data.id == grace.id
    # The same with a comma-separated string, newest first.
    newest = cos.events.list(type="contact.updated,contact.deleted", order="desc")
    assert [e.id for e in newest.data] == [deleted.id, updated.id]

    # get() answers the typed envelope of its type.
    event: Event = cos.events.get(deleted.id)
    assert isinstance(event, ContactDeletedEvent)
    assert event.to_dict() == deleted.to_dict()

    # Time window: everything above is after `before`, nothing is before it.
    window = [e.id for e in cos.events.list_all(type="contact.created", created_at_gte=before)]
    assert window == [e.id for e in created.data]
    assert list(cos.events.list_all(type="contact.created", created_at_lt=before)) == []
    assert [len(p.data) for p in cos.events.pages(type="contact.created", limit=1)] == [1, 1]


def test_event_type_filter_is_checked_and_events_are_private(
    base_url: str, cos: CampaignOS, public: CampaignOS
) -> None:
    with pytest.raises(CampaignOSError) as info:
        cos.events.list(type=["contact.created", "contact.exploded"])
    assert (info.value.status, info.value.code) == (422, "validation_failed")
    [error] = info.value.errors
    assert (error.field, error.code) == ("type", "unknown_event_type")
    assert "contact.exploded" in error.message

    contact = cos.contacts.create(email="private@example.com")
    [event] = cos.events.list(type="contact.created").data
    assert event.data.id == contact.id
    other = signup(public)
    with CampaignOS(base_url=base_url, access_token=other.session.access_token, **FAST) as stranger:
        assert list(stranger.events.list_all(type="contact.created")) == []
        with pytest.raises(CampaignOSError) as hidden:
            stranger.events.get(event.id)
        assert hidden.value.status == 404


def test_an_import_sends_one_completed_event_with_its_counts(cos: CampaignOS) -> None:
    imported = cos.imports.wait(cos.imports.create(CSV).id, poll_interval=0.05, timeout=30)
    events = list(cos.events.list_all(type=["import.completed", "contact.created"]))
    assert [e.type_ for e in events] == ["import.completed"]  # no event per imported contact
    [done] = events
    assert isinstance(done, ImportCompletedEvent)
    assert (done.data.id, done.data.rows_created, done.data.rows_failed) == (imported.id, 2, 1)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_jobs_and_events(base_url: str, account: Account) -> None:
    async with AsyncCampaignOS(base_url=base_url, access_token=account.session.access_token, **FAST) as acos:
        started = await acos.imports.create(CSV, filename="people.csv")
        await acos.imports.wait(started.id, poll_interval=0.05, timeout=30)
        jobs = [j async for j in acos.jobs.list_all(type="crm.import")]
        assert [j.resource.id for j in jobs if j.resource is not None] == [started.id]
        statuses: list[str] = []

        async def progress(job: JobOut) -> None:
            statuses.append(job.status)

        done = await acos.jobs.wait(jobs[0].id, poll_interval=0.05, timeout=30, on_progress=progress)
        assert done.status == "succeeded" and statuses[-1] == "succeeded"
        assert (await acos.jobs.get(done.id)).id == done.id
        assert [len(p.data) async for p in acos.jobs.pages(limit=1)] == [1]

        contact = await acos.contacts.create(email="async@example.com")
        [event] = [e async for e in acos.events.list_all(type="contact.created")]
        assert isinstance(event, ContactCreatedEvent) and event.data.id == contact.id
        assert (await acos.events.get(event.id)).id == event.id
        assert [e.type_ for e in (await acos.events.list(type="import.completed")).data] == ["import.completed"]


def test_query_parameters_and_wait_timeout_without_a_server() -> None:
    requests: list[httpx.Request] = []
    job = {
        "id": "job_01jdq4m3y7e8f9g0h1j2k3m4n5",
        "type": "crm.import",
        "status": "running",
        "attempts": 1,
        "max_attempts": 3,
        "progress": {"rows_read": 10},
        "resource": {"type": "import", "id": "imp_01jdq4m3y7e8f9g0h1j2k3m4n5"},
        "run_at": "2026-11-28T12:00:00Z",
        "created_at": "2026-11-28T12:00:00Z",
        "started_at": "2026-11-28T12:00:00Z",
        "finished_at": None,
    }

    def server(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        if request.url.path.startswith("/v1/jobs/"):
            return httpx.Response(200, json=job)
        return httpx.Response(200, json={"data": [], "has_more": False, "next_cursor": None})

    with CampaignOS(base_url="http://sdk.test", api_key="cos_x", transport=httpx.MockTransport(server)) as cos:
        since = datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC)
        cos.events.list(type=["contact.created", "contact.deleted"], created_at_gte=since, order="desc", limit=5)
        cos.jobs.list(status="running", type="crm.import")
        seen: list[int] = []
        with pytest.raises(TimeoutError):
            cos.jobs.wait(job["id"], poll_interval=0.01, timeout=0.1, on_progress=lambda j: seen.append(j.attempts))
    events, jobs = requests[0].url.params, requests[1].url.params
    assert events["type"] == "contact.created,contact.deleted"
    assert events["created_at[gte]"] == "2026-11-01T00:00:00+00:00"
    assert (events["order"], events["limit"]) == ("desc", "5")
    assert (jobs["status"], jobs["type"]) == ("running", "crm.import")
    assert len(seen) >= 2 and {r.url.path for r in requests[2:]} == {f"/v1/jobs/{job['id']}"}
