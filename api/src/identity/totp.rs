//! Second-factor primitives: TOTP (RFC 6238 with SHA-1, 6 digits, 30-second steps, ±1 step of
//! clock drift) and one-time recovery codes. TOTP secrets are kept sealed (AES-256-GCM under a
//! key derived from the server secret); recovery codes only as SHA-256.

use base64::{Engine, engine::general_purpose::STANDARD};
use totp_rs::{Algorithm, TOTP};

use crate::{
    error::{ApiError, ApiResult},
    platform::crypto::{ServerKeys, constant_time_eq, random_bytes, sha256_hex},
};

pub const DIGITS: usize = 6;
pub const STEP_SECS: u64 = 30;
/// How many recovery codes a user gets.
pub const RECOVERY_CODES: usize = 10;
const ISSUER: &str = "Campaign OS";
const SEAL_CONTEXT: &[u8] = b"totp";
/// Recovery-code alphabet: Crockford base32 in lower case (no i, l, o, u), 5 bits a character.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// A new secret: what the user sees, and the sealed form to store.
pub struct Enrolment {
    pub secret_base32: String,
    pub otpauth_uri: String,
    pub sealed: String,
}

fn totp(secret: Vec<u8>, account: &str) -> ApiResult<TOTP> {
    // The label may not contain ':' (it separates issuer and account in the URI).
    TOTP::new(Algorithm::SHA1, DIGITS, 1, STEP_SECS, secret, Some(ISSUER.to_owned()), account.replace(':', ""))
        .map_err(|e| ApiError::internal(anyhow::anyhow!("TOTP parameters refused: {e:?}")))
}

/// Generates a 160-bit secret for `account` (the user's email address).
pub fn enrol(keys: &ServerKeys, account: &str) -> ApiResult<Enrolment> {
    let secret = random_bytes::<20>().to_vec();
    let t = totp(secret.clone(), account)?;
    Ok(Enrolment { secret_base32: t.get_secret_base32(), otpauth_uri: t.get_url(), sealed: seal(keys, &secret) })
}

fn seal(keys: &ServerKeys, secret: &[u8]) -> String {
    STANDARD.encode(keys.seal(SEAL_CONTEXT, secret))
}

/// The raw secret from its stored, sealed form.
pub fn open(keys: &ServerKeys, sealed: &str) -> ApiResult<Vec<u8>> {
    STANDARD.decode(sealed).ok().and_then(|bytes| keys.open(SEAL_CONTEXT, &bytes)).ok_or_else(|| {
        ApiError::internal(anyhow::anyhow!("a stored TOTP secret cannot be opened (server secret changed?)"))
    })
}

/// Whether `code` looks like a TOTP code (six digits) rather than a recovery code.
pub fn is_totp_code(code: &str) -> bool {
    let code = code.trim();
    code.len() == DIGITS && code.bytes().all(|b| b.is_ascii_digit())
}

/// The time step at which `code` is valid for `secret`: the current step or one either side,
/// and strictly after `last_step` (a code, or an older one, is never accepted twice).
pub fn matching_step(secret: &[u8], code: &str, now_unix: u64, last_step: Option<i64>) -> ApiResult<Option<i64>> {
    if !is_totp_code(code) {
        return Ok(None);
    }
    let code = code.trim();
    let t = totp(secret.to_vec(), "user")?;
    let current = now_unix / STEP_SECS;
    let mut found = None;
    for step in [current.saturating_sub(1), current, current + 1] {
        let step_i64 = i64::try_from(step).unwrap_or(i64::MAX);
        if last_step.is_some_and(|last| step_i64 <= last) {
            continue;
        }
        if constant_time_eq(&t.generate(step * STEP_SECS), code) && found.is_none() {
            found = Some(step_i64);
        }
    }
    Ok(found)
}

/// Ten fresh recovery codes (`xxxx-xxxx-xxxx`, 60 bits each) in display form.
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let bytes = random_bytes::<12>();
            let chars: Vec<char> = bytes.iter().map(|b| ALPHABET[usize::from(b & 0x1f)] as char).collect();
            chars.chunks(4).map(|c| c.iter().collect::<String>()).collect::<Vec<_>>().join("-")
        })
        .collect()
}

/// The stored hash of a recovery code, after normalising what a person may type (case, dashes,
/// spaces). `None` if it cannot be a recovery code.
pub fn recovery_code_hash(code: &str) -> Option<String> {
    let normalised: String = code.chars().filter(|c| !matches!(c, '-' | ' ')).map(|c| c.to_ascii_lowercase()).collect();
    (normalised.len() == 12 && normalised.bytes().all(|b| ALPHABET.contains(&b))).then(|| sha256_hex(&normalised))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_match_once_within_one_step() {
        let keys = ServerKeys::new(b"0123456789abcdef0123456789abcdef");
        let e = enrol(&keys, "ada@example.com").unwrap();
        assert!(e.otpauth_uri.starts_with("otpauth://totp/Campaign%20OS:ada%40example.com?"), "{}", e.otpauth_uri);
        let secret = open(&keys, &e.sealed).unwrap();
        let t = totp(secret.clone(), "x").unwrap();
        let now = 1_700_000_000;
        let code = t.generate(now);
        let step = matching_step(&secret, &code, now, None).unwrap().unwrap();
        assert_eq!(step, i64::try_from(now / STEP_SECS).unwrap());
        assert_eq!(matching_step(&secret, &code, now, Some(step)).unwrap(), None, "replay refused");
        assert!(matching_step(&secret, &t.generate(now - 30), now, None).unwrap().is_some(), "one step back");
        assert!(matching_step(&secret, &t.generate(now - 90), now, None).unwrap().is_none(), "three steps back");
        assert!(matching_step(&secret, "12345", now, None).unwrap().is_none());
    }

    #[test]
    fn recovery_codes_have_sixty_bits_and_normalise() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 14);
            assert_eq!(c.matches('-').count(), 2);
        }
        let hash = recovery_code_hash(&codes[0]).unwrap();
        assert_eq!(recovery_code_hash(&codes[0].to_uppercase().replace('-', " ")).unwrap(), hash);
        assert_eq!(recovery_code_hash("123456"), None);
    }
}
