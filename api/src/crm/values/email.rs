//! An email address: trimmed, syntactically valid, at most 254 characters, with a lower-cased
//! `key` used for case-insensitive uniqueness (`contacts.email_key`).

use validator::ValidateEmail;

use super::ValueError;

/// The longest address accepted (RFC 5321 path limit).
pub const MAX_LEN: usize = 254;

/// A valid email address as written (`display`) and its lower-cased `key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    display: String,
    key: String,
}

impl Email {
    /// Parses an address: surrounding whitespace is ignored; the case is kept for display.
    pub fn parse(raw: &str) -> Result<Email, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(ValueError::new("invalid_email", "must not be empty"));
        }
        if s.chars().count() > MAX_LEN {
            return Err(ValueError::new("invalid_email", format!("must be at most {MAX_LEN} characters")));
        }
        if !s.validate_email() {
            return Err(ValueError::new("invalid_email", "is not a valid email address"));
        }
        Ok(Email { display: s.to_owned(), key: s.to_lowercase() })
    }

    /// The address as written (trimmed).
    pub fn display(&self) -> &str {
        &self.display
    }

    /// The lower-cased address: two addresses are the same contact when their keys are equal.
    pub fn key(&self) -> &str {
        &self.key
    }

    /// `(display, key)`.
    pub fn into_parts(self) -> (String, String) {
        (self.display, self.key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_lowercases_the_key() {
        let e = Email::parse("  Ada.Lovelace@Example.COM ").unwrap();
        assert_eq!(e.display(), "Ada.Lovelace@Example.COM");
        assert_eq!(e.key(), "ada.lovelace@example.com");
    }

    #[test]
    fn refuses_bad_addresses() {
        for bad in ["", "   ", "no-at-sign", "a@", "@b.com", "a b@c.com"] {
            assert_eq!(Email::parse(bad).unwrap_err().code, "invalid_email", "{bad:?}");
        }
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long).is_err());
    }
}
