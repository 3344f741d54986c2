//! Validated extractors. `ValidatedJson<T>` checks the content type, enforces the body limit,
//! parses JSON (reporting the failing field) and runs `validator`; `ValidatedQuery<T>` does the
//! same for query strings. Every failure is an `ApiError`, so a problem+json response.

use std::ops::Deref;

use actix_web::{FromRequest, HttpRequest, dev::Payload, http::header, web};
use futures_util::{StreamExt, future::LocalBoxFuture};
use serde::de::DeserializeOwned;
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use super::fallback::RouteTable;
use crate::error::{ApiError, FieldError};

/// The largest JSON body accepted, from configuration.
#[derive(Debug, Clone, Copy)]
pub struct BodyLimit(pub usize);

/// A JSON body that parsed and validated.
#[derive(Debug)]
pub struct ValidatedJson<T>(pub T);

/// A query string that parsed and validated.
#[derive(Debug)]
pub struct ValidatedQuery<T>(pub T);

impl<T> Deref for ValidatedJson<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T> Deref for ValidatedQuery<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    let Some(value) = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let essence = value.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidatedJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req.app_data::<BodyLimit>().map_or(1024 * 1024, |l| l.0);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let json = is_json(req);
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_len.is_some_and(|len| len > limit) {
                return Err(ApiError::PayloadTooLarge { limit });
            }
            if !json {
                return Err(ApiError::UnsupportedMediaType {
                    detail: "This operation takes a JSON body: send `Content-Type: application/json`.".into(),
                });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk
                    .map_err(|e| ApiError::bad_request("invalid_body", format!("The body could not be read: {e}")))?;
                if body.len() + chunk.len() > limit {
                    return Err(ApiError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            let value: T = parse_json(&body)?;
            value.validate().map_err(validation_error)?;
            Ok(ValidatedJson(value))
        })
    }
}

fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    // Request bodies are JSON objects. (serde would also accept an array in field order.)
    if body.iter().find(|b| !b.is_ascii_whitespace()).is_some_and(|&b| b != b'{') {
        return Err(match serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            Ok(_) => ApiError::Validation {
                errors: vec![FieldError::new("", "invalid_type", "the body must be a JSON object")],
            },
            Err(e) => malformed_json(&e),
        });
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    let result: Result<T, serde_path_to_error::Error<serde_json::Error>> = serde_path_to_error::deserialize(de);
    // JSON Schema counts `638.0` as an integer, serde does not: retry once with integral floats
    // written as integers (only when a float was the problem, so the strict path stays first).
    let result = match result {
        Err(err) if err.inner().to_string().starts_with("invalid type: floating point") => {
            match serde_json::from_slice::<serde_json::Value>(body) {
                Ok(mut value) => {
                    integral_floats_to_integers(&mut value);
                    serde_path_to_error::deserialize(value)
                }
                Err(_) => Err(err),
            }
        }
        other => other,
    };
    result.map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                let field = if path == "." { String::new() } else { path };
                let message = inner.to_string();
                let named =
                    |prefix: &str| message.strip_prefix(prefix).and_then(|r| r.split('`').next()).map(str::to_owned);
                let (field, code) = if let Some(name) = named("missing field `") {
                    (join_path(&field, &name), "required")
                } else if named("unknown field `").is_some() {
                    (field, "unknown_field")
                } else if let Some(name) = named("duplicate field `") {
                    (join_path(&field, &name), "duplicate_field")
                } else {
                    (field, "invalid_type")
                };
                ApiError::Validation { errors: vec![FieldError::new(field, code, strip_position(&message))] }
            }
            _ => malformed_json(&inner),
        }
    })
}

fn integral_floats_to_integers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            if let Some(f) = n.as_f64().filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15) {
                #[allow(clippy::cast_possible_truncation)] // integral and within i64's exact range
                let int = f as i64;
                *value = Value::from(int);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats_to_integers),
        Value::Object(map) => map.values_mut().for_each(integral_floats_to_integers),
        _ => {}
    }
}

fn malformed_json(err: &serde_json::Error) -> ApiError {
    ApiError::bad_request("malformed_json", format!("The body is not valid JSON: {err}"))
}

fn join_path(parent: &str, name: &str) -> String {
    if parent.is_empty() { name.to_owned() } else { format!("{parent}.{name}") }
}

fn strip_position(message: &str) -> String {
    message.split(" at line ").next().unwrap_or(message).to_owned()
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidatedQuery<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(
            web::Query::<T>::from_query(req.query_string())
                .map_err(|e| ApiError::bad_request("invalid_query", format!("The query string is invalid: {e}")))
                .and_then(|q| {
                    let value = q.into_inner();
                    value.validate().map_err(validation_error)?;
                    Ok(ValidatedQuery(value))
                }),
        )
    }
}

/// Turns `validator` errors into a 422 with one entry per failing field.
pub fn validation_error(errors: ValidationErrors) -> ApiError {
    let mut out = Vec::new();
    flatten(&errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    ApiError::Validation { errors: out }
}

fn flatten(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(list) => out.extend(list.iter().map(|e| {
                let message = e.message.as_ref().map_or_else(|| default_message(e), ToString::to_string);
                FieldError::new(path.clone(), e.code.to_string(), message)
            })),
            ValidationErrorsKind::Struct(inner) => flatten(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn default_message(e: &validator::ValidationError) -> String {
    let param = |k: &str| e.params.get(k).map(ToString::to_string);
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max} characters"),
            (Some(min), None) => format!("must be at least {min} characters"),
            (None, Some(max)) => format!("must be at most {max} characters"),
            _ => "has an invalid length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            _ => "is out of range".into(),
        },
        "email" => "must be a valid email address".into(),
        other => format!("is invalid ({other})"),
    }
}

/// `validator` rule: the string is not only whitespace (code `blank`).
pub fn not_blank(value: &str) -> Result<(), validator::ValidationError> {
    if value.trim().is_empty() {
        return Err(validator::ValidationError::new("blank").with_message("must not be blank".into()));
    }
    Ok(())
}

/// Maps path-parameter errors (a malformed or wrongly prefixed id) to a 400 problem.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err, req| {
        if let Some(table) = req.app_data::<web::Data<RouteTable>>()
            && let Some(allow) = table.static_methods(req.path())
            && !allow.iter().any(|m| m == req.method().as_str())
        {
            return ApiError::MethodNotAllowed { allow: allow.to_vec() }.into();
        }
        ApiError::bad_request("invalid_id", format!("Invalid path parameter: {err}")).into()
    })
}

/// Maps errors of actix's own `Query` extractor (if any handler uses it) to a 400 problem.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err, _| {
        ApiError::bad_request("invalid_query", format!("The query string is invalid: {err}")).into()
    })
}

/// `deserialize_with` for an optional nested object: serde's derived `Deserialize` also accepts
/// a JSON array for a struct (its fields in order), which the spec does not allow. This refuses
/// anything but an object (or `null` / absence, which give `None`).
pub fn object_only<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    use serde::Deserialize;
    match Option::<serde_json::Map<String, serde_json::Value>>::deserialize(d)? {
        None => Ok(None),
        Some(map) => serde_json::from_value(serde_json::Value::Object(map)).map(Some).map_err(serde::de::Error::custom),
    }
}

/// `deserialize_with` for an object field that may be omitted but neither `null` nor an array.
pub fn object_not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    object_only(d)?.map(Some).ok_or_else(|| serde::de::Error::custom("must not be null"))
}
