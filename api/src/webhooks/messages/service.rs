//! Reading webhook messages. Tenants read only through `webhook_message::Entity::find_in`.

use entities::webhook_message;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};

use super::dto::{WebhookMessageList, WebhookMessageOut, WebhookMessageQuery};
use crate::{
    audit::service::page_request,
    error::{ApiError, ApiResult, FieldError},
    platform::{
        ids::{TenantId, WebhookMessageId},
        pagination::fetch_page,
    },
    webhooks::payload,
};

/// One page of the tenant's messages, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %tenant))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    q: WebhookMessageQuery,
) -> ApiResult<WebhookMessageList> {
    let mut select = webhook_message::Entity::find_in(tenant.uuid());
    if let Some(event_type) = q.event_type {
        if !payload::is_message_type(&event_type) {
            return Err(ApiError::Validation {
                errors: vec![FieldError::new(
                    "event_type",
                    "unknown_event_type",
                    format!("`{event_type}` is not an event type (e.g. `contact.created`, or `webhook.test`)"),
                )],
            });
        }
        select = select.filter(webhook_message::Column::EventType.eq(event_type));
    }
    let page = fetch_page(db, select, webhook_message::Column::Id, |m| m.id, page_request(q.limit, q.cursor)?).await?;
    Ok(page.map(WebhookMessageOut::from).into())
}

/// One message row of the tenant (another tenant's is 404).
pub async fn find<C: ConnectionTrait>(
    db: &C,
    tenant: TenantId,
    id: WebhookMessageId,
) -> ApiResult<webhook_message::Model> {
    webhook_message::Entity::find_one_in(tenant.uuid(), id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("webhook message"))
}

/// One message of the tenant.
#[tracing::instrument(skip_all, fields(tenant_id = %tenant))]
pub async fn get<C: ConnectionTrait>(db: &C, tenant: TenantId, id: WebhookMessageId) -> ApiResult<WebhookMessageOut> {
    find(db, tenant, id).await.map(WebhookMessageOut::from)
}
