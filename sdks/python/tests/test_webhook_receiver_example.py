"""examples/python/webhook_receiver.py: deliveries signed locally with ``sign_webhook`` (valid,
repeated, tampered, stale, unsigned), then a real delivery from the live server."""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from campaign_os import CampaignOS, sign_webhook

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "python" / "webhook_receiver.py"


class ReceiverProcess:
    """The example running on a free port, its output read line by line."""

    def __init__(self, secret: str) -> None:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "CAMPAIGN_OS_WEBHOOK_SECRET": secret}
        self.process = subprocess.Popen(
            [sys.executable, str(EXAMPLE), "--port", "0"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        first = self.line(timeout=30)
        assert first.startswith("listening on http://127.0.0.1:"), first
        self.url = first.removeprefix("listening on ") + "/webhooks"

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def line(self, timeout: float = 10) -> str:
        try:
            return self.lines.get(timeout=timeout)
        except queue.Empty:
            pytest.fail(f"the receiver printed nothing within {timeout} s")

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=10)


@pytest.fixture
def secret() -> str:
    return "whsec_" + base64.b64encode(os.urandom(24)).decode()


@pytest.fixture
def example(secret: str) -> Iterator[ReceiverProcess]:
    receiver = ReceiverProcess(secret)
    try:
        yield receiver
    finally:
        if receiver.process.poll() is None:
            receiver.stop()


def signed(msg_id: str, body: bytes, secret: str, timestamp: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if timestamp is None else timestamp
    return {
        "content-type": "application/json",
        "webhook-id": msg_id,
        "webhook-timestamp": str(ts),
        "webhook-signature": sign_webhook(msg_id, ts, body, secret),
    }


def test_signed_deliveries_are_printed_and_bad_ones_get_400(example: ReceiverProcess, secret: str) -> None:
    data = {"id": "con_01jdq4m3y7e8f9g0h1j2k3m4n5", "email": "ada@example.com"}
    body = json.dumps({"type": "contact.created", "timestamp": "2026-11-28T12:00:00Z", "data": data}).encode()
    with httpx.Client(timeout=10) as http:
        ok = http.post(example.url, content=body, headers=signed("msg_example1", body, secret))
        assert ok.status_code == 204
        assert example.line() == f"msg_example1 contact.created: {json.dumps(data)}"

        # A retry of the same message: accepted, not handled twice.
        again = http.post(example.url, content=body, headers=signed("msg_example1", body, secret))
        assert again.status_code == 204
        assert example.line() == "msg_example1 duplicate: already handled"

        tampered = body.replace(b"ada@", b"eve@")
        refused = http.post(example.url, content=tampered, headers=signed("msg_example2", body, secret))
        assert (refused.status_code, refused.json()) == (400, {"error": "no_matching_signature"})
        assert example.line().startswith("rejected: no_matching_signature")

        stale = signed("msg_example3", body, secret, timestamp=int(time.time()) - 3600)
        assert http.post(example.url, content=body, headers=stale).json() == {"error": "timestamp_too_old"}
        assert example.line().startswith("rejected: timestamp_too_old")

        other = "whsec_" + base64.b64encode(b"another secret of 24 byte").decode()
        forged = http.post(example.url, content=body, headers=signed("msg_example4", body, other))
        assert forged.status_code == 400
        assert example.line().startswith("rejected: no_matching_signature")

        unsigned = http.post(example.url, content=body, headers={"content-type": "application/json"})
        assert (unsigned.status_code, unsigned.json()) == (400, {"error": "missing_header"})
        assert example.line().startswith("rejected: missing_header")
    assert example.stop() == 0


def test_without_a_secret_it_refuses_to_start() -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLE), "--port", "0"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin")},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "CAMPAIGN_OS_WEBHOOK_SECRET" in result.stderr


def test_a_real_delivery_from_the_server(cos: CampaignOS, example: ReceiverProcess, secret: str) -> None:
    cos.webhooks.endpoints.create(url=example.url, secret=secret, event_types=["contact.created"])
    contact = cos.contacts.create(email="receiver@example.com", first_name="Rita")
    line = example.line(timeout=30)
    msg_id, rest = line.split(" ", 1)
    assert msg_id.startswith("msg_"), line
    event_type, data = rest.split(": ", 1)
    assert event_type == "contact.created"
    assert json.loads(data)["id"] == contact.id
