//! What deliveries do to their endpoint: a success ends a run of failures (`failing_since`
//! back to null); a failure starts one, and a run that has lasted `webhook_disable_after_secs`
//! disables the endpoint (`failing`); a `410 Gone` disables it at once (`gone`). Disabling is
//! one conditional update (only an enabled endpoint changes, so two workers cannot both do it)
//! and the `endpoint.disabled` event, in one transaction.
//!
//! The failure window runs on the job engine's clock (`JobContext::clock`), so tests can move
//! time by hand; the stored times are the wall clock.

use chrono::{DateTime, SubsecRound, Utc};
use entities::webhook_endpoint;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, QueryFilter, sea_query::Expr};

use crate::{
    error::ApiResult,
    events::{self, Event, dto::WebhookEndpointDisabledData},
    platform::{
        db::begin_write,
        generation,
        ids::{TenantId, WebhookEndpointId},
    },
    state::AppState,
    webhooks::DisabledReason,
};

fn time_of(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A delivery succeeded: the endpoint is healthy again (a write only if it was failing).
pub async fn on_delivered(conn: &impl ConnectionTrait, endpoint: &webhook_endpoint::Model) -> Result<(), DbErr> {
    if endpoint.failing_since.is_none() {
        return Ok(());
    }
    webhook_endpoint::Entity::update_in(endpoint.tenant_id)
        .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
        .exec(conn)
        .await?;
    Ok(())
}

/// A delivery failed at `now_ms` (engine clock). Starts the failure window, or disables the
/// endpoint when the window is over; returns whether it did.
pub async fn on_failed(
    state: &AppState,
    endpoint: &webhook_endpoint::Model,
    now_ms: i64,
    disable_after_ms: i64,
) -> ApiResult<bool> {
    match endpoint.failing_since {
        None => {
            webhook_endpoint::Entity::update_in(endpoint.tenant_id)
                .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(time_of(now_ms)))
                .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
                .filter(webhook_endpoint::Column::FailingSince.is_null())
                .exec(&state.db)
                .await?;
            Ok(false)
        }
        Some(since) if now_ms.saturating_sub(since.timestamp_millis()) >= disable_after_ms => {
            disable(state, endpoint, DisabledReason::Failing).await
        }
        Some(_) => Ok(false),
    }
}

/// Disables an enabled endpoint for `reason` and appends `endpoint.disabled`; returns false
/// when it was already disabled (or deleted).
pub async fn disable(state: &AppState, endpoint: &webhook_endpoint::Model, reason: DisabledReason) -> ApiResult<bool> {
    let now = Utc::now().trunc_subsecs(6);
    let txn = begin_write(&state.db).await?;
    let changed = webhook_endpoint::Entity::update_in(endpoint.tenant_id)
        .col_expr(webhook_endpoint::Column::Enabled, Expr::value(false))
        .col_expr(webhook_endpoint::Column::DisabledReason, Expr::value(reason.as_str()))
        .col_expr(webhook_endpoint::Column::FailingSince, Expr::value(Option::<DateTime<Utc>>::None))
        .col_expr(webhook_endpoint::Column::UpdatedAt, Expr::value(now))
        .filter(webhook_endpoint::Column::Id.eq(endpoint.id))
        .filter(webhook_endpoint::Column::Enabled.eq(true))
        .exec(&txn)
        .await?
        .rows_affected
        == 1;
    if !changed {
        return Ok(false);
    }
    let tenant = TenantId::from_uuid(endpoint.tenant_id);
    let data = WebhookEndpointDisabledData {
        endpoint_id: WebhookEndpointId::from_uuid(endpoint.id),
        url: endpoint.url.clone(),
        reason,
        disabled_at: now,
    };
    events::append(&txn, tenant, Event::endpoint_disabled(&data)).await?;
    txn.commit().await?;
    if let Err(e) = generation::bump(&state.db, endpoint.tenant_id).await {
        tracing::warn!(error = %e, "bumping the tenant's data generation failed");
    }
    tracing::warn!(
        tenant_id = %tenant,
        endpoint_id = %data.endpoint_id,
        reason = reason.as_str(),
        "webhook endpoint disabled"
    );
    Ok(true)
}
