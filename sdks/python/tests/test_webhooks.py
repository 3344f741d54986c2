"""verify_webhook against the Standard Webhooks test vector and its failure modes."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from campaign_os import WebhookVerificationError, sign_webhook, verify_webhook

# The test vector of the Standard Webhooks specification.
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
PAYLOAD = '{"test": 2432232314}'
SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def headers(signature: str = SIGNATURE, timestamp: int = TIMESTAMP, msg_id: str = MSG_ID) -> dict[str, str]:
    return {"webhook-id": msg_id, "webhook-timestamp": str(timestamp), "webhook-signature": signature}


def test_the_vector_matches_a_plain_hmac() -> None:
    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    digest = hmac.new(key, f"{MSG_ID}.{TIMESTAMP}.{PAYLOAD}".encode(), hashlib.sha256).digest()
    assert "v1," + base64.b64encode(digest).decode() == SIGNATURE
    assert sign_webhook(MSG_ID, TIMESTAMP, PAYLOAD, SECRET) == SIGNATURE


def test_valid_delivery_returns_the_parsed_json() -> None:
    assert verify_webhook(PAYLOAD, headers(), SECRET, now=TIMESTAMP) == {"test": 2432232314}
    assert verify_webhook(PAYLOAD.encode(), headers(), SECRET, now=TIMESTAMP) == {"test": 2432232314}


def test_header_names_are_case_insensitive() -> None:
    mixed = {"Webhook-Id": MSG_ID, "WEBHOOK-TIMESTAMP": str(TIMESTAMP), "Webhook-Signature": SIGNATURE}
    assert verify_webhook(PAYLOAD, mixed, SECRET, now=TIMESTAMP) == {"test": 2432232314}


def test_one_matching_signature_among_several_is_enough() -> None:
    other = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
    sig = f"v2,whatever {other} {SIGNATURE} v1a,nonsense"
    assert verify_webhook(PAYLOAD, headers(sig), SECRET, now=TIMESTAMP) == {"test": 2432232314}


def _reason(payload: str, hdrs: dict[str, str], secret: str = SECRET, now: float = TIMESTAMP, **kw: int) -> str:
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(payload, hdrs, secret, now=now, **kw)
    return info.value.reason


def test_wrong_signature_is_rejected() -> None:
    assert _reason(PAYLOAD, headers("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")) == "no_matching_signature"
    assert _reason(PAYLOAD, headers("v1,")) == "no_matching_signature"
    assert _reason(PAYLOAD, headers(SIGNATURE.replace("v1,", "v2,"))) == "no_matching_signature"
    assert _reason(PAYLOAD, headers(SIGNATURE), secret="whsec_" + base64.b64encode(b"another key").decode()) == (
        "no_matching_signature"
    )


def test_tampered_payload_id_or_timestamp_is_rejected() -> None:
    assert _reason('{"test": 2432232315}', headers()) == "no_matching_signature"
    assert _reason(PAYLOAD + " ", headers()) == "no_matching_signature"
    assert _reason(PAYLOAD, headers(msg_id="msg_other")) == "no_matching_signature"
    assert _reason(PAYLOAD, headers(timestamp=TIMESTAMP + 1), now=TIMESTAMP) == "no_matching_signature"


def test_expired_and_future_timestamps_are_rejected() -> None:
    assert _reason(PAYLOAD, headers(), now=TIMESTAMP + 301) == "timestamp_too_old"
    assert _reason(PAYLOAD, headers(), now=TIMESTAMP - 301) == "timestamp_too_new"
    assert _reason(PAYLOAD, headers(), now=TIMESTAMP + 11, tolerance=10) == "timestamp_too_old"
    # Inside the tolerance on both sides.
    assert verify_webhook(PAYLOAD, headers(), SECRET, now=TIMESTAMP + 300)
    assert verify_webhook(PAYLOAD, headers(), SECRET, now=TIMESTAMP - 300)
    # Without now= the real clock is used: a 2021 timestamp is long expired.
    with pytest.raises(WebhookVerificationError):
        verify_webhook(PAYLOAD, headers(), SECRET)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_rejected(missing: str) -> None:
    hdrs = headers()
    del hdrs[missing]
    with pytest.raises(WebhookVerificationError) as info:
        verify_webhook(PAYLOAD, hdrs, SECRET, now=TIMESTAMP)
    assert info.value.reason == "missing_header"
    assert missing in str(info.value)


def test_malformed_inputs_are_rejected() -> None:
    assert _reason(PAYLOAD, headers(timestamp="soon")) == "invalid_timestamp"  # type: ignore[arg-type]
    assert _reason(PAYLOAD, headers(), secret="whsec_not base64!") == "invalid_secret"
    signature = sign_webhook(MSG_ID, TIMESTAMP, "not json", SECRET)
    assert _reason("not json", headers(signature)) == "invalid_payload"


def test_sign_and_verify_round_trip_with_a_fresh_secret() -> None:
    secret = "whsec_" + base64.b64encode(b"0123456789abcdef0123456789abcdef").decode()
    body = b'{"type": "contact.created", "data": {"id": "con_1"}}'
    sig = sign_webhook("msg_1", 1700000000, body, secret)
    hdrs = headers(sig, timestamp=1700000000, msg_id="msg_1")
    assert verify_webhook(body, hdrs, secret, now=1700000000)["type"] == "contact.created"
