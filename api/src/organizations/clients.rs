//! Client workspaces of an agency: create, list, get. An agency principal acts on one with
//! `X-Tenant-Id: <client id>` (resolved in `platform::auth::authenticate`).

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use entities::tenant;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use serde_json::json;

use super::dto::{ClientIn, ClientList, ClientOut};
use crate::{
    audit::{self, AuditEvent, action},
    error::{ApiError, ApiResult},
    platform::{
        auth::{Access, Principal, Resource, Scope, TenantCtx},
        db,
        extract::{ValidatedJson, ValidatedQuery},
        ids::TenantId,
        pagination::{ListParams, fetch_page},
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// Create a client workspace
///
/// Creates a client workspace managed by the caller's organisation, which must be an agency
/// (`PATCH /v1/organization {"kind": "agency"}`) and must not be acting on a client through
/// `X-Tenant-Id`; otherwise 409 `not_an_agency`. Agency members and keys then act on it with
/// `X-Tenant-Id: <id>`. Needs `clients:write`.
#[utoipa::path(
    operation_id = "create_client",
    tag = "clients",
    security(("bearer" = [])),
    request_body = ClientIn,
    responses(
        (status = 201, description = "The client workspace.", body = ClientOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 409, response = crate::openapi::Conflict),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/clients")]
pub async fn create_client(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    meta: RequestMeta,
    body: ValidatedJson<ClientIn>,
) -> ApiResult<HttpResponse> {
    ctx.require(Scope::new(Resource::Clients, Access::Write))?;
    let not_an_agency = || {
        ApiError::conflict(
            "not_an_agency",
            "Only an agency organisation, acting for itself (no X-Tenant-Id), can create client workspaces.",
        )
    };
    if ctx.via_agency() {
        return Err(not_an_agency());
    }
    let txn = db::begin_write(&state.db).await?;
    let agency = super::common::lock_tenant(&txn, ctx.tenant_id.uuid()).await?;
    if agency.kind != "agency" {
        return Err(not_an_agency());
    }
    let now = Utc::now();
    let row = tenant::Model {
        default_phone_region: None,
        id: TenantId::generate().uuid(),
        name: body.name.trim().to_owned(),
        kind: "client".into(),
        parent_id: Some(agency.id),
        suspended_at: None,
        seat_limit: None,
        created_at: now,
        updated_at: now,
    };
    tenant::Entity::insert(tenant::ActiveModel::from(row.clone())).exec_without_returning(&txn).await?;
    let id = TenantId::from_uuid(row.id);
    audit::record(
        &txn,
        &meta,
        AuditEvent::by(&ctx, action::CLIENT_CREATED).target("organization", id).metadata(json!({"name": row.name})),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(tenant_id = %ctx.tenant_id, client_id = %id, "client workspace created");
    Ok(HttpResponse::Created().json(ClientOut::of(row, ctx.tenant_id)))
}

/// List client workspaces
///
/// Lists the client workspaces of the organisation acted on, oldest first, with cursor
/// pagination (empty unless it is an agency). An API key limited to some clients sees only
/// those. Needs `clients:read`.
#[utoipa::path(
    operation_id = "list_clients",
    tag = "clients",
    security(("bearer" = [])),
    params(ListParams),
    responses(
        (status = 200, description = "A page of client workspaces.", body = ClientList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/clients")]
pub async fn list_clients(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ListParams>,
) -> ApiResult<web::Json<ClientList>> {
    ctx.require(Scope::new(Resource::Clients, Access::Read))?;
    let page =
        fetch_page(&state.db, visible_clients(&ctx), tenant::Column::Id, |m| m.id, query.page_request()?).await?;
    Ok(web::Json(page.map(|t| ClientOut::of(t, ctx.tenant_id)).into()))
}

/// Get a client workspace
///
/// Returns one of the agency's client workspaces; another agency's client (or any other
/// organisation) answers 404. Needs `clients:read`.
#[utoipa::path(
    operation_id = "get_client",
    tag = "clients",
    security(("bearer" = [])),
    params(("id" = TenantId, Path, description = "The client workspace's id (`org_…`).")),
    responses(
        (status = 200, description = "The client workspace.", body = ClientOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 404, response = crate::openapi::NotFound),
    )
)]
#[get("/clients/{id}")]
pub async fn get_client(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    id: web::Path<TenantId>,
) -> ApiResult<web::Json<ClientOut>> {
    ctx.require(Scope::new(Resource::Clients, Access::Read))?;
    let row = visible_clients(&ctx)
        .filter(tenant::Column::Id.eq(id.uuid()))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("client workspace"))?;
    Ok(web::Json(ClientOut::of(row, ctx.tenant_id)))
}

/// The clients of the tenant acted on that the principal may see.
fn visible_clients(ctx: &TenantCtx) -> Select<tenant::Entity> {
    let select = tenant::Entity::find_clients_of(ctx.tenant_id.uuid());
    match &ctx.principal {
        Principal::ApiKey(key) => match &key.allowed_tenants {
            Some(ids) => select.filter(tenant::Column::Id.is_in(ids.iter().map(|t| t.uuid()).collect::<Vec<_>>())),
            None => select,
        },
        Principal::User { .. } => select,
    }
}
