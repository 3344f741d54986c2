//! Passwords: the policy, and argon2id hashing (OWASP parameters: 19 MiB, 2 passes, 1 lane)
//! on the blocking pool so that hashing never stalls an HTTP worker.

use std::sync::OnceLock;

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};

use super::email::Email;
use crate::error::{ApiError, ApiResult, FieldError};

pub const MIN_CHARS: usize = 10;
pub const MAX_CHARS: usize = 128;

/// Common passwords that meet the length rule but must still be refused.
const COMMON: &[&str] = &[
    "1234567890",
    "12345678910",
    "123456789012",
    "0123456789",
    "1111111111",
    "qwertyuiop",
    "password12",
    "password123",
    "password1234",
    "passw0rd123",
    "iloveyou12",
    "abcdefghij",
    "qwerty1234",
    "letmein123",
    "welcome123",
    "administrator",
    "changeme123",
    "trustno1234",
];

/// Checks the password policy (NIST SP 800-63B style: length, not common, not the email).
pub fn check_policy(password: &str, email: &Email) -> Result<(), FieldError> {
    let chars = password.chars().count();
    let err = |code: &str, msg: &str| Err(FieldError::new("password", code, msg));
    if chars < MIN_CHARS {
        return err("too_short", "must be at least 10 characters");
    }
    if chars > MAX_CHARS {
        return err("too_long", "must be at most 128 characters");
    }
    if password.trim().is_empty() {
        return err("blank", "must not be only whitespace");
    }
    let lower = password.to_lowercase();
    if COMMON.contains(&lower.as_str()) || lower.chars().all(|c| lower.starts_with(c)) {
        return err("too_common", "is too common; choose a less guessable password");
    }
    let local = email.as_str().split('@').next().unwrap_or_default();
    if lower == email.as_str() || (local.len() >= 4 && lower.contains(local)) {
        return err("contains_email", "must not contain your email address");
    }
    Ok(())
}

/// Hashes a password with argon2id.
pub async fn hash(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default().hash_password(password.as_bytes(), &salt).map(|h| h.to_string())
    })
    .await
    .map_err(ApiError::internal)?
    .map_err(|e| ApiError::internal(anyhow::anyhow!("argon2: {e}")))
}

/// Verifies a password against a stored hash. `None` verifies against a dummy hash so that an
/// unknown email costs the same time as a wrong password.
pub async fn verify(stored: Option<String>, password: String) -> ApiResult<bool> {
    tokio::task::spawn_blocking(move || {
        let stored = stored.unwrap_or_else(|| dummy_hash().to_owned());
        PasswordHash::new(&stored)
            .map(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
    .map_err(ApiError::internal)
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"dummy password for timing equalisation", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy() {
        let email = Email::parse("email", "grace@example.com").unwrap();
        assert!(check_policy("short", &email).is_err());
        assert!(check_policy("password123", &email).is_err());
        assert!(check_policy("aaaaaaaaaaaa", &email).is_err());
        assert!(check_policy("grace-is-my-password", &email).is_err());
        assert!(check_policy(&"x".repeat(129), &email).is_err());
        assert!(check_policy("correct horse battery", &email).is_ok());
    }

    #[tokio::test]
    async fn hash_and_verify() {
        let h = hash("correct horse battery".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify(Some(h.clone()), "correct horse battery".into()).await.unwrap());
        assert!(!verify(Some(h), "wrong horse battery".into()).await.unwrap());
        assert!(!verify(None, "anything at all".into()).await.unwrap());
    }
}
