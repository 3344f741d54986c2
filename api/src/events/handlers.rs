//! HTTP handlers of the events feed.

use actix_web::{get, web};

use super::{
    dto::{EventList, EventOut, EventQuery},
    service::{self, EventFilter},
};
use crate::{
    error::ApiResult,
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedQuery,
        ids::EventId,
        pagination::ListParams,
    },
    state::AppState,
};

const READ: Scope = Scope::new(Resource::Events, Access::Read);

/// List events
///
/// The organisation's domain events (`contact.created`, `api_key.revoked`, …), each with its
/// type, time and the object it is about in `data` (see the events guide for the catalogue).
/// Oldest first unless `order=desc`. Filter by `type` (one name or a comma-separated list; an
/// unknown name is 422 `validation_failed` with code `unknown_event_type`) and by a
/// `created_at[gte]` / `created_at[lt]` time window. Events are kept for
/// `event_retention_days` (30 by default). Needs `events:read`.
#[utoipa::path(
    operation_id = "list_events",
    tag = "events",
    security(("bearer" = [])),
    params(EventQuery),
    responses(
        (status = 200, description = "A page of events.", body = EventList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<EventQuery>,
) -> ApiResult<web::Json<EventList>> {
    ctx.require(READ)?;
    let q = query.0;
    let page = ListParams { limit: q.limit, cursor: q.cursor }.page_request()?;
    let filter = EventFilter {
        types: service::parse_types(q.types.as_deref())?,
        created_at_gte: q.created_at_gte,
        created_at_lt: q.created_at_lt,
    };
    Ok(web::Json(service::list(&state.db, ctx.tenant_id, filter, page, q.order.unwrap_or_default()).await?))
}

/// Get an event
///
/// One event of the organisation; another organisation's event is 404. Needs `events:read`.
#[utoipa::path(
    operation_id = "get_event",
    tag = "events",
    security(("bearer" = [])),
    params(("id" = EventId, Path, description = "The event's id (`evt_…`).")),
    responses(
        (status = 200, description = "The event.", body = EventOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/events/{id}")]
pub async fn get_event(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<EventId>,
) -> ApiResult<web::Json<EventOut>> {
    ctx.require(READ)?;
    Ok(web::Json(service::get(&state.db, ctx.tenant_id, id.into_inner()).await?))
}
