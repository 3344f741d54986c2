//! What rate limiting adds to the OpenAPI document: the `RateLimit-*` and `Retry-After` headers
//! on the shared `TooManyRequests` response, and that response (429) on every `/v1` operation.
//! Applied to the finished document (the paths exist only after the routes are registered).

use utoipa::openapi::{
    OpenApi, RefOr,
    header::HeaderBuilder,
    schema::{ObjectBuilder, Ref, Type},
};

use super::middleware::is_limited_path;

const HEADERS: &[(&str, &str)] = &[
    ("Retry-After", "Seconds to wait before retrying."),
    ("RateLimit-Limit", "Requests allowed per window in the bucket that refused the request."),
    ("RateLimit-Remaining", "Requests left in that bucket right now (0 on a 429)."),
    ("RateLimit-Reset", "Seconds until that bucket is full again."),
];

/// Adds the headers to `components.responses.TooManyRequests` and a 429 to every `/v1` operation.
pub fn document(doc: &mut OpenApi) {
    if let Some(RefOr::T(response)) = doc.components.as_mut().and_then(|c| c.responses.get_mut("TooManyRequests")) {
        for (name, description) in HEADERS {
            let schema = ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).build();
            let header = HeaderBuilder::new().schema(Some(schema)).description(Some(*description)).build();
            response.headers.insert((*name).to_owned(), header.into());
        }
    }
    for (path, item) in doc.paths.paths.iter_mut() {
        if !is_limited_path(path) {
            continue;
        }
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            operation
                .responses
                .responses
                .entry("429".to_owned())
                .or_insert_with(|| RefOr::Ref(Ref::from_response_name("TooManyRequests")));
        }
    }
}
