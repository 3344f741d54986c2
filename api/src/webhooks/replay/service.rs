//! Replays and test sends. Each writes its messages and jobs in one transaction, then wakes the
//! worker. A disabled endpoint is refused (`409 webhook_endpoint_disabled`): enable it first.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use entities::{webhook_attempt, webhook_endpoint, webhook_message};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::dto::{ReplayFailedWebhookMessagesIn, ReplayWebhookMessageIn, WebhookReplayOut};
use crate::{
    error::{ApiError, ApiResult},
    platform::{
        auth::TenantCtx,
        db::begin_write,
        ids::{TenantId, WebhookEndpointId, WebhookMessageId},
        jobs,
    },
    state::AppState,
    webhooks::{
        DisabledReason,
        delivery::{Trigger, attempt::FAILED},
        fanout,
        messages::{self, dto::WebhookMessageOut},
        payload::{self, TEST_EVENT_TYPE, WebhookTestData},
        queue,
    },
};

async fn enabled_endpoint<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    id: WebhookEndpointId,
) -> ApiResult<webhook_endpoint::Model> {
    let endpoint = webhook_endpoint::Entity::find_one_in(tenant.uuid(), id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    if !endpoint.enabled {
        let reason = endpoint.disabled_reason.as_deref().and_then(DisabledReason::from_stored);
        let why = reason.map(|r| format!(" (disabled_reason: {})", r.as_str())).unwrap_or_default();
        return Err(ApiError::conflict(
            "webhook_endpoint_disabled",
            format!("The webhook endpoint is disabled{why}; enable it (`enabled: true`) before sending to it."),
        ));
    }
    Ok(endpoint)
}

fn out(queued: u64) -> WebhookReplayOut {
    WebhookReplayOut { queued: u32::try_from(queued).unwrap_or(u32::MAX) }
}

/// Sends a message again: to `endpoint_id`, or to every enabled endpoint that takes its type.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn replay_message(
    state: &AppState,
    ctx: &TenantCtx,
    id: WebhookMessageId,
    input: ReplayWebhookMessageIn,
) -> ApiResult<WebhookReplayOut> {
    let tenant = ctx.tenant_id;
    let txn = begin_write(&state.db).await?;
    let message = messages::service::find(&txn, tenant, id).await?;
    let targets: Vec<Uuid> = match (input.endpoint_id, message.endpoint_id) {
        (Some(endpoint), _) => vec![enabled_endpoint(&txn, tenant, endpoint).await?.id],
        (None, Some(test_target)) => {
            webhook_endpoint::Entity::find_enabled_in(tenant.uuid())
                .filter(webhook_endpoint::Column::Id.eq(test_target))
                .select_only()
                .column(webhook_endpoint::Column::Id)
                .into_tuple()
                .all(&txn)
                .await?
        }
        (None, None) => fanout::subscribers_of(&txn, tenant, &message.event_type).await?,
    };
    let pairs: Vec<_> = targets.into_iter().map(|e| (id, WebhookEndpointId::from_uuid(e))).collect();
    let queued = queue::send_now(&txn, tenant, &pairs, Trigger::Manual).await?;
    txn.commit().await?;
    jobs::wake();
    tracing::info!(message_id = %id, queued, "webhook message replayed");
    Ok(out(queued))
}

/// The messages whose latest attempt to `endpoint` failed at or after `since`.
async fn failed_since<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    endpoint: Uuid,
    since: DateTime<Utc>,
) -> ApiResult<Vec<Uuid>> {
    use webhook_attempt::Column as C;
    let (a, b) = (Alias::new("a"), Alias::new("b"));
    // Ids are UUIDv7 taken when the attempt is recorded: the smallest id of a second before
    // `since` bounds the index range; `created_at` decides.
    let bound = first_id_of(since - Duration::seconds(1)).unwrap_or(Uuid::nil());
    let later = Query::select()
        .expr(Expr::val(1))
        .from_as(webhook_attempt::Entity, b.clone())
        .and_where(Expr::col((b.clone(), C::TenantId)).equals((a.clone(), C::TenantId)))
        .and_where(Expr::col((b.clone(), C::EndpointId)).equals((a.clone(), C::EndpointId)))
        .and_where(Expr::col((b.clone(), C::MessageId)).equals((a.clone(), C::MessageId)))
        .and_where(Expr::col((b, C::Id)).gt(Expr::col((a.clone(), C::Id))))
        .to_owned();
    let query = Query::select()
        .column((a.clone(), C::MessageId))
        .from_as(webhook_attempt::Entity, a.clone())
        .and_where(Expr::col((a.clone(), C::TenantId)).eq(tenant.uuid()))
        .and_where(Expr::col((a.clone(), C::EndpointId)).eq(endpoint))
        .and_where(Expr::col((a.clone(), C::Status)).eq(FAILED))
        .and_where(Expr::col((a.clone(), C::Id)).gte(bound))
        .and_where(Expr::col((a.clone(), C::CreatedAt)).gte(since))
        .and_where(Expr::exists(later).not())
        .order_by((a, C::MessageId), sea_orm::sea_query::Order::Asc)
        .to_owned();
    let rows = db.query_all(&query).await?;
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        ids.push(row.try_get::<Uuid>("", "message_id")?);
    }
    Ok(ids)
}

/// The smallest UUIDv7 of the millisecond of `at`.
fn first_id_of(at: DateTime<Utc>) -> Option<Uuid> {
    let ms = u128::try_from(at.timestamp_millis()).ok()?;
    Some(Uuid::from_u128((ms << 80) | (0x7 << 76) | (0b10 << 62)))
}

/// Sends again every message whose latest attempt to the endpoint failed since `since`.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn replay_failed(
    state: &AppState,
    ctx: &TenantCtx,
    id: WebhookEndpointId,
    input: ReplayFailedWebhookMessagesIn,
) -> ApiResult<WebhookReplayOut> {
    let tenant = ctx.tenant_id;
    let txn = begin_write(&state.db).await?;
    let endpoint = enabled_endpoint(&txn, tenant, id).await?;
    let failed = failed_since(&txn, tenant, endpoint.id, input.since).await?;
    let pairs: Vec<_> = failed.into_iter().map(|m| (WebhookMessageId::from_uuid(m), id)).collect();
    let queued = queue::send_now(&txn, tenant, &pairs, Trigger::Manual).await?;
    txn.commit().await?;
    jobs::wake();
    tracing::info!(endpoint_id = %id, queued, "failed webhook messages replayed");
    Ok(out(queued))
}

/// Sends a `webhook.test` message to one endpoint.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn send_test(state: &AppState, ctx: &TenantCtx, id: WebhookEndpointId) -> ApiResult<WebhookMessageOut> {
    let tenant = ctx.tenant_id;
    let now = Utc::now().trunc_subsecs(6);
    let data = serde_json::to_value(WebhookTestData::new(id)).map_err(ApiError::internal)?;
    let body = payload::body(TEST_EVENT_TYPE, now, &data).map_err(ApiError::internal)?;
    let txn = begin_write(&state.db).await?;
    enabled_endpoint(&txn, tenant, id).await?;
    let message_id = WebhookMessageId::generate();
    let row = webhook_message::Model {
        id: message_id.uuid(),
        tenant_id: tenant.uuid(),
        event_id: None,
        event_type: TEST_EVENT_TYPE.to_owned(),
        endpoint_id: Some(id.uuid()),
        payload: body,
        created_at: now,
    };
    webhook_message::Entity::insert(webhook_message::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await?;
    queue::enqueue(&txn, vec![queue::delivery_job(tenant, message_id, id, Trigger::Manual)?]).await?;
    txn.commit().await?;
    jobs::wake();
    tracing::info!(endpoint_id = %id, message_id = %message_id, "webhook test message sent");
    Ok(row.into())
}
