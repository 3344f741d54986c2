"""Shared fixtures.

Live tests talk to a running server at $CAMPAIGN_OS_BASE_URL and to the fault-injecting proxy
(sdks/testing/fault_proxy.py) in front of it at $CAMPAIGN_OS_PROXY_URL. Each test signs up its own
user (unique email), so tests are independent of each other and of the database's contents.
The proxy's fault queue and request log are global: tests that use them reset them first, and
must not run concurrently with another suite that uses the same proxy.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from campaign_os import CampaignOS
from campaign_os.models import SessionOut

PASSWORD = "Plum-Velvet-Orbit-93"

# Fast backoff so that retry tests take milliseconds, not seconds (Retry-After is still honoured).
FAST = {"retry_base_delay": 0.01, "retry_max_delay": 0.05}


def _env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set: start the server (and the fault proxy) and export it; see test.sh")
    return value.rstrip("/")


@pytest.fixture(scope="session")
def base_url() -> str:
    return _env("CAMPAIGN_OS_BASE_URL")


@pytest.fixture(scope="session")
def proxy_url() -> str:
    return _env("CAMPAIGN_OS_PROXY_URL")


def unique_email() -> str:
    return f"py-sdk-{uuid.uuid4().hex}@example.com"


@dataclass
class Account:
    email: str
    password: str
    session: SessionOut


def signup(cos: CampaignOS) -> Account:
    email = unique_email()
    session = cos.auth.signup(email=email, password=PASSWORD, organization_name="Py SDK Test Org", name="Py Test")
    return Account(email=email, password=PASSWORD, session=session)


@pytest.fixture
def public(base_url: str) -> Iterator[CampaignOS]:
    """A client without credentials, straight to the server."""
    with CampaignOS(base_url=base_url, **FAST) as cos:
        yield cos


@pytest.fixture
def account(public: CampaignOS) -> Account:
    return signup(public)


@pytest.fixture
def cos(base_url: str, account: Account) -> Iterator[CampaignOS]:
    """A client authenticated with a fresh user's access token, straight to the server."""
    with CampaignOS(base_url=base_url, access_token=account.session.access_token, **FAST) as client:
        yield client


class Proxy:
    """Control API of sdks/testing/fault_proxy.py."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._http = httpx.Client(base_url=url, timeout=10)

    def reset(self) -> None:
        self._http.post("/__proxy/reset").raise_for_status()

    def fault(self, *faults: dict[str, Any]) -> None:
        self._http.post("/__proxy/faults", json={"faults": list(faults)}).raise_for_status()

    def requests(self, method: str | None = None, path: str | None = None) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = self._http.get("/__proxy/requests").json()["requests"]
        return [e for e in entries if (method is None or e["method"] == method) and (path is None or e["path"] == path)]

    def close(self) -> None:
        self._http.close()


@pytest.fixture
def proxy(proxy_url: str) -> Iterator[Proxy]:
    control = Proxy(proxy_url)
    control.reset()
    try:
        yield control
    finally:
        control.reset()
        control.close()


@pytest.fixture
def via_proxy(proxy_url: str, account: Account, proxy: Proxy) -> Iterator[CampaignOS]:
    """An authenticated client whose requests go through the fault proxy."""
    with CampaignOS(base_url=proxy_url, access_token=account.session.access_token, **FAST) as client:
        yield client


def random_key_id() -> str:
    """A well-formed API key id that does not exist (`key_` + 26 Crockford base32, first char 0–7)."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    raw = uuid.uuid4().int
    chars = [alphabet[(raw >> (5 * i)) & 31] for i in range(25)]
    return "key_0" + "".join(chars)
