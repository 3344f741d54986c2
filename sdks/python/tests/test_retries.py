"""Retries, backoff, Retry-After and idempotency keys, through the fault proxy (sync client)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import pytest

from campaign_os import (
    USER_AGENT,
    CampaignOS,
    CampaignOSConnectionError,
    CampaignOSError,
    CampaignOSTimeoutError,
    RetryPolicy,
    parse_retry_after,
)
from conftest import FAST, PASSWORD, Account, Proxy, unique_email


def _uuid4(value: str | None) -> bool:
    try:
        return value is not None and uuid.UUID(value).version == 4
    except ValueError:
        return False


def test_503_then_success_reuses_the_idempotency_key(via_proxy: CampaignOS, proxy: Proxy) -> None:
    proxy.fault({"status": 503, "method": "POST", "path": "/v1/api-keys"})

    created = via_proxy.api_keys.create(name="after a 503")

    assert created.name == "after a 503"
    attempts = proxy.requests("POST", "/v1/api-keys")
    assert [(a["faulted"], a["status"]) for a in attempts] == [(True, 503), (False, 201)]
    keys = {a["idempotency_key"] for a in attempts}
    assert len(keys) == 1 and _uuid4(keys.pop())
    # Exactly one key was created despite the retry.
    assert [k.id for k in via_proxy.api_keys.list().data] == [created.id]


def test_429_with_retry_after_waits_then_succeeds(via_proxy: CampaignOS, proxy: Proxy) -> None:
    proxy.fault({"status": 429, "retry_after": "1", "method": "POST", "path": "/v1/api-keys"})

    started = time.monotonic()
    created = via_proxy.api_keys.create(name="after a 429")
    elapsed = time.monotonic() - started

    assert created.name == "after a 429"
    assert elapsed >= 0.95, f"Retry-After: 1 was not honoured (retried after {elapsed:.3f}s)"
    attempts = proxy.requests("POST", "/v1/api-keys")
    assert [a["status"] for a in attempts] == [429, 201]
    assert attempts[0]["idempotency_key"] == attempts[1]["idempotency_key"] is not None


def test_several_faults_then_success_all_share_one_key(via_proxy: CampaignOS, proxy: Proxy) -> None:
    proxy.fault(
        {"status": 502, "method": "POST", "path": "/v1/api-keys"},
        {"status": 408, "method": "POST", "path": "/v1/api-keys"},
    )
    via_proxy.api_keys.create(name="third time lucky")
    attempts = proxy.requests("POST", "/v1/api-keys")
    assert [a["status"] for a in attempts] == [502, 408, 201]
    assert len({a["idempotency_key"] for a in attempts}) == 1


def test_caller_idempotency_key_is_sent_on_every_attempt(via_proxy: CampaignOS, proxy: Proxy) -> None:
    proxy.fault({"status": 500, "method": "POST", "path": "/v1/api-keys"})
    via_proxy.api_keys.create(name="mine", idempotency_key="my-key-123")
    attempts = proxy.requests("POST", "/v1/api-keys")
    assert [a["idempotency_key"] for a in attempts] == ["my-key-123", "my-key-123"]


def test_each_call_gets_its_own_key_and_gets_have_none(via_proxy: CampaignOS, proxy: Proxy) -> None:
    via_proxy.api_keys.create(name="one")
    via_proxy.api_keys.create(name="two")
    via_proxy.api_keys.list()
    posts = proxy.requests("POST", "/v1/api-keys")
    assert len(posts) == 2 and posts[0]["idempotency_key"] != posts[1]["idempotency_key"]
    assert all(_uuid4(p["idempotency_key"]) for p in posts)
    assert [g["idempotency_key"] for g in proxy.requests("GET", "/v1/api-keys")] == [None]


def test_get_is_retried_on_5xx(via_proxy: CampaignOS, proxy: Proxy, account: Account) -> None:
    proxy.fault({"status": 500, "method": "GET", "path": "/v1/me"})
    me = via_proxy.me.get()
    assert me.user is not None and me.user.email == account.email
    assert [a["status"] for a in proxy.requests("GET", "/v1/me")] == [500, 200]


def test_retries_exhausted_raise_the_last_status(via_proxy: CampaignOS, proxy: Proxy) -> None:
    proxy.fault(
        {"status": 500, "method": "POST", "path": "/v1/api-keys"},
        {"status": 502, "method": "POST", "path": "/v1/api-keys"},
        {"status": 503, "method": "POST", "path": "/v1/api-keys"},
    )
    with pytest.raises(CampaignOSError) as info:
        via_proxy.api_keys.create(name="never")
    err = info.value
    assert err.status == 503  # the last attempt's
    assert err.code == "service_unavailable"
    assert err.request_id == "req_proxy"
    attempts = proxy.requests("POST", "/v1/api-keys")
    assert len(attempts) == 3  # 1 + max_retries (2)
    assert len({a["idempotency_key"] for a in attempts}) == 1
    assert via_proxy.api_keys.list().data == []


def test_max_retries_zero_disables_retries(proxy_url: str, proxy: Proxy, account: Account) -> None:
    proxy.fault({"status": 503, "method": "GET", "path": "/v1/me"})
    with CampaignOS(base_url=proxy_url, access_token=account.session.access_token, max_retries=0) as cos:
        with pytest.raises(CampaignOSError) as info:
            cos.me.get()
    assert info.value.status == 503
    assert len(proxy.requests("GET", "/v1/me")) == 1


def test_other_409s_are_not_retried(via_proxy: CampaignOS, proxy: Proxy) -> None:
    # The proxy's injected 409 has code "conflict", not "idempotency_key_in_use": final.
    proxy.fault({"status": 409, "method": "POST", "path": "/v1/api-keys"})
    with pytest.raises(CampaignOSError) as info:
        via_proxy.api_keys.create(name="conflict")
    assert info.value.status == 409 and info.value.code == "conflict"
    assert len(proxy.requests("POST", "/v1/api-keys")) == 1


def test_4xx_are_not_retried(via_proxy: CampaignOS, proxy: Proxy) -> None:
    with pytest.raises(CampaignOSError) as info:
        via_proxy.api_keys.create(name="")
    assert info.value.status == 422
    assert len(proxy.requests("POST", "/v1/api-keys")) == 1


def test_dropped_connection_is_retried(via_proxy: CampaignOS, proxy: Proxy) -> None:
    proxy.fault({"drop": True, "method": "POST", "path": "/v1/api-keys"})
    created = via_proxy.api_keys.create(name="after a drop")
    attempts = proxy.requests("POST", "/v1/api-keys")
    assert [a["status"] for a in attempts] == [None, 201]
    assert attempts[0]["idempotency_key"] == attempts[1]["idempotency_key"]
    assert [k.id for k in via_proxy.api_keys.list().data] == [created.id]


def test_network_errors_exhausted_raise_connection_error(via_proxy: CampaignOS, proxy: Proxy) -> None:
    proxy.fault(*[{"drop": True, "method": "GET", "path": "/v1/me"}] * 3)
    with pytest.raises(CampaignOSConnectionError) as info:
        via_proxy.me.get()
    err = info.value
    assert isinstance(err, CampaignOSError)
    assert err.status is None and err.code == "network_error"
    assert isinstance(err.__cause__, httpx.TransportError)
    assert len(proxy.requests("GET", "/v1/me")) == 3


def test_connection_refused_is_a_connection_error() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again below: nothing listens there
    with CampaignOS(base_url=f"http://127.0.0.1:{port}", max_retries=1, **FAST) as cos:
        with pytest.raises(CampaignOSConnectionError) as info:
            cos.ops.healthz()
    assert info.value.code == "network_error"
    assert not isinstance(info.value, CampaignOSTimeoutError)


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers (to provoke read timeouts)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()


def test_timeout_raises_timeout_error_after_retries(silent_server: str) -> None:
    with CampaignOS(base_url=silent_server, timeout=0.2, max_retries=1, **FAST) as cos:
        started = time.monotonic()
        with pytest.raises(CampaignOSTimeoutError) as info:
            cos.ops.healthz()
        elapsed = time.monotonic() - started
    assert info.value.code == "timeout"
    assert isinstance(info.value, CampaignOSConnectionError)
    assert isinstance(info.value.__cause__, httpx.TimeoutException)
    assert 0.35 <= elapsed < 5  # two attempts of 0.2 s


# ---- transport-level behaviour the proxy cannot inject (httpx.MockTransport) -----------------


def _problem(status: int, code: str, headers: dict[str, str] | None = None) -> httpx.Response:
    body = {
        "type": f"https://docs.campaign-os.dev/errors/{code}",
        "title": "x",
        "status": status,
        "detail": "d",
        "code": code,
        "request_id": "req_mock",
    }
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json", **(headers or {})})


def _mock_client(responses: list[httpx.Response], seen: list[httpx.Request], **options: object) -> CampaignOS:
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return CampaignOS(
        base_url="http://mock.invalid",
        api_key="cos_test",
        transport=httpx.MockTransport(handler),
        **{**FAST, **options},
    )  # type: ignore[arg-type]


_SESSIONLESS_KEY = {
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


def test_409_idempotency_key_in_use_is_retried_with_the_same_key() -> None:
    seen: list[httpx.Request] = []
    with _mock_client(
        [_problem(409, "idempotency_key_in_use"), httpx.Response(201, json=_SESSIONLESS_KEY)], seen
    ) as cos:
        created = cos.api_keys.create(name="n")
    assert created.id == _SESSIONLESS_KEY["id"]
    assert len(seen) == 2
    assert seen[0].headers["idempotency-key"] == seen[1].headers["idempotency-key"]
    assert seen[0].content == seen[1].content == b'{"name":"n"}'


def test_retry_after_http_date_is_honoured() -> None:
    seen: list[httpx.Request] = []
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    started = time.monotonic()
    with _mock_client(
        [_problem(503, "service_unavailable", {"retry-after": when}), httpx.Response(200, json={"status": "ok"})], seen
    ) as cos:
        assert cos.ops.healthz().status == "ok"
    # An HTTP date has one-second resolution: at least ~1 s of the 2 s must have been waited.
    assert time.monotonic() - started >= 0.9
    assert len(seen) == 2


def test_a_retry_after_beyond_the_cap_is_not_waited_for() -> None:
    seen: list[httpx.Request] = []
    with _mock_client([_problem(429, "rate_limited", {"retry-after": "3600"})], seen) as cos:
        with pytest.raises(CampaignOSError) as info:
            cos.ops.healthz()
    assert info.value.status == 429 and info.value.retry_after == "3600"
    assert len(seen) == 1


def test_default_headers() -> None:
    seen: list[httpx.Request] = []
    with _mock_client([httpx.Response(200, json={"status": "ok"})], seen) as cos:
        cos.ops.healthz()
    assert USER_AGENT.startswith("campaign-os-python/0.1.0 python/3.")
    assert seen[0].headers["user-agent"] == USER_AGENT
    assert seen[0].headers["authorization"] == "Bearer cos_test"
    assert "idempotency-key" not in seen[0].headers


def test_non_problem_error_bodies_still_give_a_typed_error() -> None:
    seen: list[httpx.Request] = []
    with _mock_client([httpx.Response(418, text="<html>teapot</html>")], seen) as cos:
        with pytest.raises(CampaignOSError) as info:
            cos.ops.healthz()
    assert info.value.status == 418
    assert info.value.code == "http_418"
    assert info.value.title == "I'm a Teapot"  # the reason phrase when there is no problem body
    assert info.value.body == b"<html>teapot</html>"


def test_parse_retry_after() -> None:
    assert parse_retry_after("1") == 1.0
    assert parse_retry_after(" 2.5 ") == 2.5
    assert parse_retry_after("-3") == 0.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412470.0) == 10.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412490.0) == 0.0


def test_backoff_is_full_jitter_and_capped() -> None:
    policy = RetryPolicy(max_retries=5, base_delay=0.5, max_delay=4.0)
    for attempt, cap in [(0, 0.5), (1, 1.0), (2, 2.0), (3, 4.0), (6, 4.0)]:
        samples = [policy.backoff(attempt) for _ in range(200)]
        assert all(0 <= s <= cap for s in samples)
        assert max(samples) > cap / 2  # jitter spreads over the whole range
    with pytest.raises(ValueError):
        RetryPolicy(max_retries=-1)


def test_signup_can_be_retried_safely_with_its_key(proxy_url: str, proxy: Proxy) -> None:
    proxy.fault({"status": 503, "method": "POST", "path": "/v1/auth/signup"})
    email = unique_email()
    with CampaignOS(base_url=proxy_url, **FAST) as cos:
        session = cos.auth.signup(email=email, password=PASSWORD, organization_name="Retry Org")
    assert session.user.email == email
    attempts = proxy.requests("POST", "/v1/auth/signup")
    assert [a["status"] for a in attempts] == [503, 201]
    assert attempts[0]["idempotency_key"] == attempts[1]["idempotency_key"]


def test_readyz_returns_the_503_body_without_retrying() -> None:
    seen: list[httpx.Request] = []
    body = {"status": "unavailable", "checks": {"database": "error", "redis": "not_configured"}}
    with _mock_client([httpx.Response(503, json=body)], seen) as cos:
        readiness = cos.ops.readyz()
    assert readiness.status == "unavailable"
    assert readiness.checks.database == "error"
    assert len(seen) == 1
