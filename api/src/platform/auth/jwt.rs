//! JWT access tokens: HS256 only (the algorithm is pinned on verification), short-lived, with
//! issuer and audience checked, and the tenant, role and session in the claims.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::Role;
use crate::{
    error::{ApiError, ApiResult},
    platform::ids::{SessionId, TenantId, UserId},
};

const ISSUER: &str = "campaign-os";
const AUDIENCE: &str = "campaign-os-api";

#[derive(Debug, Serialize, Deserialize)]
struct RawClaims {
    iss: String,
    aud: String,
    sub: String,
    tid: String,
    sid: String,
    role: Role,
    iat: i64,
    exp: i64,
}

/// The verified content of an access token.
#[derive(Debug, Clone)]
pub struct AccessClaims {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    pub session_id: SessionId,
    pub role: Role,
}

/// Signs and verifies access tokens.
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    ttl_secs: u64,
}

impl JwtKeys {
    pub fn new(secret: &SecretString, ttl_secs: u64) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            ttl_secs,
        }
    }

    /// Lifetime of an access token, seconds.
    pub fn ttl_secs(&self) -> u64 {
        self.ttl_secs
    }

    /// Issues an access token.
    pub fn issue(&self, user_id: UserId, tenant_id: TenantId, session_id: SessionId, role: Role) -> ApiResult<String> {
        let now = Utc::now().timestamp();
        let claims = RawClaims {
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            sub: user_id.to_string(),
            tid: tenant_id.to_string(),
            sid: session_id.to_string(),
            role,
            iat: now,
            exp: now + i64::try_from(self.ttl_secs).unwrap_or(900),
        };
        encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)
    }

    /// Verifies an access token.
    pub fn verify(&self, token: &str) -> ApiResult<AccessClaims> {
        let data = decode::<RawClaims>(token, &self.decoding, &self.validation).map_err(|e| {
            use jsonwebtoken::errors::ErrorKind;
            match e.kind() {
                ErrorKind::ExpiredSignature => {
                    ApiError::unauthorized("token_expired", "The access token has expired; refresh it.")
                }
                _ => {
                    ApiError::unauthorized("invalid_token", "The bearer token is not a valid access token or API key.")
                }
            }
        })?;
        let c = data.claims;
        let bad = || ApiError::unauthorized("invalid_token", "The access token's claims are malformed.");
        Ok(AccessClaims {
            user_id: UserId::parse(&c.sub).map_err(|_| bad())?,
            tenant_id: TenantId::parse(&c.tid).map_err(|_| bad())?,
            session_id: SessionId::parse(&c.sid).map_err(|_| bad())?,
            role: c.role,
        })
    }
}

/// Audience of MFA challenge tokens: never accepted as access tokens, and access tokens are
/// never accepted as challenges.
const MFA_AUDIENCE: &str = "campaign-os-mfa-challenge";

/// Lifetime of an MFA challenge, seconds.
pub const MFA_CHALLENGE_TTL_SECS: u64 = 300;

#[derive(Debug, Serialize, Deserialize)]
struct RawMfaClaims {
    iss: String,
    aud: String,
    sub: String,
    tid: String,
    jti: String,
    iat: i64,
    exp: i64,
}

/// The verified content of an MFA challenge token (the second step of a login).
#[derive(Debug, Clone)]
pub struct MfaChallengeClaims {
    pub user_id: UserId,
    pub tenant_id: TenantId,
    /// Random id of this challenge (attempt counting, single use).
    pub challenge_id: String,
}

impl JwtKeys {
    /// Issues a challenge token for a user who passed the password step; returns it with its id.
    pub fn issue_mfa_challenge(&self, user_id: UserId, tenant_id: TenantId) -> ApiResult<(String, String)> {
        let now = Utc::now().timestamp();
        let jti = crate::platform::crypto::random_alphanumeric(32);
        let claims = RawMfaClaims {
            iss: ISSUER.into(),
            aud: MFA_AUDIENCE.into(),
            sub: user_id.to_string(),
            tid: tenant_id.to_string(),
            jti: jti.clone(),
            iat: now,
            exp: now + i64::try_from(MFA_CHALLENGE_TTL_SECS).unwrap_or(300),
        };
        let token = encode(&Header::new(Algorithm::HS256), &claims, &self.encoding).map_err(ApiError::internal)?;
        Ok((token, jti))
    }

    /// Verifies an MFA challenge token (HS256, issuer, the challenge audience, no leeway).
    pub fn verify_mfa_challenge(&self, token: &str) -> ApiResult<MfaChallengeClaims> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[MFA_AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        let invalid = || {
            ApiError::unauthorized(
                "invalid_mfa_challenge",
                "The MFA challenge is invalid or has expired; log in again.",
            )
        };
        let c = decode::<RawMfaClaims>(token, &self.decoding, &validation).map_err(|_| invalid())?.claims;
        Ok(MfaChallengeClaims {
            user_id: UserId::parse(&c.sub).map_err(|_| invalid())?,
            tenant_id: TenantId::parse(&c.tid).map_err(|_| invalid())?,
            challenge_id: c.jti,
        })
    }
}

/// The configured secret, or one generated into `data_dir/jwt-secret` (mode 0600) on first use.
pub fn load_or_generate_secret(configured: Option<&SecretString>, data_dir: &Path) -> anyhow::Result<SecretString> {
    if let Some(secret) = configured {
        return Ok(secret.clone());
    }
    let path = data_dir.join("jwt-secret");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let existing = existing.trim().to_owned();
        anyhow::ensure!(existing.len() >= 32, "{} is shorter than 32 bytes; delete it to regenerate", path.display());
        return Ok(SecretString::from(existing));
    }
    std::fs::create_dir_all(data_dir)
        .with_context(|| format!("cannot create data directory {}", data_dir.display()))?;
    let secret = crate::platform::crypto::random_alphanumeric(64);
    write_private(&path, &secret).with_context(|| format!("cannot write {}", path.display()))?;
    tracing::warn!(
        path = %path.display(),
        "no COS_JWT_SECRET configured: generated one into the data directory. Set COS_JWT_SECRET when running several replicas."
    );
    Ok(SecretString::from(secret))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> JwtKeys {
        JwtKeys::new(&SecretString::from(secret.to_owned()), 900)
    }

    #[test]
    fn issues_and_verifies_and_rejects_tampering() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let (u, t, s) = (UserId::generate(), TenantId::generate(), SessionId::generate());
        let token = k.issue(u, t, s, Role::Owner).unwrap();
        let claims = k.verify(&token).unwrap();
        assert_eq!((claims.user_id, claims.tenant_id, claims.session_id, claims.role), (u, t, s, Role::Owner));
        let other = keys("fedcba9876543210fedcba9876543210");
        assert!(other.verify(&token).is_err(), "another secret must not verify");
    }

    #[test]
    fn mfa_challenges_and_access_tokens_are_not_interchangeable() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let (u, t) = (UserId::generate(), TenantId::generate());
        let (challenge, jti) = k.issue_mfa_challenge(u, t).unwrap();
        let claims = k.verify_mfa_challenge(&challenge).unwrap();
        assert_eq!((claims.user_id, claims.tenant_id, claims.challenge_id), (u, t, jti));
        assert!(k.verify(&challenge).is_err(), "a challenge is not an access token");
        let access = k.issue(u, t, SessionId::generate(), Role::Owner).unwrap();
        assert!(k.verify_mfa_challenge(&access).is_err(), "an access token is not a challenge");
    }

    #[test]
    fn refuses_alg_none() {
        let k = keys("0123456789abcdef0123456789abcdef");
        let token = k.issue(UserId::generate(), TenantId::generate(), SessionId::generate(), Role::Owner).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        // {"alg":"none","typ":"JWT"}
        let forged = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(k.verify(&forged).is_err());
    }
}
