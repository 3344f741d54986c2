//! A phone number in E.164 (`+14155552671`), parsed with `phonenumber` (libphonenumber's
//! metadata). A number written without `+` (or an international prefix such as `00`) is read in
//! the tenant's default region; without one it is refused.

use std::str::FromStr;

use phonenumber::{Mode, country::Id, metadata::DATABASE};

use super::ValueError;

/// The longest raw input accepted (formatting characters included).
pub const MAX_RAW_LEN: usize = 40;

/// A valid phone number in E.164 form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneE164(String);

impl PhoneE164 {
    /// Parses `raw`: `+1 415 555 2671`, `(415) 555-2671` (with `default_region` US),
    /// `00 44 20 7946 0958`, `tel:+1-415-555-2671`. Letters, extensions and numbers that are not
    /// valid for their region are refused (`invalid_phone`).
    pub fn parse(raw: &str, default_region: Option<Id>) -> Result<PhoneE164, ValueError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(invalid("must not be empty"));
        }
        if s.chars().count() > MAX_RAW_LEN {
            return Err(invalid(format!("must be at most {MAX_RAW_LEN} characters")));
        }
        let body = s.strip_prefix("tel:").unwrap_or(s);
        if body.chars().any(|c| c.is_alphabetic()) {
            return Err(invalid("must contain only digits, spaces, `+`, `(`, `)`, `-` and `.`"));
        }
        if !body.chars().any(|c| c.is_ascii_digit()) {
            return Err(invalid("is not a phone number"));
        }
        // `00` is the international prefix almost everywhere: read `0044…` as `+44…` when no
        // region is known (with a region, `phonenumber` applies that region's own prefix).
        let digits_start = body.trim_start_matches(|c: char| !c.is_ascii_digit() && c != '+');
        let international = digits_start.starts_with('+');
        let text = if !international && default_region.is_none() && digits_start.starts_with("00") {
            format!("+{}", &digits_start[2..])
        } else {
            body.to_owned()
        };
        if !text.trim_start().starts_with('+') && default_region.is_none() {
            return Err(ValueError::new(
                "invalid_phone",
                "has no country code: write it as +<country code><number>, or set the organisation's default_phone_region",
            ));
        }
        let number = phonenumber::parse(default_region, &text).map_err(|_| invalid("is not a phone number"))?;
        if number.extension().is_some() {
            return Err(invalid("must not have an extension"));
        }
        if !number.is_valid() {
            return Err(invalid("is not a valid phone number for its country"));
        }
        let e164 = number.format().mode(Mode::E164).to_string();
        if e164.len() > 16 {
            return Err(invalid("is too long"));
        }
        Ok(PhoneE164(e164))
    }

    /// A value already stored in E.164 form (read from the database).
    pub fn from_stored(e164: String) -> Self {
        Self(e164)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl std::fmt::Display for PhoneE164 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn invalid(message: impl Into<String>) -> ValueError {
    ValueError::new("invalid_phone", message)
}

/// An ISO 3166-1 alpha-2 region that `phonenumber` has metadata for (case-insensitive), e.g.
/// `US`, `gb`. `None` for anything else.
pub fn parse_region(s: &str) -> Option<Id> {
    let code = s.trim().to_ascii_uppercase();
    if code.len() != 2 {
        return None;
    }
    let id = Id::from_str(&code).ok()?;
    DATABASE.by_id(id.as_ref()).map(|_| id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(s: &str) -> Option<Id> {
        Some(parse_region(s).unwrap())
    }

    #[test]
    fn normalises_to_e164() {
        let cases: &[(&str, Option<&str>, &str)] = &[
            ("+1 415 555 2671", None, "+14155552671"),
            ("+1 (415) 555-2671", Some("GB"), "+14155552671"),
            ("(415) 555-2671", Some("US"), "+14155552671"),
            ("415.555.2671", Some("US"), "+14155552671"),
            ("011 44 20 7946 0958", Some("US"), "+442079460958"),
            ("00 44 20 7946 0958", None, "+442079460958"),
            ("00 44 20 7946 0958", Some("FR"), "+442079460958"),
            ("020 7946 0958", Some("GB"), "+442079460958"),
            ("07400 123456", Some("GB"), "+447400123456"),
            ("06 12 34 56 78", Some("FR"), "+33612345678"),
            ("+33 6 12 34 56 78", Some("US"), "+33612345678"),
            ("tel:+1-415-555-2671", None, "+14155552671"),
            ("  +49 30 901820  ", None, "+4930901820"),
        ];
        for (raw, reg, want) in cases {
            let got = PhoneE164::parse(raw, reg.and_then(region));
            assert_eq!(got.as_ref().map(PhoneE164::as_str), Ok(*want), "{raw:?} in {reg:?}");
        }
    }

    #[test]
    fn refuses_invalid_numbers() {
        let cases: &[(&str, Option<&str>)] = &[
            ("", None),
            ("   ", Some("US")),
            ("1-800-FLOWERS", Some("US")),
            ("+1 415 CALL ME", None),
            ("+1 415", None),
            ("12", Some("US")),
            ("+1 415 555 2671 2671 2671", None),
            ("+44 20 7946 09580000", None),
            ("(415) 555-2671", None),
            ("123 4567", Some("US")),
            ("+1 415 555 2671 ext 12", None),
            ("+999 123 456 789", None),
            ("++--()", None),
            ("0000000000", Some("GB")),
        ];
        for (raw, reg) in cases {
            let got = PhoneE164::parse(raw, reg.and_then(region));
            assert_eq!(got.map_err(|e| e.code), Err("invalid_phone"), "{raw:?} in {reg:?}");
        }
    }

    #[test]
    fn regions() {
        assert_eq!(parse_region("us"), Some(Id::US));
        assert_eq!(parse_region(" GB "), Some(Id::GB));
        assert_eq!(parse_region("XX"), None);
        assert_eq!(parse_region("USA"), None);
        assert_eq!(parse_region(""), None);
    }
}
