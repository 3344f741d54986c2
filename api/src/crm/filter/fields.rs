//! The catalogue of filterable contact fields and the operators each accepts.

use super::ast::Op;
use crate::crm::values::FieldType;

/// A filterable field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Id,
    FirstName,
    LastName,
    Email,
    Phone,
    Timezone,
    Locale,
    CompanyId,
    CreatedAt,
    UpdatedAt,
    SmsConsent,
    EmailConsent,
    Tags,
    Segment,
    /// `custom.<key>`; the key matched `^[a-z][a-z0-9_]{0,63}$` (the definition is checked by
    /// the compiler).
    Custom(String),
}

/// The field names, for error messages.
pub const NAMES: &str = "id, first_name, last_name, email, phone, timezone, locale, company_id, created_at, \
                         updated_at, consent.sms, consent.email, tags, segment, custom.<key>";

/// Whether `key` is a well-formed custom field key: `^[a-z][a-z0-9_]{0,63}$`. Only such keys
/// ever reach a JSON path.
pub fn is_valid_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 64
        && bytes[0].is_ascii_lowercase()
        && bytes.iter().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'_')
}

impl Field {
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "id" => Self::Id,
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "timezone" => Self::Timezone,
            "locale" => Self::Locale,
            "company_id" => Self::CompanyId,
            "created_at" => Self::CreatedAt,
            "updated_at" => Self::UpdatedAt,
            "consent.sms" => Self::SmsConsent,
            "consent.email" => Self::EmailConsent,
            "tags" => Self::Tags,
            "segment" => Self::Segment,
            _ => {
                let key = name.strip_prefix("custom.")?;
                if !is_valid_key(key) {
                    return None;
                }
                Self::Custom(key.to_owned())
            }
        })
    }

    /// The operators a built-in field accepts (custom fields depend on their type).
    pub fn ops(&self) -> &'static [Op] {
        use Op::*;
        match self {
            Self::Id => &[Eq, Neq, In, Nin],
            Self::FirstName | Self::LastName | Self::Email | Self::Timezone | Self::Locale => {
                &[Eq, Neq, Gt, Gte, Lt, Lte, In, Nin, Exists, StartsWith]
            }
            Self::Phone => &[Eq, Neq, In, Nin, Exists, StartsWith],
            Self::CompanyId => &[Eq, Neq, In, Nin, Exists],
            Self::CreatedAt | Self::UpdatedAt => &[Eq, Neq, Gt, Gte, Lt, Lte],
            Self::SmsConsent | Self::EmailConsent => &[Eq, Neq, In, Nin],
            Self::Tags => &[Any, All, None, Exists],
            Self::Segment => &[Eq, Neq, In, Nin],
            Self::Custom(_) => &[Eq, Neq, Gt, Gte, Lt, Lte, In, Nin, Exists, StartsWith],
        }
    }
}

/// The operators a custom field of `field_type` accepts.
pub fn custom_ops(field_type: FieldType) -> &'static [Op] {
    use Op::*;
    match field_type {
        FieldType::Text => &[Eq, Neq, Gt, Gte, Lt, Lte, In, Nin, Exists, StartsWith],
        FieldType::Number | FieldType::Date => &[Eq, Neq, Gt, Gte, Lt, Lte, In, Nin, Exists],
        FieldType::Boolean => &[Eq, Neq, Exists],
        FieldType::Select => &[Eq, Neq, In, Nin, Exists],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_keys_are_strict() {
        assert_eq!(Field::parse("custom.plan_2"), Some(Field::Custom("plan_2".into())));
        for bad in [
            "custom.",
            "custom.A",
            "custom.a'b",
            "custom.a b",
            "custom.1a",
            "custom.a-b",
            "custom.a.b",
            "custom.x;DROP",
        ] {
            assert_eq!(Field::parse(bad), None, "{bad}");
        }
        assert!(!is_valid_key(&"a".repeat(65)));
        assert!(is_valid_key(&"a".repeat(64)));
        assert_eq!(Field::parse("consent.sms"), Some(Field::SmsConsent));
        assert_eq!(Field::parse("nope"), None);
    }
}
