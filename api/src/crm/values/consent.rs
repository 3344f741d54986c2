//! Consent per channel (`sms`, `email`): `unknown`, `opted_in` or `opted_out`.
//!
//! Rule for imports (`merge_import`): an existing `opted_out` is never overwritten by an
//! import, and an imported `unknown` never replaces a known status. Only an explicit API change
//! (`POST`/`PATCH /v1/contacts…` with a `consent` object) may move a contact from `opted_out`
//! back to `opted_in`.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::ValueError;

/// A contact's consent on one channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConsentStatus {
    /// Never asked, or not recorded.
    #[default]
    Unknown,
    /// The contact agreed to receive messages on this channel.
    OptedIn,
    /// The contact refused or unsubscribed.
    OptedOut,
}

impl ConsentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unknown => "unknown",
            Self::OptedIn => "opted_in",
            Self::OptedOut => "opted_out",
        }
    }

    /// Parses a stored or imported value (case-insensitive, surrounding spaces ignored).
    pub fn parse(raw: &str) -> Result<Self, ValueError> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "unknown" => Ok(Self::Unknown),
            "opted_in" => Ok(Self::OptedIn),
            "opted_out" => Ok(Self::OptedOut),
            _ => Err(ValueError::new("invalid_consent", "must be `unknown`, `opted_in` or `opted_out`")),
        }
    }

    /// A stored value; anything unexpected reads as `unknown`.
    pub fn from_stored(raw: &str) -> Self {
        Self::parse(raw).unwrap_or_default()
    }
}

/// The status an import leaves: an existing `opted_out` always stays (imports never silently
/// re-subscribe anyone), an incoming `unknown` keeps the current status, otherwise the
/// incoming status wins.
pub fn merge_import(current: ConsentStatus, incoming: ConsentStatus) -> ConsentStatus {
    match (current, incoming) {
        (ConsentStatus::OptedOut, _) => ConsentStatus::OptedOut,
        (current, ConsentStatus::Unknown) => current,
        (_, incoming) => incoming,
    }
}

#[cfg(test)]
mod tests {
    use super::ConsentStatus::*;
    use super::*;

    #[test]
    fn parses_and_prints() {
        for s in [Unknown, OptedIn, OptedOut] {
            assert_eq!(ConsentStatus::parse(s.as_str()).unwrap(), s);
        }
        assert_eq!(ConsentStatus::parse(" Opted_Out ").unwrap(), OptedOut);
        assert_eq!(ConsentStatus::parse("yes").unwrap_err().code, "invalid_consent");
        assert_eq!(ConsentStatus::from_stored("garbage"), Unknown);
    }

    #[test]
    fn imports_never_overwrite_an_opt_out() {
        assert_eq!(merge_import(OptedOut, OptedIn), OptedOut);
        assert_eq!(merge_import(OptedOut, Unknown), OptedOut);
        assert_eq!(merge_import(OptedIn, Unknown), OptedIn);
        assert_eq!(merge_import(OptedIn, OptedOut), OptedOut);
        assert_eq!(merge_import(Unknown, OptedIn), OptedIn);
        assert_eq!(merge_import(Unknown, Unknown), Unknown);
    }
}
