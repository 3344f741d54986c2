//! API-key business rules. Every query goes through the tenant-scoped finder. A key never gets
//! more than its creator holds: a scoped key may only grant (or rotate keys holding) scopes it
//! holds, client restrictions and expiry are inherited from a restricted or expiring creator.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use entities::{api_key, tenant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;

use super::dto::{ApiKeyCreatedOut, ApiKeyIn, ApiKeyList, ApiKeyOut, RotateApiKeyIn, allowed_tenants};
use crate::{
    audit::{self, AuditEvent, action},
    error::{ApiError, ApiResult, FieldError},
    events::{self, Event},
    platform::{
        auth::{KeyScopes, Principal, Scope, TenantCtx, api_keys::generate_secret},
        db::begin_write,
        ids::{ApiKeyId, TenantId},
        pagination::{ListParams, fetch_page},
        request_meta::RequestMeta,
    },
    state::AppState,
};

/// The longest lifetime a key may be given.
const MAX_LIFETIME_DAYS: i64 = 2 * 366;

fn invalid(field: impl Into<String>, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::Validation { errors: vec![FieldError::new(field, code, message)] }
}

/// The scopes to store: the requested list (each a known scope the caller holds), or the
/// caller's own scopes when none are requested.
fn resolve_scopes(
    ctx: &TenantCtx,
    requested: Option<&[crate::platform::auth::scopes::ScopeName]>,
) -> ApiResult<KeyScopes> {
    let Some(requested) = requested else { return Ok(ctx.scopes.clone()) };
    if requested.is_empty() {
        return Err(invalid("scopes", "length", "must hold at least one scope"));
    }
    let mut scopes: Vec<Scope> = Vec::new();
    for (i, name) in requested.iter().enumerate() {
        let scope = Scope::parse(name.0.trim()).ok_or_else(|| {
            invalid(
                format!("scopes[{i}]"),
                "unknown_scope",
                format!("`{}` is not a scope; scopes are `<resource>:read` or `<resource>:write`", name.0),
            )
        })?;
        if !ctx.scopes.allows(scope) {
            return Err(invalid(
                format!("scopes[{i}]"),
                "scope_not_held",
                format!("you cannot grant `{scope}`: this API key does not hold it"),
            ));
        }
        if !scopes.contains(&scope) {
            scopes.push(scope);
        }
    }
    Ok(KeyScopes::Only(scopes))
}

fn stored_scopes(scopes: &KeyScopes) -> String {
    match scopes {
        KeyScopes::All => String::new(),
        KeyScopes::Only(list) => list.iter().map(ToString::to_string).collect::<Vec<_>>().join(" "),
    }
}

/// The creating key's own limits (none for people).
fn creator_key(ctx: &TenantCtx) -> Option<&crate::platform::auth::ResolvedApiKey> {
    match &ctx.principal {
        Principal::ApiKey(key) => Some(key),
        Principal::User { .. } => None,
    }
}

fn resolve_expiry(ctx: &TenantCtx, requested: Option<DateTime<Utc>>) -> ApiResult<Option<DateTime<Utc>>> {
    let now = Utc::now();
    let creator_until = creator_key(ctx).and_then(|k| k.valid_until);
    let Some(at) = requested.map(|at| at.trunc_subsecs(6)) else { return Ok(creator_until) };
    if at <= now {
        return Err(invalid("expires_at", "in_past", "must be in the future"));
    }
    if at > now + Duration::days(MAX_LIFETIME_DAYS) {
        return Err(invalid("expires_at", "too_far", "must be at most two years ahead"));
    }
    if creator_until.is_some_and(|until| at > until) {
        return Err(invalid("expires_at", "after_creator_expiry", "must not be later than this API key's own expiry"));
    }
    Ok(Some(at))
}

/// The client restriction to store (space-separated UUIDs; `None`: every client).
async fn resolve_allowed<C: ConnectionTrait>(
    db: &C,
    ctx: &TenantCtx,
    requested: Option<&[TenantId]>,
) -> ApiResult<Option<Vec<TenantId>>> {
    // A key made by a restricted agency key, in the agency itself, inherits the restriction.
    let creator_allowed = creator_key(ctx).filter(|_| !ctx.via_agency()).and_then(|k| k.allowed_tenants.clone());
    let Some(requested) = requested else { return Ok(creator_allowed) };
    let org = tenant::Entity::find_by_id(ctx.tenant_id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("organisation"))?;
    if org.kind != "agency" {
        return Err(invalid(
            "allowed_organization_ids",
            "not_an_agency",
            "only an agency organisation's keys can be restricted to client workspaces",
        ));
    }
    let mut ids: Vec<TenantId> = Vec::new();
    for (i, id) in requested.iter().enumerate() {
        let client = tenant::Entity::find_clients_of(org.id).filter(tenant::Column::Id.eq(id.uuid())).one(db).await?;
        let held = creator_allowed.as_ref().is_none_or(|allowed| allowed.contains(id));
        if client.is_none_or(|c| c.kind != "client") || !held {
            return Err(invalid(
                format!("allowed_organization_ids[{i}]"),
                "not_a_client",
                format!("`{id}` is not a client workspace of this agency that you can reach"),
            ));
        }
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    Ok(Some(ids))
}

fn stored_allowed(ids: Option<&[TenantId]>) -> Option<String> {
    ids.map(|ids| ids.iter().map(|id| id.uuid().to_string()).collect::<Vec<_>>().join(" "))
}

/// Creates a key and returns its secret (the only time it is shown).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(
    state: &AppState,
    ctx: &TenantCtx,
    meta: &RequestMeta,
    input: ApiKeyIn,
) -> ApiResult<ApiKeyCreatedOut> {
    let scopes = resolve_scopes(ctx, input.scopes.as_deref())?;
    let expires_at = resolve_expiry(ctx, input.expires_at)?;
    let allowed = resolve_allowed(&state.db, ctx, input.allowed_organization_ids.as_deref()).await?;
    let secret = generate_secret();
    let row = api_key::Model {
        id: ApiKeyId::generate().uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        name: input.name.trim().to_owned(),
        prefix: secret.prefix,
        secret_hash: secret.hash,
        created_by: ctx.principal.user_id().map(|u| u.uuid()),
        last_used_at: None,
        last_used_ip: None,
        scopes: stored_scopes(&scopes),
        expires_at,
        allowed_tenant_ids: stored_allowed(allowed.as_deref()),
        previous_secret_hash: None,
        previous_expires_at: None,
        revoked_at: None,
        // Microseconds: what PostgreSQL stores, so that responses match later reads.
        created_at: Utc::now().trunc_subsecs(6),
    };
    let out = ApiKeyOut::from(row.clone());
    let txn = begin_write(&state.db).await?;
    api_key::Entity::insert(api_key::ActiveModel::from(row)).exec_without_returning(&txn).await?;
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::API_KEY_CREATED).target("api_key", out.id).metadata(json!({
            "name": out.name,
            "prefix": out.prefix,
            "scopes": out.scopes,
            "expires_at": out.expires_at,
            "allowed_organization_ids": out.allowed_organization_ids,
        })),
    )
    .await?;
    events::append(&txn, ctx.tenant_id, Event::api_key_created(&out)).await?;
    txn.commit().await?;
    tracing::info!(api_key_id = %out.id, "API key created");
    Ok(ApiKeyCreatedOut::new(out, secret.secret))
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

async fn find<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, id: ApiKeyId) -> ApiResult<api_key::Model> {
    api_key::Entity::find_in(ctx.tenant_id.uuid())
        .filter(api_key::Column::Id.eq(id.uuid()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("API key"))
}

/// One key.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: ApiKeyId) -> ApiResult<ApiKeyOut> {
    find(&state.db, ctx, id).await.map(ApiKeyOut::from)
}

/// A scoped or restricted key may not take over (rotate) a key that holds more than it does.
fn ensure_caller_covers(ctx: &TenantCtx, key: &api_key::Model) -> ApiResult<()> {
    let Some(caller) = creator_key(ctx) else { return Ok(()) };
    let target = KeyScopes::from_stored(&key.scopes);
    let scopes_ok = match (&caller.scopes, &target) {
        (KeyScopes::All, _) => true,
        (KeyScopes::Only(_), KeyScopes::All) => false,
        (held, KeyScopes::Only(list)) => list.iter().all(|s| held.allows(*s)),
    };
    let clients_ok = match (&caller.allowed_tenants, allowed_tenants(key.allowed_tenant_ids.as_deref())) {
        (None, _) => true,
        (Some(_), None) => ctx.via_agency(),
        (Some(held), Some(list)) => ctx.via_agency() || list.iter().all(|id| held.contains(id)),
    };
    let longer = match (caller.valid_until, key.expires_at) {
        (None, _) => false,
        (Some(_), None) => true,
        (Some(until), Some(at)) => at > until,
    };
    if scopes_ok && clients_ok && !longer {
        return Ok(());
    }
    Err(ApiError::Forbidden {
        code: "key_exceeds_caller",
        detail: "This API key cannot rotate a key that holds more scopes, clients or lifetime than itself.".into(),
        required_scope: None,
    })
}

/// Gives a key a new secret. The previous secret keeps working for the grace period.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn rotate(
    state: &AppState,
    ctx: &TenantCtx,
    meta: &RequestMeta,
    id: ApiKeyId,
    input: RotateApiKeyIn,
) -> ApiResult<ApiKeyCreatedOut> {
    let grace = input.grace_period_secs.map_or(state.settings.api_key_rotation_grace_secs, u64::from);
    let txn = begin_write(&state.db).await?;
    let key = find(&txn, ctx, id).await?;
    ensure_caller_covers(ctx, &key)?;
    let secret = generate_secret();
    let now = Utc::now().trunc_subsecs(6);
    let grace_end = now + Duration::seconds(i64::try_from(grace).unwrap_or(i64::MAX / 1000).min(604_800));
    let (previous_hash, previous_until) =
        if grace == 0 { (None, None) } else { (Some(key.secret_hash.clone()), Some(grace_end)) };
    api_key::Entity::update_many()
        .col_expr(api_key::Column::Prefix, Expr::value(secret.prefix.clone()))
        .col_expr(api_key::Column::SecretHash, Expr::value(secret.hash.clone()))
        .col_expr(api_key::Column::PreviousSecretHash, Expr::value(previous_hash.clone()))
        .col_expr(api_key::Column::PreviousExpiresAt, Expr::value(previous_until))
        .filter(api_key::Column::TenantId.eq(ctx.tenant_id.uuid()))
        .filter(api_key::Column::Id.eq(key.id))
        .exec(&txn)
        .await?;
    let updated = api_key::Model {
        prefix: secret.prefix.clone(),
        secret_hash: secret.hash.clone(),
        previous_secret_hash: previous_hash,
        previous_expires_at: previous_until,
        ..key.clone()
    };
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::API_KEY_ROTATED).target("api_key", id).metadata(json!({
            "name": updated.name,
            "prefix": updated.prefix,
            "previous_prefix": key.prefix,
            "grace_period_secs": grace,
        })),
    )
    .await?;
    let out = ApiKeyOut::from(updated);
    events::append(&txn, ctx.tenant_id, Event::api_key_rotated(&out)).await?;
    txn.commit().await?;
    // The old secret must be re-resolved (now as the previous one, with its grace end); a secret
    // rotated out earlier stops at once.
    state.api_keys.invalidate(&key.secret_hash);
    if let Some(older) = &key.previous_secret_hash {
        state.api_keys.invalidate(older);
    }
    tracing::info!(api_key_id = %id, grace_period_secs = grace, "API key rotated");
    Ok(ApiKeyCreatedOut::new(out, secret.secret))
}

/// Revokes a key: it (and a rotated-out secret) stops authenticating at once on this node.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn revoke(state: &AppState, ctx: &TenantCtx, meta: &RequestMeta, id: ApiKeyId) -> ApiResult<()> {
    let txn = begin_write(&state.db).await?;
    let key = find(&txn, ctx, id).await?;
    api_key::Entity::update_many()
        .col_expr(api_key::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(api_key::Column::TenantId.eq(ctx.tenant_id.uuid()))
        .filter(api_key::Column::Id.eq(key.id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        meta,
        AuditEvent::by(ctx, action::API_KEY_REVOKED)
            .target("api_key", id)
            .metadata(json!({ "name": key.name, "prefix": key.prefix })),
    )
    .await?;
    events::append(&txn, ctx.tenant_id, Event::api_key_revoked(&ApiKeyOut::from(key.clone()))).await?;
    txn.commit().await?;
    state.api_keys.invalidate(&key.secret_hash);
    if let Some(previous) = &key.previous_secret_hash {
        state.api_keys.invalidate(previous);
    }
    tracing::info!(api_key_id = %id, "API key revoked");
    Ok(())
}
