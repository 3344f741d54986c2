"""Webhook endpoints through the SDK (live server): CRUD, PATCH semantics, secrets and rotation,
the URL rules, access control."""

from __future__ import annotations

import base64
import datetime
import os

import pytest

from campaign_os import AsyncCampaignOS, CampaignOS, CampaignOSError
from campaign_os.models import WebhookEndpointList, WebhookEndpointOut, WebhookEndpointSecretOut
from conftest import FAST, Account, signup

URL = "http://127.0.0.1:9/hooks"  # loopback and http are allowed by the test servers' settings


def fresh_secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


def test_endpoint_crud_and_patch_semantics(cos: CampaignOS) -> None:
    created = cos.webhooks.endpoints.create(
        url=URL,
        description="Order sync",
        event_types=("contact.created", "contact.updated", "contact.created"),
        rate_limit_per_second=50,
    )
    assert isinstance(created, WebhookEndpointOut)
    assert created.id.startswith("ep_")
    assert (created.url, created.description, created.enabled, created.disabled_reason) == (
        URL,
        "Order sync",
        True,
        None,
    )
    assert created.event_types == ["contact.created", "contact.updated"]  # kept once each
    assert created.rate_limit_per_second == 50 and created.previous_secret_expires_at is None
    assert "secret" not in created.to_dict()
    assert cos.webhooks.endpoints.get(created.id).to_dict() == created.to_dict()

    # Only the arguments given change; None clears description and rate limit.
    patched = cos.webhooks.endpoints.update(created.id, description=None, rate_limit_per_second=None)
    assert (patched.description, patched.rate_limit_per_second) == (None, None)
    assert (patched.url, patched.event_types, patched.enabled) == (URL, created.event_types, True)
    off = cos.webhooks.endpoints.update(created.id, enabled=False, event_types=[])
    assert (off.enabled, off.disabled_reason, off.event_types) == (False, "manual", [])
    on = cos.webhooks.endpoints.update(created.id, enabled=True, url="http://127.0.0.1:9/other")
    assert (on.enabled, on.disabled_reason, on.url) == (True, None, "http://127.0.0.1:9/other")

    second = cos.webhooks.endpoints.create(url=URL, enabled=False)
    assert (second.enabled, second.event_types, second.description) == (False, [], None)
    page = cos.webhooks.endpoints.list(limit=1)
    assert isinstance(page, WebhookEndpointList)
    assert [e.id for e in page.data] == [created.id] and page.has_more
    assert [e.id for e in cos.webhooks.endpoints.list_all(limit=1)] == [created.id, second.id]
    assert [len(p.data) for p in cos.webhooks.endpoints.pages(limit=1)] == [1, 1]

    cos.webhooks.endpoints.delete(second.id)
    with pytest.raises(CampaignOSError) as info:
        cos.webhooks.endpoints.get(second.id)
    assert (info.value.status, info.value.code) == (404, "not_found")
    assert [e.id for e in cos.webhooks.endpoints.list_all()] == [created.id]


def test_secret_read_and_rotation(cos: CampaignOS) -> None:
    own = fresh_secret()
    endpoint = cos.webhooks.endpoints.create(url=URL, secret=own)
    secret = cos.webhooks.endpoints.get_secret(endpoint.id)
    assert isinstance(secret, WebhookEndpointSecretOut)
    assert secret.key == own

    generated = cos.webhooks.endpoints.create(url=URL)
    key = cos.webhooks.endpoints.get_secret(generated.id).key
    assert key.startswith("whsec_") and len(base64.b64decode(key.removeprefix("whsec_"))) == 24

    # Rotation: a new secret, the old one still signs until previous_secret_expires_at (about 24 h).
    rotated = cos.webhooks.endpoints.rotate_secret(endpoint.id)
    assert rotated.previous_secret_expires_at is not None
    remaining = rotated.previous_secret_expires_at - datetime.datetime.now(datetime.UTC)
    assert datetime.timedelta(hours=23) < remaining <= datetime.timedelta(hours=24, minutes=1)
    new_key = cos.webhooks.endpoints.get_secret(endpoint.id).key
    assert new_key.startswith("whsec_") and new_key != own

    # Or to a secret of your own.
    mine = fresh_secret()
    assert cos.webhooks.endpoints.rotate_secret(endpoint.id, key=mine).previous_secret_expires_at is not None
    assert cos.webhooks.endpoints.get_secret(endpoint.id).key == mine

    with pytest.raises(CampaignOSError) as info:
        cos.webhooks.endpoints.rotate_secret(endpoint.id, key="whsec_dG9vIHNob3J0")  # 9 bytes: too short
    assert info.value.status == 422
    assert [e.code for e in info.value.errors] == ["invalid_secret"]


def test_url_and_event_type_rules(cos: CampaignOS) -> None:
    with pytest.raises(CampaignOSError) as private:
        cos.webhooks.endpoints.create(url="http://10.1.2.3/hooks")  # private and not in the allow-list
    assert (private.value.status, private.value.code) == (422, "validation_failed")
    assert [(e.field, e.code) for e in private.value.errors] == [("url", "url_private_address")]

    with pytest.raises(CampaignOSError) as several:
        cos.webhooks.endpoints.create(url="http://user:pw@127.0.0.1/", event_types=["contact.exploded"])
    fields = {(e.field, e.code) for e in several.value.errors}
    assert ("url", "url_credentials") in fields
    assert ("event_types[0]", "unknown_event_type") in fields
    assert list(cos.webhooks.endpoints.list_all()) == []


def test_access_control(base_url: str, cos: CampaignOS, public: CampaignOS) -> None:
    endpoint = cos.webhooks.endpoints.create(url=URL)

    # Another organisation: 404, like an endpoint that does not exist.
    other = signup(public)
    with CampaignOS(base_url=base_url, access_token=other.session.access_token, **FAST) as stranger:
        for call in (
            lambda: stranger.webhooks.endpoints.get(endpoint.id),
            lambda: stranger.webhooks.endpoints.get_secret(endpoint.id),
            lambda: stranger.webhooks.endpoints.update(endpoint.id, enabled=False),
            lambda: stranger.webhooks.endpoints.delete(endpoint.id),
        ):
            with pytest.raises(CampaignOSError) as info:
                call()
            assert info.value.status == 404
        assert list(stranger.webhooks.endpoints.list_all()) == []

    # A key with webhooks:read lists endpoints but may not read a secret (webhooks:write).
    reader = cos.api_keys.create(name="webhook reader", scopes=["webhooks:read"])
    with cos.with_credentials(api_key=reader.secret) as key:
        assert [e.id for e in key.webhooks.endpoints.list_all()] == [endpoint.id]
        with pytest.raises(CampaignOSError) as denied:
            key.webhooks.endpoints.get_secret(endpoint.id)
        assert (denied.value.status, denied.value.code) == (403, "insufficient_scope")
        with pytest.raises(CampaignOSError) as denied:
            key.webhooks.endpoints.create(url=URL)
        assert denied.value.status == 403


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_async_endpoints(base_url: str, account: Account) -> None:
    async with AsyncCampaignOS(base_url=base_url, access_token=account.session.access_token, **FAST) as acos:
        endpoint = await acos.webhooks.endpoints.create(url=URL, event_types=["contact.deleted"])
        assert (await acos.webhooks.endpoints.get(endpoint.id)).event_types == ["contact.deleted"]
        assert [e.id async for e in acos.webhooks.endpoints.list_all()] == [endpoint.id]
        assert [len(p.data) async for p in acos.webhooks.endpoints.pages()] == [1]
        assert (await acos.webhooks.endpoints.list()).data[0].id == endpoint.id
        assert (await acos.webhooks.endpoints.update(endpoint.id, description="async")).description == "async"
        before = (await acos.webhooks.endpoints.get_secret(endpoint.id)).key
        rotated = await acos.webhooks.endpoints.rotate_secret(endpoint.id)
        assert rotated.previous_secret_expires_at is not None
        assert (await acos.webhooks.endpoints.get_secret(endpoint.id)).key != before
        await acos.webhooks.endpoints.delete(endpoint.id)
        assert [e async for e in acos.webhooks.endpoints.list_all()] == []
