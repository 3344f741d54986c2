//! Webhook endpoint rules. URLs pass the SSRF checks (`ssrf::validate_url`) when created or
//! changed; the resolution happens before any transaction opens. Secrets are sealed with
//! `ServerKeys` under a context bound to the endpoint's id, so a sealed value copied to another
//! row does not open. A rotation keeps the previous secret for `webhook_secret_grace_secs`;
//! `signing_secrets` gives the delivery job every secret that signs at a given time.

use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Duration, SubsecRound, Utc};
use entities::webhook_endpoint;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, QueryFilter};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use super::dto::{
    RotateWebhookSecretIn, WebhookEndpointIn, WebhookEndpointList, WebhookEndpointOut, WebhookEndpointPatchIn,
    WebhookEndpointSecretOut,
};
use crate::{
    error::{ApiError, ApiResult, FieldError},
    platform::{
        auth::TenantCtx,
        crypto::ServerKeys,
        db::begin_write,
        ids::{TenantId, WebhookEndpointId},
        pagination::{ListParams, fetch_page},
    },
    state::AppState,
    webhooks::{
        event_types,
        signature::EndpointSecret,
        ssrf::{self, SsrfPolicy},
    },
};

/// Why an endpoint is disabled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = WebhookEndpointDisabledReason)]
pub enum DisabledReason {
    /// Turned off through the API (`enabled: false`).
    Manual,
    /// Turned off by the server after deliveries kept failing.
    Failing,
    /// Turned off because the receiver answered `410 Gone`.
    Gone,
}

impl DisabledReason {
    /// The stored form (`webhook_endpoints.disabled_reason`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Manual => "manual",
            Self::Failing => "failing",
            Self::Gone => "gone",
        }
    }

    pub fn from_stored(s: &str) -> Option<Self> {
        [Self::Manual, Self::Failing, Self::Gone].into_iter().find(|r| r.as_str() == s)
    }
}

fn seal_context(id: Uuid) -> Vec<u8> {
    format!("webhook-endpoint-secret:{id}").into_bytes()
}

fn seal(keys: &ServerKeys, id: Uuid, secret: &EndpointSecret) -> String {
    STANDARD.encode(keys.seal(&seal_context(id), secret.as_bytes()))
}

fn open(keys: &ServerKeys, id: Uuid, sealed: &str) -> ApiResult<EndpointSecret> {
    STANDARD
        .decode(sealed)
        .ok()
        .and_then(|bytes| keys.open(&seal_context(id), &bytes))
        .and_then(|bytes| EndpointSecret::from_bytes(bytes).ok())
        .ok_or_else(|| {
            ApiError::internal(anyhow::anyhow!(
                "the secret of webhook endpoint {} cannot be unsealed (was jwt_secret changed?)",
                WebhookEndpointId::from_uuid(id)
            ))
        })
}

/// The secrets that sign a delivery to `endpoint` at `now`: the current one, then the previous
/// one while its grace period lasts.
pub fn secrets_of(
    keys: &ServerKeys,
    endpoint: &webhook_endpoint::Model,
    now: DateTime<Utc>,
) -> ApiResult<Vec<EndpointSecret>> {
    let mut secrets = vec![open(keys, endpoint.id, &endpoint.secret)?];
    if let (Some(previous), Some(until)) = (&endpoint.previous_secret, endpoint.previous_secret_expires_at)
        && until > now
    {
        secrets.push(open(keys, endpoint.id, previous)?);
    }
    Ok(secrets)
}

/// What the delivery job calls: the secrets that sign a delivery to one endpoint of `tenant` at
/// `now` (current first). An endpoint that does not exist (or belongs to another tenant) is a
/// 404 error.
pub async fn signing_secrets<C: ConnectionTrait>(
    db: &C,
    keys: &ServerKeys,
    tenant: TenantId,
    endpoint_id: WebhookEndpointId,
    now: DateTime<Utc>,
) -> ApiResult<Vec<EndpointSecret>> {
    let endpoint = webhook_endpoint::Entity::find_one_in(tenant.uuid(), endpoint_id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    secrets_of(keys, &endpoint, now)
}

fn to_out(m: webhook_endpoint::Model, now: DateTime<Utc>) -> WebhookEndpointOut {
    let event_types = match m.event_types {
        Value::Array(items) => items.into_iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    WebhookEndpointOut {
        id: WebhookEndpointId::from_uuid(m.id),
        url: m.url,
        description: m.description,
        event_types,
        enabled: m.enabled,
        disabled_reason: if m.enabled {
            None
        } else {
            m.disabled_reason.as_deref().and_then(DisabledReason::from_stored)
        },
        rate_limit_per_second: m.rate_limit_per_second.and_then(|n| u32::try_from(n).ok()),
        previous_secret_expires_at: m
            .previous_secret_expires_at
            .filter(|until| *until > now && m.previous_secret.is_some()),
        failing_since: m.failing_since.filter(|_| m.enabled),
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// Checks the event type names (each known, at most once; order kept) into a JSON array.
fn check_event_types(names: Vec<String>, errors: &mut Vec<FieldError>) -> Value {
    let mut kept: Vec<String> = Vec::with_capacity(names.len());
    for (i, name) in names.into_iter().enumerate() {
        if !event_types::is_known(&name) {
            errors.push(FieldError::new(
                format!("event_types[{i}]"),
                "unknown_event_type",
                format!("`{name}` is not an event type (e.g. `contact.created`)"),
            ));
        } else if !kept.contains(&name) {
            kept.push(name);
        }
    }
    Value::Array(kept.into_iter().map(Value::String).collect())
}

fn parse_secret(field: &str, raw: &str, errors: &mut Vec<FieldError>) -> Option<EndpointSecret> {
    EndpointSecret::parse(raw).map_err(|e| errors.push(FieldError::new(field, "invalid_secret", e.to_string()))).ok()
}

/// Runs the URL checks (DNS included); a refusal is added to `errors`.
async fn check_url(state: &AppState, raw: &str, errors: &mut Vec<FieldError>) -> Option<String> {
    match ssrf::validate_url(raw, &SsrfPolicy::from_settings(&state.settings)).await {
        Ok(url) => Some(url.to_string()),
        Err(e) => {
            errors.push(e.field_error("url"));
            None
        }
    }
}

fn validation(errors: Vec<FieldError>) -> ApiResult<()> {
    if errors.is_empty() { Ok(()) } else { Err(ApiError::Validation { errors }) }
}

fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

/// Creates an endpoint with a new (or the given) secret.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: WebhookEndpointIn) -> ApiResult<WebhookEndpointOut> {
    let mut errors = Vec::new();
    let event_types = check_event_types(input.event_types.unwrap_or_default(), &mut errors);
    let secret = match &input.secret {
        Some(raw) => parse_secret("secret", raw, &mut errors),
        None => Some(EndpointSecret::generate()),
    };
    let url = check_url(state, &input.url, &mut errors).await;
    validation(errors)?;
    let (Some(url), Some(secret)) = (url, secret) else {
        return Err(ApiError::internal(anyhow::anyhow!("checked webhook endpoint input is incomplete")));
    };
    let now = now();
    let id = WebhookEndpointId::generate();
    let enabled = input.enabled.unwrap_or(true);
    let row = webhook_endpoint::Model {
        id: id.uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        url,
        description: input.description,
        event_types,
        enabled,
        disabled_reason: (!enabled).then(|| DisabledReason::Manual.as_str().to_owned()),
        rate_limit_per_second: input.rate_limit_per_second.and_then(|n| i32::try_from(n).ok()),
        secret: seal(&state.keys, id.uuid(), &secret),
        previous_secret: None,
        previous_secret_expires_at: None,
        failing_since: None,
        created_at: now,
        updated_at: now,
    };
    webhook_endpoint::Entity::insert(webhook_endpoint::ActiveModel::from(row.clone()))
        .exec_without_returning(&state.db)
        .await?;
    tracing::info!(endpoint_id = %id, "webhook endpoint created");
    Ok(to_out(row, now))
}

/// Lists endpoints in id (creation) order.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ListParams) -> ApiResult<WebhookEndpointList> {
    let select = webhook_endpoint::Entity::find_in(ctx.tenant_id.uuid());
    let page = fetch_page(&state.db, select, webhook_endpoint::Column::Id, |m| m.id, params.page_request()?).await?;
    let now = Utc::now();
    Ok(page.map(|m| to_out(m, now)).into())
}

async fn find<C: ConnectionTrait>(
    db: &C,
    ctx: &TenantCtx,
    id: WebhookEndpointId,
) -> ApiResult<webhook_endpoint::Model> {
    webhook_endpoint::Entity::find_one_in(ctx.tenant_id.uuid(), id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))
}

/// One endpoint.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: WebhookEndpointId) -> ApiResult<WebhookEndpointOut> {
    find(&state.db, ctx, id).await.map(|m| to_out(m, Utc::now()))
}

/// Applies a patch: absent fields stay, `null` clears the description or the rate limit.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(
    state: &AppState,
    ctx: &TenantCtx,
    id: WebhookEndpointId,
    patch: WebhookEndpointPatchIn,
) -> ApiResult<WebhookEndpointOut> {
    let mut errors = patch.check();
    let event_types = patch.event_types.map(|names| check_event_types(names, &mut errors));
    // Resolve before taking the write lock: DNS can take seconds.
    let url = match &patch.url {
        Some(raw) => check_url(state, raw, &mut errors).await,
        None => None,
    };
    validation(errors)?;
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let mut next = current.clone();
    if let Some(url) = url
        && url != next.url
    {
        // A new address starts a new record of failures.
        next.url = url;
        next.failing_since = None;
    }
    next.description = patch.description.apply(next.description);
    if let Some(event_types) = event_types {
        next.event_types = event_types;
    }
    next.rate_limit_per_second = patch
        .rate_limit_per_second
        .try_map(i32::try_from)
        .map_err(ApiError::internal)?
        .apply(next.rate_limit_per_second);
    match patch.enabled {
        Some(true) if !current.enabled => {
            next.enabled = true;
            next.disabled_reason = None;
            next.failing_since = None;
        }
        Some(false) if current.enabled => {
            next.enabled = false;
            next.disabled_reason = Some(DisabledReason::Manual.as_str().to_owned());
        }
        _ => {}
    }
    if next == current {
        return Ok(to_out(current, Utc::now()));
    }
    next.updated_at = now();
    let mut active = current.into_active_model();
    active.url = Set(next.url.clone());
    active.description = Set(next.description.clone());
    active.event_types = Set(next.event_types.clone());
    active.enabled = Set(next.enabled);
    active.disabled_reason = Set(next.disabled_reason.clone());
    active.rate_limit_per_second = Set(next.rate_limit_per_second);
    active.failing_since = Set(next.failing_since);
    active.updated_at = Set(next.updated_at);
    webhook_endpoint::Entity::update_in(ctx.tenant_id.uuid())
        .set(active)
        .filter(webhook_endpoint::Column::Id.eq(next.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(to_out(next, Utc::now()))
}

/// Deletes an endpoint.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: WebhookEndpointId) -> ApiResult<()> {
    let result = webhook_endpoint::Entity::delete_in(ctx.tenant_id.uuid())
        .filter(webhook_endpoint::Column::Id.eq(id.uuid()))
        .exec(&state.db)
        .await?;
    if result.rows_affected == 0 {
        return Err(ApiError::not_found("webhook endpoint"));
    }
    tracing::info!(endpoint_id = %id, "webhook endpoint deleted");
    Ok(())
}

/// The endpoint's current secret.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn secret(state: &AppState, ctx: &TenantCtx, id: WebhookEndpointId) -> ApiResult<WebhookEndpointSecretOut> {
    let endpoint = find(&state.db, ctx, id).await?;
    Ok(WebhookEndpointSecretOut { key: open(&state.keys, endpoint.id, &endpoint.secret)?.expose() })
}

/// Replaces the secret; the current one becomes the previous secret for the grace period
/// (`webhook_secret_grace_secs`; 0 ends it at once). A previous secret still in its grace
/// period is dropped.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn rotate(
    state: &AppState,
    ctx: &TenantCtx,
    id: WebhookEndpointId,
    input: RotateWebhookSecretIn,
) -> ApiResult<WebhookEndpointOut> {
    let mut errors = Vec::new();
    let new_secret = match &input.key {
        Some(raw) => parse_secret("key", raw, &mut errors),
        None => Some(EndpointSecret::generate()),
    };
    validation(errors)?;
    let Some(new_secret) = new_secret else {
        return Err(ApiError::internal(anyhow::anyhow!("checked webhook secret is missing")));
    };
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let now = now();
    let grace = i64::try_from(state.settings.webhook_secret_grace_secs).unwrap_or(i64::MAX);
    let (previous, until) =
        if grace > 0 { (Some(current.secret.clone()), Some(now + Duration::seconds(grace))) } else { (None, None) };
    let mut next = current.clone();
    next.secret = seal(&state.keys, current.id, &new_secret);
    next.previous_secret = previous;
    next.previous_secret_expires_at = until;
    next.updated_at = now;
    let mut active = current.into_active_model();
    active.secret = Set(next.secret.clone());
    active.previous_secret = Set(next.previous_secret.clone());
    active.previous_secret_expires_at = Set(next.previous_secret_expires_at);
    active.updated_at = Set(next.updated_at);
    webhook_endpoint::Entity::update_in(ctx.tenant_id.uuid())
        .set(active)
        .filter(webhook_endpoint::Column::Id.eq(next.id))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    tracing::info!(endpoint_id = %id, "webhook endpoint secret rotated");
    Ok(to_out(next, now))
}
