//! The column mapping: which contact field each CSV column fills. Resolved once, at upload, from
//! the header row, the optional `mapping` option and the tenant's custom field definitions.

use std::collections::BTreeMap;

use entities::field_definition;

use super::dto::MatchOn;
use crate::error::FieldError;

/// The most entries a mapping may hold.
pub const MAX_MAPPING_ENTRIES: usize = 200;
/// The most columns a file may have.
pub const MAX_COLUMNS: usize = 500;
/// The longest header name.
pub const MAX_HEADER_LEN: usize = 200;

/// A contact field a column can fill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    FirstName,
    LastName,
    Email,
    Phone,
    Timezone,
    Locale,
    CompanyDomain,
    Tags,
    SmsConsent,
    EmailConsent,
    /// A custom field, by key.
    Custom(String),
}

impl Target {
    /// The field named `name` (`custom.<key>` for a custom field; the key is not checked here).
    pub fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "first_name" => Self::FirstName,
            "last_name" => Self::LastName,
            "email" => Self::Email,
            "phone" => Self::Phone,
            "timezone" => Self::Timezone,
            "locale" => Self::Locale,
            "company_domain" => Self::CompanyDomain,
            "tags" => Self::Tags,
            "sms_consent" => Self::SmsConsent,
            "email_consent" => Self::EmailConsent,
            other => {
                let key = other.strip_prefix("custom.")?;
                if key.is_empty() {
                    return None;
                }
                Self::Custom(key.to_owned())
            }
        })
    }

    pub fn name(&self) -> String {
        match self {
            Self::FirstName => "first_name".into(),
            Self::LastName => "last_name".into(),
            Self::Email => "email".into(),
            Self::Phone => "phone".into(),
            Self::Timezone => "timezone".into(),
            Self::Locale => "locale".into(),
            Self::CompanyDomain => "company_domain".into(),
            Self::Tags => "tags".into(),
            Self::SmsConsent => "sms_consent".into(),
            Self::EmailConsent => "email_consent".into(),
            Self::Custom(key) => format!("custom.{key}"),
        }
    }
}

/// One mapped column: its position in each record, its header and what it fills.
#[derive(Debug, Clone)]
pub struct Column {
    pub index: usize,
    pub header: String,
    pub target: Target,
}

/// The resolved mapping of a file.
#[derive(Debug, Clone)]
pub struct Columns {
    /// How many columns every record must have.
    pub width: usize,
    pub columns: Vec<Column>,
}

impl Columns {
    /// The mapping to store and show (header → field name).
    pub fn as_mapping(&self) -> BTreeMap<String, String> {
        self.columns.iter().map(|c| (c.header.clone(), c.target.name())).collect()
    }
}

fn err(code: &str, message: impl Into<String>) -> FieldError {
    FieldError::new("file", code, message)
}

/// Resolves the mapping of a file with `headers` (trimmed). Without `mapping`, every header must
/// be a field name; with one, mapped headers must exist in the file and the rest are ignored.
/// The match field must be mapped, each field at most once, custom keys defined for contacts.
pub fn resolve(
    headers: &[String],
    mapping: Option<&BTreeMap<String, String>>,
    match_on: MatchOn,
    defs: &[field_definition::Model],
) -> Result<Columns, Vec<FieldError>> {
    let mut errors = Vec::new();
    if headers.len() > MAX_COLUMNS {
        return Err(vec![err("too_many_columns", format!("the file has more than {MAX_COLUMNS} columns"))]);
    }
    if headers.iter().all(String::is_empty) {
        return Err(vec![err("missing_header", "the first row must name the columns")]);
    }
    for (i, h) in headers.iter().enumerate() {
        if h.chars().count() > MAX_HEADER_LEN {
            errors.push(err(
                "header_too_long",
                format!("column {} has a header over {MAX_HEADER_LEN} characters", i + 1),
            ));
        }
        if headers[..i].contains(h) && !h.is_empty() {
            errors.push(err("duplicate_column", format!("the header `{h}` appears more than once")));
        }
    }
    let mut columns = Vec::new();
    match mapping {
        None => {
            for (index, header) in headers.iter().enumerate() {
                if header.is_empty() {
                    continue;
                }
                match Target::parse(header).or_else(|| Target::parse(&header.to_ascii_lowercase())) {
                    Some(target) => columns.push(Column { index, header: header.clone(), target }),
                    None => errors.push(err(
                        "unknown_column",
                        format!(
                            "the header `{header}` is not a contact field; send a `mapping` option to map or ignore it"
                        ),
                    )),
                }
            }
        }
        Some(mapping) => {
            if mapping.len() > MAX_MAPPING_ENTRIES {
                return Err(vec![FieldError::new(
                    "options.mapping",
                    "length",
                    format!("must have at most {MAX_MAPPING_ENTRIES} entries"),
                )]);
            }
            for (header, field) in mapping {
                let path = format!("options.mapping.{header}");
                let Some(target) = Target::parse(field.trim()) else {
                    errors.push(FieldError::new(path, "unknown_field", format!("`{field}` is not a contact field")));
                    continue;
                };
                match headers.iter().position(|h| h == header.trim()) {
                    Some(index) => columns.push(Column { index, header: header.trim().to_owned(), target }),
                    None => {
                        errors.push(FieldError::new(path, "missing_column", "the file has no column with this header"))
                    }
                }
            }
        }
    }
    for (i, c) in columns.iter().enumerate() {
        if columns[..i].iter().any(|o| o.target == c.target) {
            errors.push(err("duplicate_field", format!("more than one column fills `{}`", c.target.name())));
        }
        if let Target::Custom(key) = &c.target
            && !defs.iter().any(|d| &d.key == key)
        {
            errors.push(err(
                "unknown_custom_field",
                format!("column `{}`: no contact custom field `{key}` is defined", c.header),
            ));
        }
    }
    let wanted = match match_on {
        MatchOn::Email => Target::Email,
        MatchOn::Phone => Target::Phone,
    };
    if !columns.iter().any(|c| c.target == wanted) {
        errors.push(err(
            "match_column_missing",
            format!("no column fills `{}`, the field rows are matched on (`match_on`)", wanted.name()),
        ));
    }
    columns.sort_by_key(|c| c.index);
    if errors.is_empty() { Ok(Columns { width: headers.len(), columns }) } else { Err(errors) }
}

/// The columns stored with an import, read back for the job.
pub fn from_stored(mapping: &serde_json::Value, headers: &[String]) -> Option<Columns> {
    let map: BTreeMap<String, String> = serde_json::from_value(mapping.clone()).ok()?;
    let mut columns = Vec::new();
    for (header, field) in map {
        let index = headers.iter().position(|h| *h == header)?;
        columns.push(Column { index, header, target: Target::parse(&field)? });
    }
    columns.sort_by_key(|c| c.index);
    Some(Columns { width: headers.len(), columns })
}
