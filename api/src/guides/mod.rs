//! The developer guides (`docs/*.md`), embedded in the binary and served as Markdown at
//! `/docs/{name}.md`, so that the API reference at `/api-docs` (whose description links here)
//! always leads to the guides of the running version. Not part of the API, so not in the spec.

use actix_web::{HttpResponse, web};

use crate::error::ApiError;

macro_rules! guides {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../../docs/", $name, ".md")))),*]
    };
}

/// (name, Markdown) of every guide, in reading order.
const GUIDES: &[(&str, &str)] = guides!(
    "quickstart",
    "authentication",
    "errors",
    "pagination",
    "idempotency",
    "access-control",
    "agencies",
    "api-keys",
    "rate-limits",
    "audit-log",
    "events",
    "operators",
    "contacts",
    "companies",
    "custom-fields",
    "tags-and-notes",
    "filtering",
    "segments",
    "imports",
    "jobs",
    "exports",
    "products",
    "webhooks",
    "crm-indexes",
    "sdks",
    "API-DESIGN",
    "ARCHITECTURE",
    "PERFORMANCE",
);

const MARKDOWN: &str = "text/markdown; charset=utf-8";

/// Registers `/docs` and `/docs/{name}.md`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/docs", web::get().to(index)).route("/docs/{name}", web::get().to(page));
}

async fn index() -> HttpResponse {
    let mut body = String::from("# Campaign OS guides\n\n");
    for (name, text) in GUIDES {
        let title = text.lines().next().unwrap_or(name).trim_start_matches("# ");
        body.push_str(&format!("- [{title}]({name}.md)\n"));
    }
    body.push_str("\nAPI reference: [/api-docs/](/api-docs/)\n");
    HttpResponse::Ok().content_type(MARKDOWN).body(body)
}

async fn page(name: web::Path<String>) -> Result<HttpResponse, ApiError> {
    name.strip_suffix(".md")
        .and_then(|n| GUIDES.iter().find(|(g, _)| *g == n))
        .map(|(_, text)| HttpResponse::Ok().content_type(MARKDOWN).body(*text))
        .ok_or_else(|| ApiError::NotFound { detail: format!("No guide named {name}; see /docs.") })
}
