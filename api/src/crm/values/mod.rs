//! Parsed contact values (parse, don't validate): email, E.164 phone, consent, custom fields.
//! Each parser turns raw input into a type that can only hold a valid value, or a `ValueError`
//! whose `code` is the field error code returned to clients.

pub mod consent;
pub mod custom_fields;
pub mod email;
pub mod phone;

pub use consent::ConsentStatus;
pub use custom_fields::{FieldType, Mode, validate_custom_fields, value_fits};
pub use email::Email;
pub use phone::{PhoneE164, parse_region};

/// Why a raw value was refused: a stable `code` (used as the field error code) and a message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    pub code: &'static str,
    pub message: String,
}

impl ValueError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }

    /// This error as a field error on `field`.
    pub fn on(&self, field: impl Into<String>) -> crate::error::FieldError {
        crate::error::FieldError::new(field, self.code, self.message.clone())
    }
}

impl std::fmt::Display for ValueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ValueError {}
