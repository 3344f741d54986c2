//! API-key business rules. Every query goes through the tenant-scoped finder.

use chrono::Utc;
use entities::api_key;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};

use super::dto::{ApiKeyCreatedOut, ApiKeyIn, ApiKeyList, ApiKeyOut};
use crate::{
    error::{ApiError, ApiResult},
    platform::{
        auth::{Principal, TenantCtx, api_keys::generate_secret},
        ids::ApiKeyId,
        pagination::{ListParams, fetch_page},
    },
    state::AppState,
};

/// Creates a key and returns its secret (the only time it is shown).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: ApiKeyIn) -> ApiResult<ApiKeyCreatedOut> {
    let secret = generate_secret();
    let created_by = match &ctx.principal {
        Principal::User { user_id, .. } => Some(user_id.uuid()),
        Principal::ApiKey(_) => None,
    };
    let row = api_key::Model {
        id: ApiKeyId::generate().uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        name: input.name.trim().to_owned(),
        prefix: secret.prefix,
        secret_hash: secret.hash,
        created_by,
        last_used_at: None,
        last_used_ip: None,
        scopes: String::new(),
        expires_at: None,
        allowed_tenant_ids: None,
        previous_secret_hash: None,
        previous_expires_at: None,
        revoked_at: None,
        created_at: Utc::now(),
    };
    api_key::Entity::insert(api_key::ActiveModel::from(row.clone())).exec_without_returning(&state.db).await?;
    tracing::info!(api_key_id = %ApiKeyId::from_uuid(row.id), "API key created");
    let out = ApiKeyOut::from(row);
    Ok(ApiKeyCreatedOut {
        id: out.id,
        name: out.name,
        prefix: out.prefix,
        created_at: out.created_at,
        last_used_at: out.last_used_at,
        secret: secret.secret,
    })
}

/// Lists live keys, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ListParams) -> ApiResult<ApiKeyList> {
    let page = fetch_page(
        &state.db,
        api_key::Entity::find_in(ctx.tenant_id.uuid()),
        api_key::Column::Id,
        |m| m.id,
        params.page_request()?,
    )
    .await?;
    Ok(page.map(ApiKeyOut::from).into())
}

async fn find(state: &AppState, ctx: &TenantCtx, id: ApiKeyId) -> ApiResult<api_key::Model> {
    api_key::Entity::find_in(ctx.tenant_id.uuid())
        .filter(api_key::Column::Id.eq(id.uuid()))
        .one(&state.db)
        .await?
        .ok_or_else(|| ApiError::not_found("API key"))
}

/// One key.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: ApiKeyId) -> ApiResult<ApiKeyOut> {
    find(state, ctx, id).await.map(ApiKeyOut::from)
}

/// Revokes a key: it stops authenticating at once on this node.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn revoke(state: &AppState, ctx: &TenantCtx, id: ApiKeyId) -> ApiResult<()> {
    let key = find(state, ctx, id).await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_key::Column::TenantId.eq(ctx.tenant_id.uuid()))
        .filter(api_key::Column::Id.eq(key.id))
        .exec(&state.db)
        .await?;
    state.api_keys.invalidate(&key.secret_hash);
    tracing::info!(api_key_id = %id, "API key revoked");
    Ok(())
}
