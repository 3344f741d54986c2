"""Verifying webhook deliveries (Standard Webhooks, https://www.standardwebhooks.com).

Each delivery carries three headers:

* ``webhook-id``: the message id (the same on every retry of one message; use it to deduplicate);
* ``webhook-timestamp``: Unix seconds when it was sent;
* ``webhook-signature``: space-separated ``v1,<base64>`` signatures (several while a secret is
  being rotated).

The signature is HMAC-SHA256 over ``f"{id}.{timestamp}.{body}"``, keyed with the base64-decoded
part of the endpoint secret after ``whsec_``. Verify against the raw body bytes exactly as
received, before any JSON parsing.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

__all__ = ["DEFAULT_TOLERANCE", "WebhookVerificationError", "sign_webhook", "verify_webhook"]

DEFAULT_TOLERANCE = 300
SECRET_PREFIX = "whsec_"


class WebhookVerificationError(Exception):
    """The delivery is not authentic or not fresh; answer it with a 4xx and do not process it.

    ``reason`` is one of ``missing_header``, ``invalid_secret``, ``invalid_timestamp``,
    ``timestamp_too_old``, ``timestamp_too_new``, ``no_matching_signature``, ``invalid_payload``.
    """

    def __init__(self, reason: str, message: str) -> None:
        self.reason = reason
        super().__init__(message)


def _secret_bytes(secret: str | bytes) -> bytes:
    if isinstance(secret, bytes):
        return secret
    encoded = secret[len(SECRET_PREFIX) :] if secret.startswith(SECRET_PREFIX) else secret
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise WebhookVerificationError("invalid_secret", "the webhook secret is not whsec_<base64>") from exc
    if not key:
        raise WebhookVerificationError("invalid_secret", "the webhook secret is empty")
    return key


def _payload_bytes(payload: bytes | bytearray | memoryview | str) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)


def sign_webhook(msg_id: str, timestamp: int | str, payload: bytes | str, secret: str | bytes) -> str:
    """The ``v1,<base64>`` signature of one delivery (what the sender puts in ``webhook-signature``)."""
    content = f"{msg_id}.{timestamp}.".encode() + _payload_bytes(payload)
    digest = hmac.new(_secret_bytes(secret), content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        # Plain dicts are case-sensitive; frameworks' header maps usually are not.
        lowered = name.lower()
        for key, candidate in headers.items():
            if key.lower() == lowered:
                value = candidate
                break
    if value is None or not str(value).strip():
        raise WebhookVerificationError("missing_header", f"missing {name} header")
    return str(value).strip()


def verify_webhook(
    payload: bytes | str,
    headers: Mapping[str, str],
    secret: str | bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> Any:
    """Check a delivery's signature and timestamp; return its parsed JSON body.

    Args:
        payload: the raw request body (bytes as received; a str is encoded as UTF-8).
        headers: the request headers (any mapping; names are matched case-insensitively).
        secret: the endpoint secret, ``whsec_<base64>`` (raw key bytes are accepted too).
        tolerance: how many seconds the timestamp may differ from ``now`` (default 300).
        now: the current Unix time (default ``time.time()``), for tests.

    Raises:
        WebhookVerificationError: a header is missing, the timestamp is outside the tolerance,
            no ``v1`` signature matches, or the body is not JSON.
    """
    msg_id = _header(headers, "webhook-id")
    raw_timestamp = _header(headers, "webhook-timestamp")
    raw_signatures = _header(headers, "webhook-signature")

    try:
        timestamp = int(raw_timestamp)
    except ValueError as exc:
        raise WebhookVerificationError("invalid_timestamp", "webhook-timestamp is not an integer") from exc
    current = time.time() if now is None else now
    if timestamp < current - tolerance:
        raise WebhookVerificationError("timestamp_too_old", "the webhook timestamp is too old")
    if timestamp > current + tolerance:
        raise WebhookVerificationError("timestamp_too_new", "the webhook timestamp is in the future")

    expected = sign_webhook(msg_id, raw_timestamp, payload, secret).split(",", 1)[1].encode("ascii")
    for candidate in raw_signatures.split():
        version, _, signature = candidate.partition(",")
        if version != "v1":
            continue
        if hmac.compare_digest(expected, signature.encode("utf-8", "replace")):
            break
    else:
        raise WebhookVerificationError("no_matching_signature", "no webhook signature matches")

    try:
        return json.loads(_payload_bytes(payload))
    except ValueError as exc:
        raise WebhookVerificationError("invalid_payload", "the webhook body is not JSON") from exc
