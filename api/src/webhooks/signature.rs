//! Signing deliveries according to Standard Webhooks (<https://www.standardwebhooks.com>).
//!
//! A delivery carries `webhook-id` (the message id), `webhook-timestamp` (Unix seconds) and
//! `webhook-signature`: space-separated `v1,<base64 HMAC-SHA256>` entries over
//! `"{msg_id}.{timestamp}.{body}"`, keyed with the bytes of the endpoint secret (the base64 after
//! `whsec_`). During a secret rotation both the new and the previous secret sign, and a receiver
//! accepts the delivery if any entry matches.

use std::fmt;

use base64::{Engine, engine::general_purpose::STANDARD};
use ring::hmac;
use subtle::ConstantTimeEq;

use crate::platform::crypto::random_bytes;

const PREFIX: &str = "whsec_";
/// Bytes of a generated secret (what Svix generates).
pub const GENERATED_LEN: usize = 24;
/// Shortest and longest accepted secret, in bytes (after base64 decoding).
pub const MIN_LEN: usize = 24;
pub const MAX_LEN: usize = 64;
/// The signature scheme version this module produces and accepts.
const VERSION: &str = "v1";

/// An endpoint's signing secret: `whsec_` + standard base64 (with padding) of 24 to 64 bytes.
/// `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct EndpointSecret(Vec<u8>);

/// Why a secret was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SecretError {
    #[error("a webhook secret starts with `whsec_`")]
    MissingPrefix,
    #[error("the part after `whsec_` is not standard base64 (with padding)")]
    NotBase64,
    #[error("a webhook secret holds 24 to 64 bytes")]
    BadLength,
}

impl EndpointSecret {
    /// A new random secret of 24 bytes.
    pub fn generate() -> Self {
        Self(random_bytes::<GENERATED_LEN>().to_vec())
    }

    /// Parses `whsec_<base64>`.
    pub fn parse(s: &str) -> Result<Self, SecretError> {
        let encoded = s.strip_prefix(PREFIX).ok_or(SecretError::MissingPrefix)?;
        let bytes = STANDARD.decode(encoded).map_err(|_| SecretError::NotBase64)?;
        Self::from_bytes(bytes)
    }

    /// A secret from its raw bytes (e.g. unsealed from storage).
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, SecretError> {
        if !(MIN_LEN..=MAX_LEN).contains(&bytes.len()) {
            return Err(SecretError::BadLength);
        }
        Ok(Self(bytes))
    }

    /// The raw key bytes (to seal them).
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as shown to its owner: `whsec_<base64>`.
    pub fn expose(&self) -> String {
        format!("{PREFIX}{}", STANDARD.encode(&self.0))
    }

    fn tag(&self, msg_id: &str, timestamp: &str, body: &[u8]) -> hmac::Tag {
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.0);
        let mut ctx = hmac::Context::with_key(&key);
        ctx.update(msg_id.as_bytes());
        ctx.update(b".");
        ctx.update(timestamp.as_bytes());
        ctx.update(b".");
        ctx.update(body);
        ctx.sign()
    }
}

impl fmt::Debug for EndpointSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EndpointSecret(whsec_[redacted])")
    }
}

/// One signature: `v1,<base64 HMAC-SHA256 of "{msg_id}.{timestamp}.{body}">`.
pub fn sign(secret: &EndpointSecret, msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    let tag = secret.tag(msg_id, &timestamp_secs.to_string(), body);
    format!("{VERSION},{}", STANDARD.encode(tag.as_ref()))
}

/// The `webhook-signature` header value: one signature per secret, separated by a space (the
/// current secret and, during a rotation's grace period, the previous one).
pub fn signature_header(secrets: &[&EndpointSecret], msg_id: &str, timestamp_secs: i64, body: &[u8]) -> String {
    secrets.iter().map(|s| sign(s, msg_id, timestamp_secs, body)).collect::<Vec<_>>().join(" ")
}

/// Why a delivery failed verification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error("invalid webhook-timestamp")]
    InvalidTimestamp,
    #[error("webhook-timestamp is too old")]
    TooOld,
    #[error("webhook-timestamp is too far in the future")]
    TooNew,
    #[error("no matching signature")]
    NoMatch,
}

/// Verifies a delivery as a receiver would: `timestamp` and `signatures` are the raw
/// `webhook-timestamp` and `webhook-signature` header values. The timestamp must be within
/// `tolerance_secs` of `now_secs`; any `v1` entry matching (compared in constant time) passes;
/// entries of other versions are ignored.
pub fn verify(
    secret: &EndpointSecret,
    msg_id: &str,
    timestamp: &str,
    signatures: &str,
    body: &[u8],
    now_secs: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    if timestamp.is_empty() || !timestamp.bytes().all(|b| b.is_ascii_digit()) {
        return Err(VerifyError::InvalidTimestamp);
    }
    let sent: i64 = timestamp.parse().map_err(|_| VerifyError::InvalidTimestamp)?;
    if now_secs.saturating_sub(sent) > tolerance_secs {
        return Err(VerifyError::TooOld);
    }
    if sent.saturating_sub(now_secs) > tolerance_secs {
        return Err(VerifyError::TooNew);
    }
    let expected = secret.tag(msg_id, timestamp, body);
    let mut matched = false;
    for entry in signatures.split(' ') {
        let Some((VERSION, encoded)) = entry.split_once(',') else {
            continue;
        };
        if let Ok(candidate) = STANDARD.decode(encoded) {
            // Not short-circuiting: every entry is checked, whichever matches.
            matched |= bool::from(candidate.as_slice().ct_eq(expected.as_ref()));
        }
    }
    if matched { Ok(()) } else { Err(VerifyError::NoMatch) }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The published Standard Webhooks test vectors:
    // - standard-webhooks/standard-webhooks, libraries/python/tests/test_webhooks.py
    //   (`test_sign_function`; the same vector is in the JavaScript, PHP and Svix libraries);
    // - standard-webhooks/standard-webhooks, libraries/rust/src/lib.rs (`test_sign`).
    const VECTORS: [(&str, &str, i64, &str, &str); 2] = [
        (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
        ),
        (
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            r#"{"email":"test@example.com","username":"test_user"}"#,
            "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=",
        ),
    ];

    #[test]
    fn signs_the_standard_webhooks_test_vectors() {
        for (secret, id, ts, body, expected) in VECTORS {
            let secret = EndpointSecret::parse(secret).unwrap();
            assert_eq!(sign(&secret, id, ts, body.as_bytes()), expected);
            verify(&secret, id, &ts.to_string(), expected, body.as_bytes(), ts, 300).unwrap();
        }
    }

    #[test]
    fn verification_refuses_a_wrong_signature_body_id_or_secret() {
        let (secret, id, ts, body, good) = VECTORS[0];
        let secret = EndpointSecret::parse(secret).unwrap();
        let ts_s = ts.to_string();
        // From the Python test suite (`test_invalid_signature_raises_error`): last character changed.
        let bad = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=";
        assert_eq!(verify(&secret, id, &ts_s, bad, body.as_bytes(), ts, 300), Err(VerifyError::NoMatch));
        assert_eq!(verify(&secret, id, &ts_s, good, b"{\"test\": 1}", ts, 300), Err(VerifyError::NoMatch));
        assert_eq!(verify(&secret, "msg_other", &ts_s, good, body.as_bytes(), ts, 300), Err(VerifyError::NoMatch));
        let other = EndpointSecret::parse(VECTORS[1].0).unwrap();
        assert_eq!(verify(&other, id, &ts_s, good, body.as_bytes(), ts, 300), Err(VerifyError::NoMatch));
        // Only `v1` entries count, even when the base64 matches.
        let v2 = good.replacen("v1,", "v2,", 1);
        assert_eq!(verify(&secret, id, &ts_s, &v2, body.as_bytes(), ts, 300), Err(VerifyError::NoMatch));
        assert_eq!(verify(&secret, id, &ts_s, "", body.as_bytes(), ts, 300), Err(VerifyError::NoMatch));
        assert_eq!(verify(&secret, id, &ts_s, "v1,not base64!", body.as_bytes(), ts, 300), Err(VerifyError::NoMatch));
    }

    #[test]
    fn any_matching_entry_of_several_passes() {
        // After `test_multi_sig_payload_is_valid` in the Python test suite.
        let (secret, id, ts, body, good) = VECTORS[0];
        let secret = EndpointSecret::parse(secret).unwrap();
        let header = [
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
            good,
            "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
        ]
        .join(" ");
        verify(&secret, id, &ts.to_string(), &header, body.as_bytes(), ts, 300).unwrap();
    }

    #[test]
    fn timestamps_outside_the_tolerance_are_refused() {
        let (secret, id, ts, body, _) = VECTORS[0];
        let secret = EndpointSecret::parse(secret).unwrap();
        let sig = sign(&secret, id, ts, body.as_bytes());
        let check = |now| verify(&secret, id, &ts.to_string(), &sig, body.as_bytes(), now, 300);
        assert_eq!(check(ts + 300), Ok(()));
        assert_eq!(check(ts - 300), Ok(()));
        assert_eq!(check(ts + 301), Err(VerifyError::TooOld));
        assert_eq!(check(ts - 301), Err(VerifyError::TooNew));
        for bad in ["", "hello", "-1", "1.5", " 1614265330"] {
            assert_eq!(
                verify(&secret, id, bad, &sig, body.as_bytes(), ts, 300),
                Err(VerifyError::InvalidTimestamp),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn a_rotation_header_carries_both_signatures_and_each_secret_verifies_it() {
        let old = EndpointSecret::generate();
        let new = EndpointSecret::generate();
        assert_ne!(old, new);
        let header = signature_header(&[&new, &old], "msg_1", 1_700_000_000, b"{}");
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0], sign(&new, "msg_1", 1_700_000_000, b"{}"));
        assert_eq!(parts[1], sign(&old, "msg_1", 1_700_000_000, b"{}"));
        for secret in [&old, &new] {
            verify(secret, "msg_1", "1700000000", &header, b"{}", 1_700_000_000, 300).unwrap();
        }
        let stranger = EndpointSecret::generate();
        assert!(verify(&stranger, "msg_1", "1700000000", &header, b"{}", 1_700_000_000, 300).is_err());
    }

    #[test]
    fn secrets_are_generated_parsed_and_never_printed() {
        let secret = EndpointSecret::generate();
        let shown = secret.expose();
        assert!(shown.starts_with("whsec_"), "{shown}");
        assert_eq!(shown.len(), "whsec_".len() + 32, "24 bytes are 32 base64 characters");
        assert_eq!(secret.as_bytes().len(), 24);
        assert_eq!(EndpointSecret::parse(&shown).unwrap(), secret);
        assert_eq!(format!("{secret:?}"), "EndpointSecret(whsec_[redacted])");
        assert!(!format!("{secret:?}").contains(&shown[6..]));

        let b64 = |n: usize| STANDARD.encode(vec![7u8; n]);
        assert!(EndpointSecret::parse(&format!("whsec_{}", b64(64))).is_ok());
        assert_eq!(EndpointSecret::parse(&format!("whsec_{}", b64(23))), Err(SecretError::BadLength));
        assert_eq!(EndpointSecret::parse(&format!("whsec_{}", b64(65))), Err(SecretError::BadLength));
        assert_eq!(EndpointSecret::parse(&b64(24)), Err(SecretError::MissingPrefix));
        assert_eq!(EndpointSecret::parse("whsec_not*base64"), Err(SecretError::NotBase64));
        // 25 bytes need padding; without it the value is not standard base64.
        let unpadded = b64(25).trim_end_matches('=').to_owned();
        assert_eq!(EndpointSecret::parse(&format!("whsec_{unpadded}")), Err(SecretError::NotBase64));
        assert!(EndpointSecret::parse(&format!("whsec_{}", b64(25))).is_ok());
    }
}
