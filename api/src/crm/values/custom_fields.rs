//! Custom field values, checked against the tenant's field definitions (`field_definitions`).
//!
//! Types: `text` (string, at most 2,000 characters), `number` (a JSON number), `boolean`,
//! `date` (`YYYY-MM-DD`), `select` (one of the definition's `options`). Error codes (field
//! path `custom_fields.<key>`): `unknown_field`, `invalid_type`, `invalid_option`,
//! `invalid_date`, `length`, `required`.

use chrono::NaiveDate;
use entities::field_definition;
use serde_json::{Map, Value};

use crate::error::FieldError;

/// The longest `text` value.
pub const MAX_TEXT_LEN: usize = 2000;

/// The type of a custom field, as stored in `field_definitions.field_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Number,
    Boolean,
    Date,
    Select,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Text => "text",
            Self::Number => "number",
            Self::Boolean => "boolean",
            Self::Date => "date",
            Self::Select => "select",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "text" => Self::Text,
            "number" => Self::Number,
            "boolean" => Self::Boolean,
            "date" => Self::Date,
            "select" => Self::Select,
            _ => return None,
        })
    }
}

/// Whether the input is a whole object (create: required fields must be present) or a patch
/// (only the sent keys are checked; `null` removes a key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Create,
    Patch,
}

/// The options of a `select` definition (a JSON array of strings).
pub fn options_of(def: &field_definition::Model) -> Vec<String> {
    match &def.options {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
        && NaiveDate::parse_from_str(s, "%Y-%m-%d").is_ok()
}

/// Why `value` does not fit a field of `field_type` (with `options` for `select`), as
/// `(code, message)`; `None` when it fits.
fn misfit(field_type: FieldType, options: &[String], value: &Value) -> Option<(&'static str, String)> {
    match (field_type, value) {
        (FieldType::Text, Value::String(s)) if s.chars().count() > MAX_TEXT_LEN => {
            Some(("length", format!("must be at most {MAX_TEXT_LEN} characters")))
        }
        (FieldType::Text, Value::String(_)) => None,
        (FieldType::Number, Value::Number(n)) if n.as_f64().is_some_and(f64::is_finite) => None,
        (FieldType::Boolean, Value::Bool(_)) => None,
        (FieldType::Date, Value::String(s)) if is_date(s) => None,
        (FieldType::Date, Value::String(_)) => Some(("invalid_date", "must be a date written YYYY-MM-DD".into())),
        (FieldType::Select, Value::String(s)) if options.iter().any(|o| o == s) => None,
        (FieldType::Select, Value::String(_)) => {
            Some(("invalid_option", format!("must be one of: {}", options.join(", "))))
        }
        (t, _) => Some(("invalid_type", format!("must be a {}", expected(t)))),
    }
}

fn expected(t: FieldType) -> &'static str {
    match t {
        FieldType::Text => "string",
        FieldType::Number => "number",
        FieldType::Boolean => "boolean",
        FieldType::Date => "date string (YYYY-MM-DD)",
        FieldType::Select => "string (one of the field's options)",
    }
}

/// Whether `value` fits a field of `field_type` with `options` (for `select`). Used to refuse
/// a definition change that existing values would not fit.
pub fn value_fits(field_type: FieldType, options: &[String], value: &Value) -> bool {
    misfit(field_type, options, value).is_none()
}

/// Checks `input` against the definitions `defs` (of one object type). Returns the values to
/// store: in `Create` mode the complete map (null values dropped); in `Patch` mode the sent keys,
/// with `null` kept for keys to remove (apply it with `merge_patch`). Every problem is
/// reported, with field paths `custom_fields.<key>`.
pub fn validate_custom_fields(
    defs: &[field_definition::Model],
    input: &Map<String, Value>,
    mode: Mode,
) -> Result<Map<String, Value>, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut out = Map::new();
    for (key, value) in input {
        let path = format!("custom_fields.{key}");
        let Some(def) = defs.iter().find(|d| &d.key == key) else {
            errors.push(FieldError::new(path, "unknown_field", "no custom field with this key is defined"));
            continue;
        };
        if value.is_null() {
            if def.required {
                errors.push(FieldError::new(path, "required", "is a required field and cannot be null"));
            } else if mode == Mode::Patch {
                out.insert(key.clone(), Value::Null);
            }
            continue;
        }
        let Some(field_type) = FieldType::parse(&def.field_type) else {
            errors.push(FieldError::new(path, "invalid_type", "the field's definition has an unknown type"));
            continue;
        };
        match misfit(field_type, &options_of(def), value) {
            Some((code, message)) => errors.push(FieldError::new(path, code, message)),
            None => {
                out.insert(key.clone(), value.clone());
            }
        }
    }
    if mode == Mode::Create {
        for def in defs.iter().filter(|d| d.required) {
            if !input.contains_key(&def.key) {
                errors.push(FieldError::new(format!("custom_fields.{}", def.key), "required", "is a required field"));
            }
        }
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}

/// Applies a validated patch to stored values: `null` removes a key, a value sets it.
pub fn merge_patch(current: &mut Map<String, Value>, patch: Map<String, Value>) {
    for (key, value) in patch {
        if value.is_null() {
            current.remove(&key);
        } else {
            current.insert(key, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::Utc;
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    fn def(key: &str, field_type: &str, required: bool, options: Option<Value>) -> field_definition::Model {
        field_definition::Model {
            id: Uuid::now_v7(),
            tenant_id: Uuid::nil(),
            object: "contact".into(),
            key: key.into(),
            label: key.into(),
            field_type: field_type.into(),
            options,
            required,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    fn defs() -> Vec<field_definition::Model> {
        vec![
            def("plan", "select", true, Some(json!(["free", "pro"]))),
            def("seats", "number", false, None),
            def("vip", "boolean", false, None),
            def("born", "date", false, None),
            def("note", "text", false, None),
        ]
    }

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    fn codes(r: Result<Map<String, Value>, Vec<FieldError>>) -> Vec<(String, String)> {
        r.unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn accepts_valid_values() {
        let input = obj(json!({"plan": "pro", "seats": 3.5, "vip": true, "born": "1990-02-28", "note": "hi"}));
        assert_eq!(validate_custom_fields(&defs(), &input, Mode::Create).unwrap(), input);
    }

    #[test]
    fn reports_each_problem() {
        let input = obj(json!({"plan": "gold", "seats": "3", "vip": 1, "born": "1990-2-28", "colour": "red"}));
        let mut got = codes(validate_custom_fields(&defs(), &input, Mode::Create));
        got.sort();
        let want = [
            ("custom_fields.born", "invalid_date"),
            ("custom_fields.colour", "unknown_field"),
            ("custom_fields.plan", "invalid_option"),
            ("custom_fields.seats", "invalid_type"),
            ("custom_fields.vip", "invalid_type"),
        ];
        assert_eq!(got, want.map(|(a, b)| (a.to_owned(), b.to_owned())));
        assert_eq!(
            codes(validate_custom_fields(&defs(), &obj(json!({"born": "2023-02-30"})), Mode::Patch)),
            [("custom_fields.born".to_owned(), "invalid_date".to_owned())]
        );
    }

    #[test]
    fn required_on_create_only_and_null_removes_in_patch() {
        assert_eq!(
            codes(validate_custom_fields(&defs(), &Map::new(), Mode::Create)),
            [("custom_fields.plan".to_owned(), "required".to_owned())]
        );
        assert!(validate_custom_fields(&defs(), &Map::new(), Mode::Patch).unwrap().is_empty());
        let patch = validate_custom_fields(&defs(), &obj(json!({"seats": null, "vip": false})), Mode::Patch).unwrap();
        let mut current = obj(json!({"plan": "free", "seats": 2}));
        merge_patch(&mut current, patch);
        assert_eq!(Value::Object(current), json!({"plan": "free", "vip": false}));
        assert_eq!(
            codes(validate_custom_fields(&defs(), &obj(json!({"plan": null})), Mode::Patch)),
            [("custom_fields.plan".to_owned(), "required".to_owned())]
        );
    }

    #[test]
    fn fits() {
        let opts = vec!["a".to_owned()];
        assert!(value_fits(FieldType::Text, &[], &json!("x")));
        assert!(!value_fits(FieldType::Number, &[], &json!("1")));
        assert!(value_fits(FieldType::Select, &opts, &json!("a")));
        assert!(!value_fits(FieldType::Select, &opts, &json!("b")));
        assert!(value_fits(FieldType::Date, &[], &json!("2024-12-31")));
        assert!(!value_fits(FieldType::Boolean, &[], &json!("true")));
    }
}
