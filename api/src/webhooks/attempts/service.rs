//! Reading delivery attempts. Tenants read only through `webhook_attempt::Entity::find_in`; the
//! message or endpoint in the path must be the tenant's (404 otherwise).

use entities::{webhook_attempt, webhook_endpoint};
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, Select};

use super::dto::{WebhookAttemptList, WebhookAttemptOut, WebhookAttemptQuery};
use crate::{
    audit::service::page_request,
    error::{ApiError, ApiResult},
    platform::{
        ids::{TenantId, WebhookAttemptId, WebhookEndpointId, WebhookMessageId},
        pagination::fetch_page,
    },
    webhooks::messages,
};

async fn page<C: ConnectionTrait>(
    db: &C,
    mut select: Select<webhook_attempt::Entity>,
    q: WebhookAttemptQuery,
) -> ApiResult<WebhookAttemptList> {
    if let Some(status) = q.status {
        select = select.filter(webhook_attempt::Column::Status.eq(status.as_str()));
    }
    let page = fetch_page(db, select, webhook_attempt::Column::Id, |m| m.id, page_request(q.limit, q.cursor)?).await?;
    Ok(page.map(WebhookAttemptOut::from).into())
}

/// The attempts of one message, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %tenant))]
pub async fn of_message<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    message: WebhookMessageId,
    q: WebhookAttemptQuery,
) -> ApiResult<WebhookAttemptList> {
    messages::service::find(db, tenant, message).await?;
    let select =
        webhook_attempt::Entity::find_in(tenant.uuid()).filter(webhook_attempt::Column::MessageId.eq(message.uuid()));
    page(db, select, q).await
}

/// The attempts to one endpoint, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %tenant))]
pub async fn of_endpoint<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    endpoint: WebhookEndpointId,
    q: WebhookAttemptQuery,
) -> ApiResult<WebhookAttemptList> {
    webhook_endpoint::Entity::find_one_in(tenant.uuid(), endpoint.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook endpoint"))?;
    let select =
        webhook_attempt::Entity::find_in(tenant.uuid()).filter(webhook_attempt::Column::EndpointId.eq(endpoint.uuid()));
    page(db, select, q).await
}

/// One attempt of the tenant (another tenant's is 404).
#[tracing::instrument(skip_all, fields(tenant_id = %tenant))]
pub async fn get<C: ConnectionTrait>(db: &C, tenant: TenantId, id: WebhookAttemptId) -> ApiResult<WebhookAttemptOut> {
    webhook_attempt::Entity::find_one_in(tenant.uuid(), id.uuid())
        .one(db)
        .await?
        .map(WebhookAttemptOut::from)
        .ok_or_else(|| ApiError::not_found("webhook attempt"))
}
