//! One CSV record → a parsed contact row, or the reasons it is refused. Values go through the
//! shared parsers in `crm::values` (email, E.164 phone, consent, custom fields), so an import
//! accepts exactly what the contacts API accepts. An empty cell means "no value": it leaves the
//! field of an existing contact unchanged.

use entities::field_definition;
use phonenumber::country::Id as Region;
use serde_json::{Map, Value};

use super::{
    dto::MatchOn,
    mapping::{Columns, Target},
};
use crate::crm::companies::parse_domain;
use crate::crm::contacts::input::{is_locale, is_timezone};
use crate::crm::values::{
    ConsentStatus, Email, FieldType, Mode, PhoneE164, custom_fields::options_of, validate_custom_fields,
};

/// The longest name part.
const MAX_NAME_LEN: usize = 100;
/// The longest tag name, and the most tags one row may add.
const MAX_TAG_LEN: usize = 100;
const MAX_TAGS: usize = 100;

/// A row that parsed.
#[derive(Debug, Clone, Default)]
pub struct Row {
    /// The row number as a spreadsheet shows it (the header is row 1).
    pub row: u64,
    /// The match key: the lower-cased email or the E.164 phone.
    pub key: String,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// (as written, lower-cased)
    pub email: Option<(String, String)>,
    pub phone: Option<String>,
    pub timezone: Option<String>,
    pub locale: Option<String>,
    pub company_domain: Option<String>,
    /// Tag names as written (deduplicated without regard to case).
    pub tags: Vec<String>,
    pub sms_consent: Option<ConsentStatus>,
    pub email_consent: Option<ConsentStatus>,
    pub custom_fields: Map<String, Value>,
}

/// Why a row (or one of its cells) was refused: one line of the error report.
#[derive(Debug, Clone)]
pub struct RowError {
    pub row: u64,
    /// The CSV header of the offending column; empty for the row as a whole.
    pub column: String,
    pub code: &'static str,
    pub reason: String,
}

/// What the parser needs besides the record.
pub struct Context<'a> {
    pub columns: &'a Columns,
    pub match_on: MatchOn,
    pub region: Option<Region>,
    pub defs: &'a [field_definition::Model],
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

fn text(value: &str, max: usize) -> Result<String, (&'static str, String)> {
    if value.chars().count() > max {
        return Err(("length", format!("must be at most {max} characters")));
    }
    if has_control(value) {
        return Err(("control_characters", "must not contain line breaks or control characters".into()));
    }
    Ok(value.to_owned())
}

/// A company domain, lower-cased: `example.com` (a scheme, `www.` and a path are dropped).
pub fn domain(value: &str) -> Result<String, (&'static str, String)> {
    let lower = value.trim().to_ascii_lowercase();
    let s = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://")).unwrap_or(&lower);
    let s = s.split('/').next().unwrap_or(s);
    let s = s.strip_prefix("www.").unwrap_or(s);
    parse_domain(s).map_err(|e| ("invalid_domain", e.message))
}

/// A custom field cell as the JSON value its definition expects.
fn custom_value(def: &field_definition::Model, cell: &str) -> Value {
    match FieldType::parse(&def.field_type) {
        Some(FieldType::Number) => match cell.parse::<f64>() {
            Ok(n) if n.is_finite() => {
                if n.fract() == 0.0 && n.abs() < 9.0e15 {
                    #[allow(clippy::cast_possible_truncation)] // integral and within i64's exact range
                    let int = n as i64;
                    Value::from(int)
                } else {
                    Value::from(n)
                }
            }
            _ => Value::String(cell.to_owned()),
        },
        Some(FieldType::Boolean) => match cell.to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => Value::Bool(true),
            "false" | "no" | "0" => Value::Bool(false),
            _ => Value::String(cell.to_owned()),
        },
        Some(FieldType::Select) => {
            // Options match without regard to case; the stored value is the option as defined.
            let options = options_of(def);
            let found = options.into_iter().find(|o| o.eq_ignore_ascii_case(cell));
            Value::String(found.unwrap_or_else(|| cell.to_owned()))
        }
        _ => Value::String(cell.to_owned()),
    }
}

/// Parses one record. Every problem of the row is returned (one report line each).
pub fn parse(ctx: &Context<'_>, row: u64, record: &csv::StringRecord) -> Result<Row, Vec<RowError>> {
    let mut errors = Vec::new();
    if record.len() != ctx.columns.width {
        return Err(vec![RowError {
            row,
            column: String::new(),
            code: "column_count",
            reason: format!(
                "has {} columns where the header has {} (a stray comma or an unterminated quote?)",
                record.len(),
                ctx.columns.width
            ),
        }]);
    }
    let mut out = Row { row, ..Row::default() };
    let mut custom = Map::new();
    for column in &ctx.columns.columns {
        let cell = record.get(column.index).unwrap_or("").trim();
        if cell.is_empty() {
            continue;
        }
        let mut fail = |code: &'static str, reason: String| {
            errors.push(RowError { row, column: column.header.clone(), code, reason });
        };
        match &column.target {
            Target::FirstName => match text(cell, MAX_NAME_LEN) {
                Ok(v) => out.first_name = Some(v),
                Err((c, m)) => fail(c, m),
            },
            Target::LastName => match text(cell, MAX_NAME_LEN) {
                Ok(v) => out.last_name = Some(v),
                Err((c, m)) => fail(c, m),
            },
            Target::Email => match Email::parse(cell) {
                Ok(e) => out.email = Some(e.into_parts()),
                Err(e) => fail(e.code, e.message),
            },
            Target::Phone => match PhoneE164::parse(cell, ctx.region) {
                Ok(p) => out.phone = Some(p.into_string()),
                Err(e) => fail(e.code, e.message),
            },
            Target::Timezone if cell.len() <= 64 && is_timezone(cell) => out.timezone = Some(cell.to_owned()),
            Target::Timezone => {
                fail("invalid_timezone", "must be an IANA time zone name such as `Europe/Paris`, or `UTC`".into());
            }
            Target::Locale if cell.len() <= 35 && is_locale(cell) => out.locale = Some(cell.to_owned()),
            Target::Locale => fail("invalid_locale", "must be a BCP 47 language tag such as `en` or `pt-BR`".into()),
            Target::CompanyDomain => match domain(cell) {
                Ok(v) => out.company_domain = Some(v),
                Err((c, m)) => fail(c, m),
            },
            Target::Tags => {
                for name in cell.split(';').map(str::trim).filter(|n| !n.is_empty()) {
                    match text(name, MAX_TAG_LEN) {
                        Ok(v) if !out.tags.iter().any(|t| t.to_lowercase() == v.to_lowercase()) => out.tags.push(v),
                        Ok(_) => {}
                        Err((c, m)) => fail(c, format!("tag `{name}` {m}")),
                    }
                }
                if out.tags.len() > MAX_TAGS {
                    fail("too_many_tags", format!("at most {MAX_TAGS} tags per row"));
                }
            }
            Target::SmsConsent => match ConsentStatus::parse(cell) {
                Ok(v) => out.sms_consent = Some(v),
                Err(e) => fail(e.code, e.message),
            },
            Target::EmailConsent => match ConsentStatus::parse(cell) {
                Ok(v) => out.email_consent = Some(v),
                Err(e) => fail(e.code, e.message),
            },
            Target::Custom(key) => {
                if let Some(def) = ctx.defs.iter().find(|d| &d.key == key) {
                    custom.insert(key.clone(), custom_value(def, cell));
                }
            }
        }
    }
    if !custom.is_empty() {
        match validate_custom_fields(ctx.defs, &custom, Mode::Patch) {
            Ok(values) => out.custom_fields = values,
            Err(field_errors) => {
                for e in field_errors {
                    let key = e.field.strip_prefix("custom_fields.").unwrap_or(&e.field).to_owned();
                    let column = ctx
                        .columns
                        .columns
                        .iter()
                        .find(|c| c.target == Target::Custom(key.clone()))
                        .map(|c| c.header.clone())
                        .unwrap_or_default();
                    let code = match e.code.as_str() {
                        "invalid_type" => "invalid_type",
                        "invalid_option" => "invalid_option",
                        "invalid_date" => "invalid_date",
                        "length" => "length",
                        "required" => "required",
                        _ => "invalid_value",
                    };
                    errors.push(RowError { row, column, code, reason: e.message });
                }
            }
        }
    }
    let key = match ctx.match_on {
        MatchOn::Email => out.email.as_ref().map(|(_, key)| key.clone()),
        MatchOn::Phone => out.phone.clone(),
    };
    match key {
        Some(key) => out.key = key,
        None if errors.is_empty() => {
            let wanted = ctx.match_on.as_str();
            let column = ctx
                .columns
                .columns
                .iter()
                .find(|c| c.target.name() == wanted)
                .map(|c| c.header.clone())
                .unwrap_or_default();
            errors.push(RowError {
                row,
                column,
                code: "missing_match_key",
                reason: format!("is empty: rows are matched on `{wanted}`, so it is required"),
            });
        }
        None => {}
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
