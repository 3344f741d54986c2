//! Prefixed, type-safe ids (TypeID style): `<prefix>_<26 chars of Crockford base32>` over a
//! UUIDv7. The database stores the UUID; the API only ever sees the prefixed string. A string
//! with the wrong prefix is refused with a message naming the expected type.

use std::{borrow::Cow, fmt};

use uuid::Uuid;

const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Encodes a UUID as the 26-character TypeID suffix.
pub fn encode_uuid(uuid: Uuid) -> String {
    let v = uuid.as_u128();
    (0..26).map(|i| ALPHABET[((v >> (5 * (25 - i))) & 0x1f) as usize] as char).collect()
}

/// Decodes a 26-character TypeID suffix.
pub fn decode_suffix(s: &str) -> Option<Uuid> {
    let bytes = s.as_bytes();
    if bytes.len() != 26 || bytes[0] > b'7' {
        return None;
    }
    let mut v: u128 = 0;
    for &b in bytes {
        let idx = ALPHABET.iter().position(|&a| a == b)?;
        v = (v << 5) | idx as u128;
    }
    Some(Uuid::from_u128(v))
}

/// Why a prefixed id was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected {what} id of the form `{prefix}_…` (26 lower-case base32 characters after the underscore)")]
pub struct IdError {
    pub prefix: &'static str,
    pub what: &'static str,
}

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal, $what:literal) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(Uuid);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            pub fn from_uuid(uuid: Uuid) -> Self {
                Self(uuid)
            }

            pub fn uuid(self) -> Uuid {
                self.0
            }

            pub fn parse(s: &str) -> Result<Self, IdError> {
                let err = IdError { prefix: $prefix, what: $what };
                let suffix = s.strip_prefix($prefix).and_then(|r| r.strip_prefix('_')).ok_or(err.clone())?;
                decode_suffix(suffix).map(Self).ok_or(err)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}_{}", $prefix, encode_uuid(self.0))
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(self, f)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <Cow<'de, str>>::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                use utoipa::openapi::schema::{ObjectBuilder, Type};
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .description(Some(concat!("Identifier of ", $what, " (prefix `", $prefix, "_`).")))
                    .pattern(Some(concat!("^", $prefix, "_[0-7][0-9a-hjkmnp-tv-z]{25}$")))
                    .examples([serde_json::json!(concat!($prefix, "_01jdq4m3y7e8f9g0h1j2k3m4n5"))])
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

prefixed_id!(
    /// An organisation (tenant).
    TenantId, "org", "an organisation"
);
prefixed_id!(
    /// A user.
    UserId, "usr", "a user"
);
prefixed_id!(
    /// An API key.
    ApiKeyId, "key", "an API key"
);
prefixed_id!(
    /// A login session (a refresh-token family).
    SessionId, "ses", "a session"
);
prefixed_id!(
    /// An invitation to join an organisation.
    InvitationId, "inv", "an invitation"
);
prefixed_id!(
    /// An audit event.
    AuditEventId, "aud", "an audit event"
);
prefixed_id!(
    /// A message in the sandbox mailbox.
    SandboxEmailId, "eml", "a sandbox email"
);

prefixed_id!(
    /// A contact (a person).
    ContactId, "con", "a contact"
);
prefixed_id!(
    /// A company.
    CompanyId, "com", "a company"
);
prefixed_id!(
    /// A custom field definition.
    FieldId, "fld", "a custom field"
);
prefixed_id!(
    /// A tag.
    TagId, "tag", "a tag"
);
prefixed_id!(
    /// A note on a contact or company.
    NoteId, "note", "a note"
);
prefixed_id!(
    /// A segment of contacts.
    SegmentId, "seg", "a segment"
);
prefixed_id!(
    /// A contact import job.
    ImportId, "imp", "an import"
);
prefixed_id!(
    /// A contact export job.
    ExportId, "exp", "an export"
);
prefixed_id!(
    /// A product.
    ProductId, "prod", "a product"
);
prefixed_id!(
    /// A background job (`GET /v1/jobs`).
    JobId, "job", "a job"
);
prefixed_id!(
    /// A domain event (`GET /v1/events`).
    EventId, "evt", "an event"
);
prefixed_id!(
    /// A webhook endpoint.
    WebhookEndpointId, "ep", "a webhook endpoint"
);
prefixed_id!(
    /// A webhook message (the `webhook-id` of its deliveries).
    WebhookMessageId, "msg", "a webhook message"
);
prefixed_id!(
    /// A webhook delivery attempt.
    WebhookAttemptId, "atm", "a webhook attempt"
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_the_typeid_spec() {
        // Vector from the TypeID spec (valid/typeid.json): nil and max-ish values.
        assert_eq!(encode_uuid(Uuid::nil()), "00000000000000000000000000");
        assert_eq!(encode_uuid(Uuid::max()), "7zzzzzzzzzzzzzzzzzzzzzzzzz");
        let u = Uuid::parse_str("01890a5d-ac96-774b-bcce-b302099a8057").unwrap();
        assert_eq!(encode_uuid(u), "01h455vb4pex5vsknk084sn02q");
        let id = ApiKeyId::generate();
        assert_eq!(ApiKeyId::parse(&id.to_string()).unwrap(), id);
    }

    #[test]
    fn refuses_wrong_prefix_and_bad_suffix() {
        let org = TenantId::generate().to_string();
        let err = ApiKeyId::parse(&org).unwrap_err();
        assert!(err.to_string().contains("`key_…`"), "{err}");
        assert!(ApiKeyId::parse("key_8zzzzzzzzzzzzzzzzzzzzzzzzz").is_err(), "first char above 7 overflows");
        assert!(ApiKeyId::parse("key_0000000000000000000000000u").is_err(), "u is not in the alphabet");
        assert!(ApiKeyId::parse("key_short").is_err());
        assert!(ApiKeyId::parse("KEY_01h455vb4pex5vsknk084sn02q").is_err());
    }
}
