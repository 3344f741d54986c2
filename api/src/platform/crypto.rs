//! Small cryptographic helpers: random secrets, SHA-256 digests, constant-time comparison, and
//! `ServerKeys` — keyed MACs and AES-256-GCM sealing under keys derived from the server secret.

use rand::{Rng, distr::Alphanumeric};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// A random alphanumeric string from the thread-local CSPRNG (`len` × ~5.95 bits).
pub fn random_alphanumeric(len: usize) -> String {
    rand::rng().sample_iter(&Alphanumeric).take(len).map(char::from).collect()
}

/// Random bytes from the thread-local CSPRNG.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    rand::rng().fill(&mut out[..]);
    out
}

/// Lower-case hex SHA-256 of `input`.
pub fn sha256_hex(input: &str) -> String {
    let digest = Sha256::digest(input.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two secrets (or digests) in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.as_bytes().ct_eq(b.as_bytes()).into()
}

/// Keys derived from the server secret (`jwt_secret`) for data at rest: `mac` for lookups that must
/// not be guessable offline, `seal`/`open` for secrets stored encrypted (TOTP secrets, stored
/// idempotent responses). Each use passes its own `context`, which selects a derived key.
pub struct ServerKeys {
    root: ring::hmac::Key,
}

impl ServerKeys {
    pub fn new(secret: &[u8]) -> Self {
        Self { root: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, secret) }
    }

    fn derive(&self, context: &[u8]) -> [u8; 32] {
        let tag = ring::hmac::sign(&self.root, context);
        let mut out = [0u8; 32];
        out.copy_from_slice(tag.as_ref());
        out
    }

    /// Lower-case hex HMAC-SHA256 of `data` under the key for `context`.
    pub fn mac_hex(&self, context: &[u8], data: &[u8]) -> String {
        let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &self.derive(context));
        ring::hmac::sign(&key, data).as_ref().iter().map(|b| format!("{b:02x}")).collect()
    }

    fn aead_key(&self, context: &[u8]) -> ring::aead::LessSafeKey {
        let bytes = self.derive(context);
        #[allow(clippy::expect_used)] // 32 bytes is always a valid AES-256 key
        let unbound = ring::aead::UnboundKey::new(&ring::aead::AES_256_GCM, &bytes).expect("32-byte key");
        ring::aead::LessSafeKey::new(unbound)
    }

    /// Encrypts and authenticates `plaintext`: `nonce (12 bytes) || ciphertext || tag`.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Vec<u8> {
        let nonce_bytes = random_bytes::<12>();
        let nonce = ring::aead::Nonce::assume_unique_for_key(nonce_bytes);
        let mut buf = plaintext.to_vec();
        // Sealing only fails for inputs beyond AES-GCM's 64 GiB limit.
        if self.aead_key(context).seal_in_place_append_tag(nonce, ring::aead::Aad::empty(), &mut buf).is_err() {
            return Vec::new();
        }
        let mut out = nonce_bytes.to_vec();
        out.extend_from_slice(&buf);
        out
    }

    /// Decrypts what `seal` produced under the same context; `None` if tampered or another key.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
        if sealed.len() < 12 + 16 {
            return None;
        }
        let (nonce_bytes, rest) = sealed.split_at(12);
        let nonce = ring::aead::Nonce::try_assume_unique_for_key(nonce_bytes).ok()?;
        let mut buf = rest.to_vec();
        let plain = self.aead_key(context).open_in_place(nonce, ring::aead::Aad::empty(), &mut buf).ok()?;
        Some(plain.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealing_round_trips_and_binds_the_context() {
        let keys = ServerKeys::new(b"0123456789abcdef0123456789abcdef");
        let sealed = keys.seal(b"ctx-a", b"secret response");
        assert_eq!(keys.open(b"ctx-a", &sealed).as_deref(), Some(&b"secret response"[..]));
        assert_eq!(keys.open(b"ctx-b", &sealed), None);
        let mut tampered = sealed.clone();
        tampered[20] ^= 1;
        assert_eq!(keys.open(b"ctx-a", &tampered), None);
        assert_ne!(keys.mac_hex(b"a", b"x"), keys.mac_hex(b"b", b"x"));
        assert_eq!(keys.mac_hex(b"a", b"x").len(), 64);
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn random_strings_differ_and_have_the_requested_length() {
        let a = random_alphanumeric(40);
        assert_eq!(a.len(), 40);
        assert_ne!(a, random_alphanumeric(40));
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &random_alphanumeric(40)));
    }
}
