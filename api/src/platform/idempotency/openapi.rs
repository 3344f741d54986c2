//! The spec side of `Idempotency-Key`: every POST operation gets the optional header parameter,
//! its errors (400 `invalid_idempotency_key`, 409 `idempotency_key_in_use`, 422
//! `idempotency_key_reused`) and the `Idempotent-Replayed` header on its success responses.
//! Applied to the finished document (`openapi::spec()`), after the routes added their paths.

use utoipa::{
    Modify,
    openapi::{
        Header, Ref, RefOr, Required,
        path::{ParameterBuilder, ParameterIn},
        schema::{Object, Type},
    },
};

use super::MAX_KEY_LEN;

/// Adds the `Idempotency-Key` contract to every POST operation.
pub struct IdempotencyDocs;

const KEY_DESCRIPTION: &str = "A unique key (1–255 printable ASCII characters; a UUID v4 is a good choice) that makes \
this request safe to retry: a retry with the same key and the same request replays the first outcome with \
`Idempotent-Replayed: true` instead of running again, for 24 hours. The same key with a different request answers \
`422 idempotency_key_reused`; while the first request is still running, `409 idempotency_key_in_use` with \
`Retry-After`. Keys are scoped to the caller (API key, or user and organisation). See /docs/idempotency.md.";

fn key_parameter() -> utoipa::openapi::path::Parameter {
    let mut schema = Object::with_type(Type::String);
    schema.min_length = Some(1);
    schema.max_length = Some(MAX_KEY_LEN);
    schema.pattern = Some("^[ -~]+$".into());
    ParameterBuilder::new()
        .name("Idempotency-Key")
        .parameter_in(ParameterIn::Header)
        .required(Required::False)
        .description(Some(KEY_DESCRIPTION))
        .schema(Some(schema))
        .build()
}

fn replayed_header() -> Header {
    let mut schema = Object::with_type(Type::String);
    schema.enum_values = Some(vec![serde_json::json!("true")]);
    let mut header = Header::new(schema);
    header.description = Some(
        "Present, with the value `true`, when this response is the stored outcome of an earlier request with the \
         same `Idempotency-Key`, replayed instead of running the operation again."
            .into(),
    );
    header
}

impl Modify for IdempotencyDocs {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            let Some(op) = item.post.as_mut() else { continue };
            let params = op.parameters.get_or_insert_with(Vec::new);
            let has_param =
                params.iter().any(|p| matches!(p, RefOr::T(p) if p.name.eq_ignore_ascii_case("Idempotency-Key")));
            if !has_param {
                params.push(RefOr::T(key_parameter()));
            }
            let responses = &mut op.responses.responses;
            for (status, component) in [("400", "BadRequest"), ("409", "Conflict"), ("422", "ValidationFailed")] {
                responses.entry(status.to_owned()).or_insert_with(|| RefOr::Ref(Ref::from_response_name(component)));
            }
            for (status, response) in responses.iter_mut() {
                if let (true, RefOr::T(response)) = (status.starts_with('2'), response) {
                    response.headers.entry("Idempotent-Replayed".into()).or_insert_with(|| RefOr::T(replayed_header()));
                }
            }
        }
    }
}
