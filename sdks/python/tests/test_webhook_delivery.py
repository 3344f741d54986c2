"""Real webhook deliveries from the running server to a local receiver, checked with the SDK's
verifier and the endpoint secret read through the API."""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Callable
from typing import TypeVar

import pytest

from campaign_os import AsyncCampaignOS, CampaignOS, CampaignOSError, WebhookVerificationError, verify_webhook
from campaign_os.models import (
    WebhookAttemptList,
    WebhookAttemptOut,
    WebhookEventTypeList,
    WebhookMessageList,
    WebhookMessageOut,
    WebhookReplayOut,
)
from conftest import FAST, Account, Delivery, Receiver, signup

T = TypeVar("T")


def eventually(read: Callable[[], T], done: Callable[[T], bool], timeout: float = 20) -> T:
    """Read until ``done`` holds (an attempt is recorded just after the receiver answered)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if done(value):
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"still not done after {timeout} s: {value!r}")
        time.sleep(0.05)


def settled(cos: CampaignOS) -> None:
    """Waits until no delivery job is running: a replay of a message whose delivery is still in
    flight is folded into it (the answer's ``queued`` is then 0)."""
    eventually(lambda: cos.jobs.list(type="webhooks.deliver", status="running").data, lambda running: not running)


def _type(delivery: Delivery) -> str:
    return str(json.loads(delivery.body)["type"])


def test_a_contact_created_is_delivered_signed_with_the_endpoint_secret(cos: CampaignOS, receiver: Receiver) -> None:
    endpoint = cos.webhooks.endpoints.create(url=receiver.url, event_types=["contact.created"])
    secret = cos.webhooks.endpoints.get_secret(endpoint.id).key
    contact = cos.contacts.create(email="delivered@example.com", first_name="Delivered")

    delivery = receiver.next(timeout=30)
    assert delivery.path == "/hooks"
    assert delivery.headers["content-type"].startswith("application/json")
    assert delivery.headers["webhook-id"].startswith("msg_")
    assert abs(int(delivery.headers["webhook-timestamp"]) - time.time()) < 60
    assert [s.split(",", 1)[0] for s in delivery.headers["webhook-signature"].split()] == ["v1"]

    event = verify_webhook(delivery.body, delivery.headers, secret)
    assert event["type"] == "contact.created"
    assert event["data"]["id"] == contact.id
    assert (event["data"]["email"], event["data"]["first_name"]) == ("delivered@example.com", "Delivered")
    # The delivered data is the event of the feed.
    [feed] = cos.events.list(type="contact.created").data
    assert feed.data.id == contact.id

    # A tampered body, another secret, or a stale timestamp fails verification.
    tampered = delivery.body.replace(b"Delivered", b"Tampered!")
    assert tampered != delivery.body
    for payload, headers, key, reason in [
        (tampered, delivery.headers, secret, "no_matching_signature"),
        (delivery.body, delivery.headers, "whsec_" + "A" * 32, "no_matching_signature"),
        (delivery.body, {**delivery.headers, "webhook-id": "msg_other"}, secret, "no_matching_signature"),
    ]:
        with pytest.raises(WebhookVerificationError) as info:
            verify_webhook(payload, headers, key)
        assert info.value.reason == reason
    with pytest.raises(WebhookVerificationError) as late:
        verify_webhook(delivery.body, delivery.headers, secret, now=time.time() + 3600)
    assert late.value.reason == "timestamp_too_old"


def test_the_type_filter_and_a_rotation_that_signs_with_both_secrets(cos: CampaignOS, receiver: Receiver) -> None:
    endpoint = cos.webhooks.endpoints.create(url=receiver.url, event_types=["contact.created", "contact.deleted"])
    old = cos.webhooks.endpoints.get_secret(endpoint.id).key

    first = cos.contacts.create(email="first@example.com")
    cos.contacts.update(first.id, first_name="Changed")  # contact.updated: not subscribed
    delivered = receiver.next()
    assert verify_webhook(delivered.body, delivered.headers, old)["data"]["id"] == first.id

    cos.webhooks.endpoints.rotate_secret(endpoint.id)
    new = cos.webhooks.endpoints.get_secret(endpoint.id).key
    assert new != old
    cos.contacts.delete(first.id)
    rotated = receiver.next()
    assert _type(rotated) == "contact.deleted"  # the update was never sent
    # Two signatures during the grace period: the receiver accepts with either secret.
    assert len(rotated.headers["webhook-signature"].split()) == 2
    assert verify_webhook(rotated.body, rotated.headers, old)["data"]["id"] == first.id
    assert verify_webhook(rotated.body, rotated.headers, new)["data"]["id"] == first.id
    assert rotated.headers["webhook-id"] != delivered.headers["webhook-id"]

    # A disabled endpoint gets nothing.
    cos.webhooks.endpoints.update(endpoint.id, enabled=False)
    cos.contacts.create(email="unsent@example.com")
    time.sleep(1.5)
    assert receiver.pending() == []


def test_messages_attempts_replay_and_test_send(cos: CampaignOS, receiver: Receiver) -> None:
    endpoint = cos.webhooks.endpoints.create(url=receiver.url, event_types=["contact.created"])
    secret = cos.webhooks.endpoints.get_secret(endpoint.id).key
    contact = cos.contacts.create(email="logged@example.com")
    first = receiver.next()

    # The message: the exact body delivered, its id is the webhook-id.
    page = cos.webhooks.messages.list(event_type="contact.created")
    assert isinstance(page, WebhookMessageList)
    [message] = page.data
    assert isinstance(message, WebhookMessageOut)
    assert message.id == first.headers["webhook-id"]
    assert (message.event_type, message.endpoint_id) == ("contact.created", None)
    assert message.payload.to_dict() == json.loads(first.body)
    [feed] = cos.events.list(type="contact.created").data
    assert message.event_id == feed.id and feed.data.id == contact.id
    assert cos.webhooks.messages.get(message.id).to_dict() == message.to_dict()
    assert [m.id for m in cos.webhooks.messages.list_all(limit=1)] == [message.id]

    # Its attempt: recorded with the receiver's answer.
    attempts = eventually(lambda: cos.webhooks.attempts.list_for_message(message.id), lambda p: len(p.data) == 1)
    assert isinstance(attempts, WebhookAttemptList)
    [attempt] = attempts.data
    assert isinstance(attempt, WebhookAttemptOut) and attempt.id.startswith("atm_")
    assert (attempt.endpoint_id, attempt.message_id, attempt.attempt) == (endpoint.id, message.id, 1)
    assert (attempt.status, attempt.trigger, attempt.response_status_code) == ("succeeded", "scheduled", 204)
    assert attempt.url == receiver.url and attempt.error is None and attempt.latency_ms >= 0
    assert cos.webhooks.attempts.get(attempt.id).to_dict() == attempt.to_dict()
    assert [a.id for a in cos.webhooks.attempts.list_all_for_endpoint(endpoint.id, status="succeeded")] == [attempt.id]
    assert list(cos.webhooks.attempts.list_all_for_endpoint(endpoint.id, status="failed")) == []

    # Replay: the same webhook-id and body again, recorded as a manual attempt.
    settled(cos)
    replayed = cos.webhooks.messages.replay(message.id)
    assert isinstance(replayed, WebhookReplayOut) and replayed.queued == 1
    again = receiver.next()
    assert (again.headers["webhook-id"], again.body) == (first.headers["webhook-id"], first.body)
    assert verify_webhook(again.body, again.headers, secret)["data"]["id"] == contact.id
    manual = eventually(
        lambda: list(cos.webhooks.attempts.list_all_for_message(message.id)), lambda items: len(items) == 2
    )
    assert [(a.attempt, a.trigger, a.status) for a in manual][-1][1:] == ("manual", "succeeded")
    settled(cos)
    assert cos.webhooks.messages.replay(message.id, endpoint_id=endpoint.id).queued == 1
    receiver.next()

    # A test message reaches this endpoint whatever its event_types, signed like the others.
    test = cos.webhooks.endpoints.test(endpoint.id)
    assert (test.event_type, test.endpoint_id, test.event_id) == ("webhook.test", endpoint.id, None)
    delivered = receiver.next()
    assert delivered.headers["webhook-id"] == test.id
    body = verify_webhook(delivered.body, delivered.headers, secret)
    assert (body["type"], body["data"]["endpoint_id"]) == ("webhook.test", endpoint.id)
    assert [m.id for m in cos.webhooks.messages.list_all(event_type="webhook.test")] == [test.id]

    # Disabled: replays and test sends are refused until it is enabled again.
    cos.webhooks.endpoints.update(endpoint.id, enabled=False)
    for call in (
        lambda: cos.webhooks.endpoints.test(endpoint.id),
        lambda: cos.webhooks.messages.replay(message.id, endpoint_id=endpoint.id),
        lambda: cos.webhooks.endpoints.replay_failed(endpoint.id, since=datetime.datetime.now(datetime.UTC)),
    ):
        with pytest.raises(CampaignOSError) as info:
            call()
        assert (info.value.status, info.value.code) == (409, "webhook_endpoint_disabled")


def test_a_failed_delivery_is_logged_and_replay_failed_sends_it_again(cos: CampaignOS, receiver: Receiver) -> None:
    since = datetime.datetime.now(datetime.UTC) - datetime.timedelta(seconds=5)
    endpoint = cos.webhooks.endpoints.create(url=receiver.url, event_types=["contact.created"])
    receiver.status = 500
    contact = cos.contacts.create(email="outage@example.com")
    failed = receiver.next()
    attempts = eventually(
        lambda: list(cos.webhooks.attempts.list_all_for_endpoint(endpoint.id, status="failed")), lambda a: len(a) >= 1
    )
    assert (attempts[0].status, attempts[0].response_status_code, attempts[0].attempt) == ("failed", 500, 1)
    failed_id = failed.headers["webhook-id"]
    assert attempts[0].message_id == failed_id

    # The delivery job waits for its retry (5 s after the failure); it is visible in the jobs.
    [job] = eventually(lambda: cos.jobs.list(type="webhooks.deliver", status="retrying").data, bool)
    assert job.resource is not None and (job.resource.type_, job.resource.id) == ("webhook_message", failed_id)

    # The receiver is fixed: everything that failed since `since` goes out again, at once.
    receiver.status = 204
    replay = cos.webhooks.endpoints.replay_failed(endpoint.id, since=since)
    assert replay.queued == 1
    resent = receiver.next(timeout=4)  # before the automatic retry (5 s after the failure) is due
    assert (resent.headers["webhook-id"], resent.body) == (failed.headers["webhook-id"], failed.body)
    assert json.loads(resent.body)["data"]["id"] == contact.id
    eventually(
        lambda: list(cos.webhooks.attempts.list_all_for_endpoint(endpoint.id, status="succeeded")),
        lambda a: len(a) == 1,
    )
    # Nothing has failed since then: nothing to send.
    later = datetime.datetime.now(datetime.UTC)
    assert cos.webhooks.endpoints.replay_failed(endpoint.id, since=later).queued == 0


def test_event_type_catalogue_and_privacy(
    base_url: str, cos: CampaignOS, public: CampaignOS, receiver: Receiver
) -> None:
    catalogue = cos.webhooks.event_types()
    assert isinstance(catalogue, WebhookEventTypeList) and not catalogue.has_more
    by_name = {t.name: t for t in catalogue.data}
    assert {"contact.created", "contact.deleted", "import.completed", "endpoint.disabled"} <= set(by_name)
    assert "webhook.test" not in by_name
    assert by_name["contact.created"].schema_name == "ContactOut"
    schema = by_name["contact.created"].schema.to_dict()
    assert "email" in json.dumps(schema) and "$defs" in schema  # a self-contained JSON Schema
    # The same names as the events feed accepts.
    cos.events.list(type=list(by_name))

    endpoint = cos.webhooks.endpoints.create(url=receiver.url)
    message = cos.webhooks.endpoints.test(endpoint.id)
    receiver.next()
    attempt = eventually(lambda: cos.webhooks.attempts.list_for_message(message.id).data, bool)[0]
    other = signup(public)
    with CampaignOS(base_url=base_url, access_token=other.session.access_token, **FAST) as stranger:
        for call in (
            lambda: stranger.webhooks.messages.get(message.id),
            lambda: stranger.webhooks.messages.replay(message.id),
            lambda: stranger.webhooks.attempts.get(attempt.id),
            lambda: stranger.webhooks.attempts.list_for_message(message.id),
            lambda: stranger.webhooks.attempts.list_for_endpoint(endpoint.id),
            lambda: stranger.webhooks.endpoints.test(endpoint.id),
        ):
            with pytest.raises(CampaignOSError) as info:
                call()
            assert info.value.status == 404
        assert list(stranger.webhooks.messages.list_all()) == []
        assert stranger.webhooks.event_types().to_dict() == catalogue.to_dict()  # the same for everyone


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_delivery_namespaces(base_url: str, account: Account, receiver: Receiver) -> None:
    async with AsyncCampaignOS(base_url=base_url, access_token=account.session.access_token, **FAST) as acos:
        endpoint = await acos.webhooks.endpoints.create(url=receiver.url)
        secret = (await acos.webhooks.endpoints.get_secret(endpoint.id)).key
        test = await acos.webhooks.endpoints.test(endpoint.id)
        delivery = receiver.next()
        assert verify_webhook(delivery.body, delivery.headers, secret)["type"] == "webhook.test"
        assert (await acos.webhooks.messages.get(test.id)).id == test.id
        assert [m.id async for m in acos.webhooks.messages.list_all()] == [test.id]
        assert [len(p.data) async for p in acos.webhooks.messages.pages()] == [1]
        assert (await acos.webhooks.messages.list(event_type="webhook.test")).data[0].id == test.id
        for _ in range(200):
            attempts = [a async for a in acos.webhooks.attempts.list_all_for_message(test.id)]
            if attempts:
                break
            time.sleep(0.05)
        assert [a.status for a in attempts] == ["succeeded"]
        assert (await acos.webhooks.attempts.get(attempts[0].id)).id == attempts[0].id
        assert [a.id async for a in acos.webhooks.attempts.list_all_for_endpoint(endpoint.id)] == [attempts[0].id]
        assert (await acos.webhooks.attempts.list_for_endpoint(endpoint.id, status="failed")).data == []
        while (await acos.jobs.list(type="webhooks.deliver", status="running")).data:
            time.sleep(0.05)
        assert (await acos.webhooks.messages.replay(test.id, endpoint_id=endpoint.id)).queued == 1
        receiver.next()
        since = datetime.datetime.now(datetime.UTC)
        assert (await acos.webhooks.endpoints.replay_failed(endpoint.id, since=since)).queued == 0
        assert "contact.created" in [t.name for t in (await acos.webhooks.event_types()).data]
