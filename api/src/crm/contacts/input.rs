//! Turns contact input (`ContactIn`, `ContactPatch`) into checked values. Checks that need no
//! database (lengths, email, phone, time zone, locale, consent) live here; the caller adds the
//! ones that do (custom fields, company, tags). Field errors use paths relative to the contact.

use chrono::{DateTime, Utc};
use phonenumber::country::Id as Region;

use super::dto::{ChannelConsentIn, ConsentIn, MAX_TAGS};
use crate::{
    crm::values::{ConsentStatus, Email, PhoneE164},
    error::FieldError,
    platform::patch::Patch,
};

pub const MAX_NAME: usize = 100;
pub const MAX_TIMEZONE: usize = 64;
pub const MAX_LOCALE: usize = 35;
pub const MAX_CONSENT_SOURCE: usize = 64;
pub const MAX_TAG_REF: usize = 100;

/// Collects field errors while parsing.
#[derive(Debug, Default)]
pub struct Errors(pub Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, field: impl Into<String>, code: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, code, message));
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A trimmed text of at most `max` characters; empty reads as absent.
pub fn text(errors: &mut Errors, field: &str, raw: Option<String>, max: usize) -> Option<String> {
    let value = raw.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty())?;
    if value.chars().count() > max {
        errors.push(field, "length", format!("must be at most {max} characters"));
        return None;
    }
    Some(value)
}

/// A blank string is refused like any other invalid address (omit the field, or send `null` in a
/// PATCH, to leave it empty).
pub fn email(errors: &mut Errors, raw: Option<String>) -> Option<Email> {
    let raw = raw?;
    Email::parse(&raw).map_err(|e| errors.0.push(e.on("email"))).ok()
}

/// A blank string is refused like any other invalid number.
pub fn phone(errors: &mut Errors, raw: Option<String>, region: Option<Region>) -> Option<PhoneE164> {
    let raw = raw?;
    PhoneE164::parse(&raw, region).map_err(|e| errors.0.push(e.on("phone"))).ok()
}

/// `UTC` or an IANA `Area/Location` name (letters, digits, `_`, `+`, `-` in each part).
pub fn is_timezone(s: &str) -> bool {
    if s == "UTC" {
        return true;
    }
    let mut parts = s.split('/');
    let area_ok = parts.next().is_some_and(|a| {
        a.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && a.chars().all(|c| c.is_ascii_alphabetic())
    });
    let rest: Vec<&str> = parts.collect();
    area_ok
        && !rest.is_empty()
        && rest.iter().all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c)))
}

pub fn timezone(errors: &mut Errors, raw: Option<String>) -> Option<String> {
    let value = text(errors, "timezone", raw, MAX_TIMEZONE)?;
    if !is_timezone(&value) {
        errors.push("timezone", "invalid_timezone", "must be an IANA time zone name such as `Europe/Paris`, or `UTC`");
        return None;
    }
    Some(value)
}

/// A BCP 47-style tag: a 2–3 (or 5–8) letter language, then subtags of 1–8 letters or digits,
/// separated by `-`.
pub fn is_locale(s: &str) -> bool {
    let mut parts = s.split('-');
    let lang_ok =
        parts.next().is_some_and(|l| matches!(l.len(), 2 | 3 | 5..=8) && l.chars().all(|c| c.is_ascii_alphabetic()));
    lang_ok && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

pub fn locale(errors: &mut Errors, raw: Option<String>) -> Option<String> {
    let value = text(errors, "locale", raw, MAX_LOCALE)?;
    if !is_locale(&value) {
        errors.push("locale", "invalid_locale", "must be a BCP 47 language tag such as `en` or `pt-BR`");
        return None;
    }
    Some(value)
}

/// A consent change on one channel: the status, its source and when it was set.
#[derive(Debug, Clone)]
pub struct ConsentChange {
    pub status: ConsentStatus,
    pub source: Option<String>,
    pub at: DateTime<Utc>,
}

fn channel(
    errors: &mut Errors,
    name: &str,
    raw: Option<ChannelConsentIn>,
    now: DateTime<Utc>,
) -> Option<ConsentChange> {
    let raw = raw?;
    let source = text(errors, &format!("consent.{name}.source"), raw.source, MAX_CONSENT_SOURCE);
    Some(ConsentChange { status: raw.status, source, at: now })
}

/// Consent changes for `(sms, email)`.
pub fn consent(
    errors: &mut Errors,
    raw: Option<ConsentIn>,
    now: DateTime<Utc>,
) -> (Option<ConsentChange>, Option<ConsentChange>) {
    let raw = raw.unwrap_or_default();
    (channel(errors, "sms", raw.sms, now), channel(errors, "email", raw.email, now))
}

/// Tag references (ids or names), trimmed, at most `MAX_TAGS`, duplicates dropped.
pub fn tag_refs(errors: &mut Errors, field: &str, raw: Vec<String>) -> Vec<String> {
    if raw.len() > MAX_TAGS {
        errors.push(field, "length", format!("must hold at most {MAX_TAGS} tags"));
        return Vec::new();
    }
    let mut out: Vec<String> = Vec::new();
    for (i, r) in raw.into_iter().enumerate() {
        let r = r.trim().to_owned();
        if r.is_empty() || r.chars().count() > MAX_TAG_REF {
            errors.push(format!("{field}[{i}]"), "length", format!("must be between 1 and {MAX_TAG_REF} characters"));
        } else if !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

/// A patched text field: `Absent` stays absent, `null` (or an empty string) clears.
pub fn patch_with<T>(
    errors: &mut Errors,
    raw: Patch<String>,
    parse: impl FnOnce(&mut Errors, Option<String>) -> Option<T>,
) -> Patch<T> {
    match raw {
        Patch::Absent => Patch::Absent,
        Patch::Null => Patch::Null,
        Patch::Value(s) if s.trim().is_empty() => Patch::Null,
        Patch::Value(s) => {
            let before = errors.0.len();
            match parse(errors, Some(s)) {
                Some(v) => Patch::Value(v),
                // Refused: an error was recorded; nothing will be written.
                None if errors.0.len() > before => Patch::Absent,
                None => Patch::Null,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timezones() {
        for ok in ["UTC", "Europe/Paris", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "America/Port-au-Prince"] {
            assert!(is_timezone(ok), "{ok}");
        }
        for bad in ["", "utc", "Paris", "Europe/", "/Paris", "Europe/Par is", "europe/paris", "Europe//Paris"] {
            assert!(!is_timezone(bad), "{bad}");
        }
    }

    #[test]
    fn locales() {
        for ok in ["en", "pt-BR", "zh-Hant-TW", "es-419", "fil"] {
            assert!(is_locale(ok), "{ok}");
        }
        for bad in ["", "e", "en_US", "en-", "en-US-toolongsubtag", "12"] {
            assert!(!is_locale(bad), "{bad}");
        }
    }
}
