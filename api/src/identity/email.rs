//! `Email`: a syntactically valid address, trimmed and lower-cased, at most 254 characters.

use validator::ValidateEmail;

use crate::error::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(field: &str, raw: &str) -> Result<Self, FieldError> {
        let s = raw.trim().to_lowercase();
        if s.is_empty() || s.len() > 254 || !s.validate_email() {
            return Err(FieldError::new(field, "email", "must be a valid email address"));
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_and_rejects() {
        assert_eq!(Email::parse("email", "  Ada@Example.COM ").unwrap().as_str(), "ada@example.com");
        assert!(Email::parse("email", "not-an-email").is_err());
        assert!(Email::parse("email", "").is_err());
        assert!(Email::parse("email", &format!("{}@example.com", "a".repeat(250))).is_err());
    }
}
