//! The OpenAPI document. Paths come from the route registrations themselves (utoipa-actix-web),
//! so the router and the spec cannot drift; this file adds the document-level parts: info,
//! servers, tags, the bearer security scheme and the shared error responses.

use actix_web::App;
use utoipa::{
    Modify, OpenApi, ToResponse,
    openapi::security::{Http, HttpAuthScheme, SecurityScheme},
};
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

/// Declares a reusable problem+json response for `components.responses`.
macro_rules! problem_response {
    ($($name:ident => $description:literal;)*) => {$(
        #[derive(ToResponse)]
        #[response(description = $description, content_type = "application/problem+json")]
        #[allow(dead_code, reason = "read only by the OpenAPI derive")]
        pub struct $name(Problem);
    )*};
}

problem_response! {
    BadRequest => "The request is malformed (invalid JSON, query string or id).";
    Unauthorized => "Missing or invalid credentials.";
    NotFound => "No such resource in this organisation.";
    Conflict => "The request conflicts with the current state.";
    PayloadTooLarge => "The request body is larger than the configured limit.";
    UnsupportedMediaType => "The request body is not `application/json`.";
    ValidationFailed => "Validation failed; `errors` lists each invalid field.";
    Forbidden => "Authenticated, but not allowed (role, scope, principal type or suspension).";
    TooManyRequests => "A rate limit was hit; retry after `Retry-After` seconds.";
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Campaign OS API",
        description = "Campaign OS is a headless, multi-tenant marketing platform. This API is versioned under `/v1`; \
errors are `application/problem+json` (RFC 9457) with a stable `code`; lists use cursor pagination; ids are prefixed \
strings (`org_…`, `usr_…`, `key_…`). Authenticate with `Authorization: Bearer <token>` where the token is a JWT access \
token (from sign-up, login or refresh) or an API key (`cos_…`). Every operation checks a permission \
(`resource:read|write`) against the caller's role or the API key's scopes; agencies act on a client workspace with \
`X-Tenant-Id`; requests are rate limited (`RateLimit-*` headers, 429 with `Retry-After`); every POST accepts an \
`Idempotency-Key`.\n\n\
Guides: [Quickstart](/docs/quickstart.md) · [Authentication](/docs/authentication.md) · [Errors](/docs/errors.md) · \
[Pagination](/docs/pagination.md) · [Idempotency](/docs/idempotency.md) · [Access control](/docs/access-control.md) · \
[Agencies](/docs/agencies.md) · [API keys](/docs/api-keys.md) · [Rate limits](/docs/rate-limits.md) · \
[Audit log](/docs/audit-log.md) · [Events](/docs/events.md) · [Operators](/docs/operators.md) · [Contacts](/docs/contacts.md) · \
[Companies](/docs/companies.md) · [Custom fields](/docs/custom-fields.md) · [Tags and notes](/docs/tags-and-notes.md) · \
[Filtering](/docs/filtering.md) · [Segments](/docs/segments.md) · [Imports](/docs/imports.md) · \
[Exports](/docs/exports.md) · [Jobs](/docs/jobs.md) · [Products](/docs/products.md) · [Webhooks](/docs/webhooks.md) · [SDKs](/docs/sdks.md) · \
[API design rules](/docs/API-DESIGN.md). TypeScript and Python SDKs are generated from this document (see the SDKs guide).",
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
        contact(name = "Campaign OS", url = "https://docs.campaign-os.dev")
    ),
    servers((url = "http://127.0.0.1:8080", description = "A local `campaign-os serve` with default settings")),
    tags(
        (name = "auth", description = "Sign-up, login and session tokens."),
        (name = "me", description = "The calling principal."),
        (name = "mfa", description = "Two-factor authentication (TOTP) and recovery codes of the calling user."),
        (name = "sessions", description = "The calling user's login sessions."),
        (name = "api-keys", description = "Organisation API keys."),
        (name = "organizations", description = "The current organisation, workspace switching."),
        (name = "members", description = "Members of an organisation and their roles."),
        (name = "invitations", description = "Invitations to join an organisation."),
        (name = "clients", description = "Client workspaces managed by an agency."),
        (name = "audit", description = "The organisation's security audit log."),
        (name = "events", description = "Domain events: what happened in the organisation (`contact.created`, `api_key.revoked`, …), with the object it happened to."),
        (name = "contacts", description = "People a tenant markets to: CRUD, search and the filter language, bulk operations, tags on contacts."),
        (name = "companies", description = "Companies contacts belong to."),
        (name = "custom-fields", description = "Custom field definitions for contacts, companies and products."),
        (name = "tags", description = "Tags (labels) for contacts."),
        (name = "notes", description = "Notes on contacts and companies."),
        (name = "segments", description = "Dynamic (saved filter) and static (explicit membership) segments of contacts."),
        (name = "imports", description = "CSV contact imports, run in the background with progress and an error report."),
        (name = "jobs", description = "The organisation's background operations (imports, exports, …): status and progress."),
        (name = "exports", description = "Contact exports as CSV or XLSX, run in the background."),
        (name = "products", description = "The product catalogue."),
        (name = "webhooks", description = "Outbound webhooks: endpoints that receive the organisation's events, signed according to Standard Webhooks."),
        (name = "admin", description = "Platform operators only (`/v1/admin/*`): organisations, suspension, the sandbox mailbox and the audit log across organisations. Invisible (404) to everyone else."),
        (name = "ops", description = "Health, readiness and metrics for operators.")
    ),
    components(
        schemas(Problem, FieldError),
        responses(
            BadRequest,
            Unauthorized,
            Forbidden,
            NotFound,
            Conflict,
            PayloadTooLarge,
            UnsupportedMediaType,
            ValidationFailed,
            TooManyRequests
        )
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        let mut scheme = Http::new(HttpAuthScheme::Bearer);
        scheme.description =
            Some("A JWT access token (from sign-up, login or refresh) or an API key (`cos_…`).".into());
        components.add_security_scheme("bearer", SecurityScheme::Http(scheme));
    }
}

/// The document-level parts, before routes add their paths.
pub fn base() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_owned();
    doc
}

/// The complete document, generated from the same registrations the server uses.
pub fn spec() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new().into_utoipa_app().openapi(base()).configure(crate::startup::routes).split_for_parts();
    crate::platform::rate_limit::openapi::document(&mut api);
    utoipa::Modify::modify(&crate::platform::idempotency::IdempotencyDocs, &mut api);
    api
}

/// The document as pretty JSON with a trailing newline (what `openapi/openapi.json` holds).
pub fn spec_json() -> String {
    let mut out = spec().to_pretty_json().unwrap_or_default();
    out.push('\n');
    out
}
