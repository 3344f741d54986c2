"""A real 429 from the server: a second server on the same database limits each API key to 30
requests a minute ($CAMPAIGN_OS_LIMITED_URL). The SDK retries a 429 after its Retry-After."""

from __future__ import annotations

import time
from dataclasses import dataclass

import httpx
import pytest

from campaign_os import CampaignOS, CampaignOSError, parse_retry_after
from conftest import FAST

LIMIT = 30  # the limited server's COS_RATE_LIMIT_API_KEY_PER_MINUTE
CALLS = 36  # past the burst of LIMIT: the last few must wait for the bucket to refill


@dataclass
class Attempt:
    status: int
    retry_after: str | None
    at: float


class Recorder(httpx.BaseTransport):
    """The real transport, recording each attempt. The SDK's retry layer wraps it, so every retry
    shows up here as an attempt of its own."""

    def __init__(self) -> None:
        self._inner = httpx.HTTPTransport()
        self.attempts: list[Attempt] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self._inner.handle_request(request)
        self.attempts.append(Attempt(response.status_code, response.headers.get("retry-after"), time.monotonic()))
        return response

    def close(self) -> None:
        self._inner.close()


def limited_key(cos: CampaignOS) -> str:
    """A fresh key, made on the main server: its bucket on the limited server is full."""
    return cos.api_keys.create(name="rate limited", scopes=["organization:read"]).secret


def test_429s_are_retried_after_retry_after_until_every_call_succeeds(limited_url: str, cos: CampaignOS) -> None:
    recorder = Recorder()
    started = time.monotonic()
    with CampaignOS(base_url=limited_url, api_key=limited_key(cos), max_retries=5, transport=recorder, **FAST) as api:
        names = [api.organizations.get().name for _ in range(CALLS)]
    elapsed = time.monotonic() - started

    assert names == ["Py SDK Test Org"] * CALLS
    statuses = [a.status for a in recorder.attempts]
    assert statuses.count(200) == CALLS
    limited = [i for i, a in enumerate(recorder.attempts) if a.status == 429]
    assert limited, f"no 429 in {CALLS} calls against a limit of {LIMIT}/minute: {statuses}"
    assert set(statuses) == {200, 429}

    waited = 0.0
    for i in limited:
        delay = parse_retry_after(recorder.attempts[i].retry_after)
        assert delay is not None and delay > 0, f"429 without a usable Retry-After: {recorder.attempts[i]}"
        gap = recorder.attempts[i + 1].at - recorder.attempts[i].at
        # FAST backoff would retry within 0.05 s; the wait is Retry-After's.
        assert gap >= delay - 0.05, f"retried {gap:.3f}s after a 429 with Retry-After {delay}"
        waited += delay
    assert waited >= 1.0
    assert elapsed >= waited - 0.1


def test_without_retries_a_429_raises_with_retry_after(limited_url: str, cos: CampaignOS) -> None:
    with CampaignOS(base_url=limited_url, api_key=limited_key(cos), max_retries=0, **FAST) as api:
        with pytest.raises(CampaignOSError) as info:
            for _ in range(LIMIT + 10):
                api.organizations.get()
    err = info.value
    assert err.status == 429
    assert err.code == "rate_limited"
    assert err.retry_after is not None
    delay = parse_retry_after(err.retry_after)
    assert delay is not None and 0 < delay <= 60
    assert err.headers["ratelimit-limit"] == str(LIMIT)
    assert err.headers["ratelimit-remaining"] == "0"
