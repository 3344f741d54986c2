"""Shared fixtures.

Live tests talk to a running server at $CAMPAIGN_OS_BASE_URL and to the fault-injecting proxy
(sdks/testing/fault_proxy.py) in front of it at $CAMPAIGN_OS_PROXY_URL. Each test signs up its own
user (unique email), so tests are independent of each other and of the database's contents.
Some tests also need what scripts/sdk-test sets up beside them: a platform operator
($CAMPAIGN_OS_OPERATOR_EMAIL / $CAMPAIGN_OS_OPERATOR_PASSWORD, made with
`campaign-os admin create-operator`), whose access reads the sandbox mailbox, and a second server
on the same database with a per-API-key limit of 30 requests a minute ($CAMPAIGN_OS_LIMITED_URL).
Webhook tests receive real deliveries on 127.0.0.1 (the `receiver` fixture): the server must accept
http endpoints on loopback (COS_WEBHOOK_ALLOW_HTTP=true, COS_WEBHOOK_ALLOWED_NETWORKS=127.0.0.0/8,
::1/128; scripts/sdk-test sets them).
The proxy's fault queue and request log are global: tests that use them reset them first, and
must not run concurrently with another suite that uses the same proxy.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import queue
import re
import struct
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from campaign_os import CampaignOS, CampaignOSError
from campaign_os.models import SessionOut

PASSWORD = "Plum-Velvet-Orbit-93"

# Fast backoff so that retry tests take milliseconds, not seconds (Retry-After is still honoured).
FAST = {"retry_base_delay": 0.01, "retry_max_delay": 0.05}


def _env(name: str, what: str = "start the server (and the fault proxy) and export it; see test.sh") -> str:
    value = os.environ.get(name)
    if not value:
        pytest.fail(f"${name} is not set: {what}")
    return value.rstrip("/")


@pytest.fixture(scope="session")
def base_url() -> str:
    return _env("CAMPAIGN_OS_BASE_URL")


@pytest.fixture(scope="session")
def proxy_url() -> str:
    return _env("CAMPAIGN_OS_PROXY_URL")


@pytest.fixture(scope="session")
def limited_url() -> str:
    """A second server on the same database whose per-API-key limit is 30 requests a minute."""
    return _env(
        "CAMPAIGN_OS_LIMITED_URL",
        "start a second server on the same database with COS_RATE_LIMIT_API_KEY_PER_MINUTE=30 and "
        "export its URL (scripts/sdk-test does)",
    )


@dataclass(frozen=True)
class OperatorCredentials:
    email: str
    password: str


@pytest.fixture(scope="session")
def operator_credentials() -> OperatorCredentials:
    what = (
        "create a platform operator with `campaign-os admin create-operator --email E --password-stdin` and export "
        "$CAMPAIGN_OS_OPERATOR_EMAIL and $CAMPAIGN_OS_OPERATOR_PASSWORD (scripts/sdk-test does)"
    )
    return OperatorCredentials(
        email=_env("CAMPAIGN_OS_OPERATOR_EMAIL", what), password=_env("CAMPAIGN_OS_OPERATOR_PASSWORD", what)
    )


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


@pytest.fixture
def operator(base_url: str, public: CampaignOS, operator_credentials: OperatorCredentials) -> Iterator[CampaignOS]:
    """A client logged in as the platform operator (admin.* operations, the sandbox mailbox)."""
    session = public.auth.login(email=operator_credentials.email, password=operator_credentials.password)
    assert isinstance(session, SessionOut), "the operator account must not have 2FA on"
    with CampaignOS(base_url=base_url, access_token=session.access_token, **FAST) as client:
        yield client


_INVITATION_TOKEN = re.compile(r"\binv_[A-Za-z0-9]{20,}\b")


def invitation_token(operator: CampaignOS, email: str) -> str:
    """The token of the newest invitation emailed to ``email``, read from the sandbox mailbox."""
    page = operator.admin.list_sandbox_emails(to=email, limit=1)
    assert page.data, f"no sandbox email to {email}"
    message = page.data[0]
    tokens = set(_INVITATION_TOKEN.findall(message.text))
    assert len(tokens) == 1, f"expected one invitation token in {message.subject!r}: {message.text!r}"
    return str(tokens.pop())


def problem(err: CampaignOSError) -> dict[str, Any]:
    """The problem+json body of an API error, parsed (e.g. for ``required_scope``)."""
    body = json.loads(err.body)
    assert isinstance(body, dict), err.body
    return body


TOTP_STEP = 30


def totp(secret_base32: str, step: int) -> str:
    """The TOTP code for time step ``step`` (RFC 6238 over RFC 4226: HMAC-SHA1, 6 digits)."""
    key = base64.b32decode(secret_base32.upper() + "=" * (-len(secret_base32) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def current_step() -> int:
    """The current TOTP time step (the server accepts one step either side, each step once)."""
    return int(time.time()) // TOTP_STEP


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


@dataclass(frozen=True)
class Delivery:
    """One request a :class:`Receiver` got: its path, headers (names lower-cased) and raw body."""

    path: str
    headers: dict[str, str]
    body: bytes


class Receiver:
    """A local HTTP server on 127.0.0.1 (random port) that records every POST, for webhook tests.

    It answers ``status`` (204 unless changed); ``next()`` returns the deliveries in arrival order.
    """

    def __init__(self) -> None:
        self.status = 204
        self._deliveries: queue.Queue[Delivery] = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                receiver._deliveries.put(Delivery(self.path, headers, body))
                self.send_response(receiver.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        """Where to point an endpoint (``http://127.0.0.1:<port>/hooks``)."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/hooks"

    def next(self, timeout: float = 30.0, matching: Callable[[Delivery], bool] | None = None) -> Delivery:
        """The next delivery (skipping those ``matching`` refuses); fails the test after ``timeout`` s."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                pytest.fail(f"no webhook delivery reached {self.url} within {timeout} s")
            try:
                delivery = self._deliveries.get(timeout=remaining)
            except queue.Empty:
                continue
            if matching is None or matching(delivery):
                return delivery

    def pending(self) -> list[Delivery]:
        """The deliveries received and not yet returned by ``next``."""
        out: list[Delivery] = []
        while True:
            try:
                out.append(self._deliveries.get_nowait())
            except queue.Empty:
                return out

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver()
    try:
        yield server
    finally:
        server.close()
