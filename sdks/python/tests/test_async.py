"""The key paths with AsyncCampaignOS (live server and fault proxy), run with anyio's plugin."""

from __future__ import annotations

import time

import httpx
import pytest

from campaign_os import AsyncCampaignOS, CampaignOSConnectionError, CampaignOSError, apaginate
from campaign_os.models import PrincipalType
from conftest import FAST, PASSWORD, Proxy, random_key_id, unique_email

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_signup_login_api_key_and_me(base_url: str) -> None:
    email = unique_email()
    async with AsyncCampaignOS(base_url=base_url, **FAST) as public:
        signed_up = await public.auth.signup(email=email, password=PASSWORD, organization_name="Async Org")
        session = await public.auth.login(email=email, password=PASSWORD)
    assert session.user.id == signed_up.user.id

    async with AsyncCampaignOS(base_url=base_url, access_token=session.access_token, **FAST) as cos:
        me = await cos.me.get()
        assert me.principal_type == PrincipalType.USER
        created = await cos.api_keys.create(name="async robot")

        async with cos.with_credentials(api_key=created.secret) as robot:
            me = await robot.me.get()
        assert me.principal_type == "api_key"
        assert me.api_key is not None and me.api_key.id == created.id
        assert me.organization.id == signed_up.organization.id

        assert (await cos.api_keys.get(created.id)).name == "async robot"
        await cos.api_keys.delete(created.id)
        assert (await cos.api_keys.list()).data == []


async def test_async_pagination(base_url: str) -> None:
    async with AsyncCampaignOS(base_url=base_url, **FAST) as public:
        session = await public.auth.signup(email=unique_email(), password=PASSWORD, organization_name="Pages")
    async with AsyncCampaignOS(base_url=base_url, access_token=session.access_token, **FAST) as cos:
        ids = [(await cos.api_keys.create(name=f"k{i}")).id for i in range(5)]

        seen = [key.id async for key in cos.api_keys.list_all(limit=2)]
        assert seen == ids

        sizes = [len(page.data) async for page in cos.api_keys.pages(limit=2)]
        assert sizes == [2, 2, 1]

        assert [key.id async for key in apaginate(cos.api_keys.list, limit=4)] == ids


async def test_async_typed_errors(base_url: str) -> None:
    async with AsyncCampaignOS(base_url=base_url, **FAST) as public:
        session = await public.auth.signup(email=unique_email(), password=PASSWORD, organization_name="Errors")
        with pytest.raises(CampaignOSError) as info:
            await public.me.get()
        assert info.value.status == 401 and info.value.code == "missing_credentials"

    async with AsyncCampaignOS(base_url=base_url, access_token=session.access_token, **FAST) as cos:
        with pytest.raises(CampaignOSError) as info:
            await cos.api_keys.get(random_key_id())
        assert info.value.status == 404 and info.value.code == "not_found"
        assert info.value.request_id

        with pytest.raises(CampaignOSError) as info:
            await cos.api_keys.create(name="")
        assert info.value.code == "validation_failed"
        assert info.value.errors[0].field == "name"


async def test_async_retries_reuse_the_idempotency_key(base_url: str, proxy_url: str, proxy: Proxy) -> None:
    async with AsyncCampaignOS(base_url=base_url, **FAST) as public:
        session = await public.auth.signup(email=unique_email(), password=PASSWORD, organization_name="Retry")

    proxy.fault(
        {"status": 503, "method": "POST", "path": "/v1/api-keys"},
        {"status": 429, "retry_after": "1", "method": "POST", "path": "/v1/api-keys"},
    )
    async with AsyncCampaignOS(base_url=proxy_url, access_token=session.access_token, **FAST) as cos:
        started = time.monotonic()
        created = await cos.api_keys.create(name="async retried")
        elapsed = time.monotonic() - started
        assert [k.id for k in (await cos.api_keys.list()).data] == [created.id]

    assert elapsed >= 0.95
    attempts = proxy.requests("POST", "/v1/api-keys")
    assert [a["status"] for a in attempts] == [503, 429, 201]
    assert len({a["idempotency_key"] for a in attempts}) == 1
    assert attempts[0]["idempotency_key"] is not None


async def test_async_email_taken_is_not_retried_and_exhaustion_raises(
    base_url: str, proxy_url: str, proxy: Proxy
) -> None:
    email = unique_email()
    async with AsyncCampaignOS(base_url=proxy_url, **FAST) as cos:
        await cos.auth.signup(email=email, password=PASSWORD, organization_name="Once")
        with pytest.raises(CampaignOSError) as info:
            await cos.auth.signup(email=email, password=PASSWORD, organization_name="Twice")
        assert info.value.status == 409 and info.value.code == "email_taken"
        assert len(proxy.requests("POST", "/v1/auth/signup")) == 2

        proxy.fault(*[{"status": 503, "method": "GET", "path": "/healthz"}] * 3)
        with pytest.raises(CampaignOSError) as info:
            await cos.ops.healthz()
        assert info.value.status == 503
        assert len(proxy.requests("GET", "/healthz")) == 3

        proxy.fault(*[{"drop": True, "method": "GET", "path": "/healthz"}] * 3)
        with pytest.raises(CampaignOSConnectionError):
            await cos.ops.healthz()


async def test_async_transport_retries_409_in_use_with_the_same_key() -> None:
    seen: list[httpx.Request] = []
    in_use = {
        "type": "t",
        "title": "Conflict",
        "status": 409,
        "detail": "d",
        "code": "idempotency_key_in_use",
        "request_id": "req_mock",
    }
    taken = {**in_use, "code": "email_taken"}
    created = {
        "id": "key_01h455vb4pex5vsknk084sn02q",
        "name": "n",
        "prefix": "cos_abcdefgh",
        "scopes": ["api_keys:write"],
        "expires_at": None,
        "allowed_organization_ids": None,
        "created_at": "2026-01-01T00:00:00Z",
        "last_used_at": None,
        "last_used_ip": None,
        "previous_secret_expires_at": None,
        "secret": "cos_" + "a" * 40,
    }
    queue = [httpx.Response(409, json=in_use), httpx.Response(201, json=created), httpx.Response(409, json=taken)]

    async def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    async with AsyncCampaignOS(
        base_url="http://mock.invalid", api_key="cos_x", transport=httpx.MockTransport(handler), **FAST
    ) as cos:
        assert (await cos.api_keys.create(name="n")).id == created["id"]
        with pytest.raises(CampaignOSError) as info:
            await cos.api_keys.create(name="n")
    assert info.value.code == "email_taken"
    assert len(seen) == 3
    assert (
        seen[0].headers["idempotency-key"] == seen[1].headers["idempotency-key"] != seen[2].headers["idempotency-key"]
    )
