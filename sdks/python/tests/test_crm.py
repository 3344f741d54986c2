"""CRM through the SDK (live server): contacts CRUD, filtering and search, pagination over a few
hundred contacts, a CSV import followed to the end, exports, and the other CRM namespaces."""

from __future__ import annotations

import io
from pathlib import Path

import httpx
import pytest

from campaign_os import AsyncCampaignOS, CampaignOS, CampaignOSError
from campaign_os.models import BulkUpsertOut, ConsentStatus, ContactList, ContactOut, ImportOut, ItemStatus
from conftest import FAST, Account, signup


def test_contacts_crud_and_patch_semantics(cos: CampaignOS) -> None:
    created = cos.contacts.create(
        first_name="Ada",
        last_name="Lovelace",
        email="Ada@Example.com",
        phone="+1 415 555 2671",
        consent={"email": {"status": "opted_in", "source": "signup form"}},
    )
    assert isinstance(created, ContactOut)
    assert created.id.startswith("con_")
    assert created.phone == "+14155552671"
    assert created.consent.email.status == ConsentStatus.OPTED_IN
    assert created.consent.sms.status == "unknown"
    assert cos.contacts.get(created.id).to_dict() == created.to_dict()

    # Arguments left out stay, None clears, a value sets.
    patched = cos.contacts.update(created.id, phone=None, first_name="Augusta")
    assert patched.phone is None
    assert (patched.first_name, patched.last_name, patched.email) == ("Augusta", "Lovelace", created.email)

    with pytest.raises(CampaignOSError) as duplicate:
        cos.contacts.create(email="ada@example.COM")
    assert duplicate.value.status == 409
    assert "email" in [e.field for e in duplicate.value.errors]

    with pytest.raises(CampaignOSError) as invalid:
        cos.contacts.create(email="not an email")
    assert invalid.value.status == 422
    assert "email" in [e.field for e in invalid.value.errors]

    page = cos.contacts.list()
    assert isinstance(page, ContactList)
    assert [c.id for c in page.data] == [created.id]

    cos.contacts.delete(created.id)
    with pytest.raises(CampaignOSError) as gone:
        cos.contacts.get(created.id)
    assert gone.value.status == 404


def test_another_organisation_gets_404(base_url: str, cos: CampaignOS, public: CampaignOS) -> None:
    contact = cos.contacts.create(email="private@example.com")
    other = signup(public)
    with CampaignOS(base_url=base_url, access_token=other.session.access_token, **FAST) as stranger:
        with pytest.raises(CampaignOSError) as info:
            stranger.contacts.get(contact.id)
        assert info.value.status == 404


def test_filter_and_search(cos: CampaignOS) -> None:
    cos.tags.create(name="vip", color="#ff8800")
    result = cos.contacts.bulk_upsert(
        [
            {"first_name": "Grace", "last_name": "Hopper", "email": "grace@navy.example", "tags": ["vip"]},
            {"first_name": "Alan", "last_name": "Turing", "email": "alan@bletchley.example"},
            {"first_name": "Grete", "last_name": "Hermann", "email": "grete@example.com", "tags": ["VIP"]},
        ]
    )
    assert isinstance(result, BulkUpsertOut)
    assert (result.created, result.failed) == (3, 0)
    assert [r.status for r in result.results] == [ItemStatus.CREATED] * 3
    grace, alan, grete = (r.id for r in result.results)

    assert {c.id for c in cos.contacts.list_all(filter="tags[any]:vip")} == {grace, grete}
    assert [c.id for c in cos.contacts.list_all(filter="tags[none]:vip")] == [alan]
    assert {c.id for c in cos.contacts.list_all(q="gr")} == {grace, grete}
    assert [c.id for c in cos.contacts.list_all(q="gr", filter="last_name[eq]:Hopper")] == [grace]
    assert [c.first_name for c in cos.contacts.list_all(sort="-last_name")] == ["Alan", "Grace", "Grete"]
    assert cos.segments.preview("tags[any]:vip") == 2

    with pytest.raises(CampaignOSError) as bad:
        cos.contacts.list(filter="tags[any:vip")
    assert bad.value.status == 400
    assert bad.value.code == "invalid_filter"


def test_list_all_over_300_contacts_sees_each_once(cos: CampaignOS) -> None:
    result = cos.contacts.bulk_upsert(
        [{"first_name": f"Person {i}", "email": f"person-{i}@example.com"} for i in range(300)], match_on="email"
    )
    assert (result.created, result.failed) == (300, 0)
    created = {r.id for r in result.results}
    assert len(created) == 300

    seen = [c.id for c in cos.contacts.list_all(limit=50)]
    assert len(seen) == 300
    assert set(seen) == created

    pages = list(cos.contacts.pages(limit=50))
    assert [len(p.data) for p in pages] == [50] * 6
    assert pages[-1].has_more is False

    newest_first = [c.id for c in cos.contacts.list_all(limit=50, sort="-created_at", filter="email[exists]:true")]
    assert len(newest_first) == 300 and set(newest_first) == created

    # Upserting the same emails again updates instead of duplicating.
    again = cos.contacts.bulk_upsert([{"email": "PERSON-7@example.com", "last_name": "Seven"}], match_on="email")
    assert (again.created, again.updated) == (0, 1)
    assert sum(1 for _ in cos.contacts.list_all(limit=100)) == 300


CSV = (
    "First name,E-mail,Mobile\n"
    "Ada,ada@example.com,+44 20 7946 0018\n"
    "Bad,not-an-email,\n"
    "Grace,grace@example.com,\n"
    "Alan,alan@example.com,not a phone\n"
    "Ada again,ADA@example.com,\n"
)
MAPPING = {"First name": "first_name", "E-mail": "email", "Mobile": "phone"}


def test_import_with_progress_and_error_report(cos: CampaignOS, tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(CSV, encoding="utf-8")
    started = cos.imports.create(path, mapping=MAPPING, match_on="email", on_match="upsert")
    assert isinstance(started, ImportOut)
    assert started.id.startswith("imp_")
    assert started.filename == "people.csv"

    seen: list[ImportOut] = []
    done = cos.imports.wait(started.id, poll_interval=0.05, timeout=30, on_progress=seen.append)
    assert done.status == "completed"
    assert seen and seen[-1].to_dict() == done.to_dict()
    assert (done.rows_read, done.rows_created, done.rows_updated, done.rows_skipped, done.rows_failed) == (
        5,
        2,
        1,
        0,
        2,
    )
    assert done.error_report_url

    report = cos.imports.error_report(done.id).strip().splitlines()
    assert report[0] == "row,column,code,reason"
    assert [line.split(",")[0] for line in report[1:]] == ["3", "5"]

    buffer = io.BytesIO()
    written = cos.imports.download_error_report(done.id, buffer)
    assert written == len(buffer.getvalue()) > 0
    assert buffer.getvalue().decode().strip().splitlines() == report

    [ada] = cos.contacts.list_all(q="ada@example.com")
    assert ada.first_name == "Ada again"
    assert [i.id for i in cos.imports.list_all()] == [done.id]


def test_import_from_bytes_and_file_object_and_a_refused_header(cos: CampaignOS, tmp_path: Path) -> None:
    first = cos.imports.create(b"email\none@example.com\n", filename="one.csv")
    path = tmp_path / "two.csv"
    path.write_bytes(b"email,first_name\ntwo@example.com,Two\n")
    with path.open("rb") as handle:
        second = cos.imports.create(handle, on_match="skip")
    assert second.filename == "two.csv"
    for started in (first, second):
        done = cos.imports.wait(started.id, poll_interval=0.05, timeout=30)
        assert (done.status, done.rows_created, done.rows_failed) == ("completed", 1, 0)

    with pytest.raises(CampaignOSError) as refused:
        cos.imports.create(b"email,shoe size\na@example.com,42\n")
    assert refused.value.status == 422


def test_wait_gives_up_after_its_timeout() -> None:
    import_id = "imp_01jdq4m3y7e8f9g0h1j2k3m4n5"
    running = {
        "id": import_id,
        "status": "running",
        "filename": "big.csv",
        "file_size": 1,
        "mapping": {},
        "match_on": "email",
        "on_match": "upsert",
        "rows_read": 10,
        "rows_created": 10,
        "rows_updated": 0,
        "rows_skipped": 0,
        "rows_failed": 0,
        "failure_reason": None,
        "error_report_url": None,
        "created_at": "2026-11-28T06:00:00Z",
        "started_at": "2026-11-28T06:00:00Z",
        "finished_at": None,
    }
    reads: list[str] = []

    def server(request: httpx.Request) -> httpx.Response:
        reads.append(request.url.path)
        return httpx.Response(200, json=running)

    with CampaignOS(base_url="http://sdk.test", api_key="cos_x", transport=httpx.MockTransport(server)) as cos:
        seen: list[int] = []
        with pytest.raises(TimeoutError):
            cos.imports.wait(import_id, poll_interval=0.01, timeout=0.2, on_progress=lambda i: seen.append(i.rows_read))
    assert len(reads) >= 2 and set(reads) == {f"/v1/imports/{import_id}"}
    assert seen == [10] * len(reads)


def test_export_round_trip_to_another_organisation(
    base_url: str, cos: CampaignOS, public: CampaignOS, tmp_path: Path
) -> None:
    cos.contacts.bulk_upsert(
        [{"email": "one@example.com", "first_name": "One"}, {"email": "two@example.com", "first_name": "Two"}]
    )
    started = cos.exports.create(format="csv", filter="first_name[eq]:One")
    done = cos.exports.wait(started.id, poll_interval=0.05, timeout=30)
    assert (done.status, done.rows_written) == ("completed", 1)
    assert b"one@example.com" in cos.exports.download(done.id)
    path = tmp_path / "export.csv"
    assert cos.exports.download_to(done.id, path) == path.stat().st_size > 0

    other = signup(public)
    with CampaignOS(base_url=base_url, access_token=other.session.access_token, **FAST) as second:
        imported = second.imports.wait(second.imports.create(path).id, poll_interval=0.05, timeout=30)
        assert (imported.status, imported.rows_created, imported.rows_failed) == ("completed", 1, 0)
        [one] = second.contacts.list_all()
        assert (one.email, one.first_name) == ("one@example.com", "One")


def test_companies_fields_tags_notes_segments_products(cos: CampaignOS) -> None:
    company = cos.companies.create(name="Acme", domain="acme.io")
    assert cos.companies.update(company.id, domain=None).domain is None
    field = cos.custom_fields.create(object="contact", key="plan", label="Plan", type="select", options=["free", "pro"])
    assert [f.key for f in cos.custom_fields.list_all(object="contact")] == ["plan"]
    vip = cos.tags.create(name="vip")

    contact = cos.contacts.create(email="c@example.com", company_id=company.id, custom_fields={"plan": "pro"})
    assert contact.custom_fields.to_dict() == {"plan": "pro"}
    assert [c.id for c in cos.companies.contacts_all(company.id)] == [contact.id]
    assert [t.name for t in cos.contacts.add_tags(contact.id, ["vip"]).tags] == ["vip"]
    cos.contacts.remove_tag(contact.id, vip.id)
    assert cos.contacts.get(contact.id).tags == []
    tagged = cos.contacts.bulk_tag([contact.id], add=["vip"])
    assert (tagged.updated, tagged.failed) == (1, 0)

    with pytest.raises(CampaignOSError) as refused:
        cos.custom_fields.update(field.id, type="number")
    assert refused.value.status == 409

    note = cos.notes.create_for_contact(contact.id, body="Met at the conference")
    assert cos.notes.update(note.id, body="Met at PyCon").body == "Met at PyCon"
    assert [n.id for n in cos.notes.list_all_for_contact(contact.id)] == [note.id]
    cos.notes.delete(note.id)

    static = cos.segments.create(name="Hand-picked", kind="static")
    assert cos.segments.add_members(static.id, [contact.id]).changed == 1
    assert cos.segments.count(static.id) == 1
    dynamic = cos.segments.create(name="VIPs", kind="dynamic", filter="tags[any]:vip")
    assert [c.id for c in cos.segments.contacts_all(dynamic.id)] == [contact.id]
    assert cos.segments.remove_members(static.id, [contact.id]).changed == 1

    product = cos.products.create(name="Widget", sku="abc-1", price={"amount": 1999, "currency": "EUR"})
    assert (product.price.amount, product.price.currency) == (1999, "EUR")
    with pytest.raises(CampaignOSError) as taken:
        cos.products.create(name="Other", sku="ABC-1", price={"amount": 1, "currency": "EUR"})
    assert taken.value.status == 409
    assert [e.field for e in taken.value.errors] == ["sku"]
    assert cos.products.update(product.id, description="Blue", active=False).active is False
    assert [p.id for p in cos.products.list_all(active=False)] == [product.id]

    assert cos.contacts.bulk_delete("*", dry_run=True).matched == 1


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_import_wait_reports_progress(base_url: str, account: Account) -> None:
    async with AsyncCampaignOS(base_url=base_url, access_token=account.session.access_token, **FAST) as acos:
        started = await acos.imports.create(CSV.encode(), filename="people.csv", mapping=MAPPING)
        statuses: list[str] = []

        async def progress(job: ImportOut) -> None:
            statuses.append(job.status)

        done = await acos.imports.wait(started.id, poll_interval=0.05, timeout=30, on_progress=progress)
        assert done.status == "completed" and statuses[-1] == "completed"
        assert (done.rows_read, done.rows_created, done.rows_updated, done.rows_failed) == (5, 2, 1, 2)
        assert "row,column,code,reason" in await acos.imports.error_report(done.id)
        assert len([c async for c in acos.contacts.list_all(limit=1)]) == 2  # Ada (updated by a later row), Grace

        export = await acos.exports.create(format="csv")
        finished = await acos.exports.wait(export.id, poll_interval=0.05, timeout=30)
        assert (finished.status, finished.rows_written) == ("completed", 2)
        buffer = io.BytesIO()
        assert await acos.exports.download_to(export.id, buffer) == len(buffer.getvalue())
        assert buffer.getvalue() == await acos.exports.download(export.id)
        assert buffer.getvalue().decode().count("@example.com") == 2


def test_an_upload_is_one_multipart_attempt_with_json_options() -> None:
    requests: list[httpx.Request] = []

    def server(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        problem = {"type": "about:blank", "title": "Service Unavailable", "status": 503, "code": "unavailable"}
        return httpx.Response(503, json=problem, headers={"Content-Type": "application/problem+json"})

    with CampaignOS(base_url="http://sdk.test", api_key="cos_x", transport=httpx.MockTransport(server), **FAST) as cos:
        with pytest.raises(CampaignOSError) as info:
            cos.imports.create(b"E-mail\na@example.com\n", filename="a.csv", mapping={"E-mail": "email"})
    assert info.value.status == 503
    assert len(requests) == 1  # not retried: the server does not deduplicate uploads
    [request] = requests
    assert request.url.path == "/v1/imports"
    assert request.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = request.content
    assert b'name="file"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\nE-mail\na@example.com\n' in body
    assert b'name="options"\r\nContent-Type: application/json\r\n\r\n{"mapping": {"E-mail": "email"}}' in body
