//! `POST /v1/contacts/bulk-delete`: deletes the contacts matching a filter, in one transaction,
//! or only counts them (`dry_run`). An empty filter is refused (`filter_required`); `*` is the
//! explicit way to delete every contact of the organisation.

use actix_web::{post, web};
use std::collections::HashSet;

use entities::contact;
use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::service::to_out_many;
use crate::{
    crm::filter,
    error::{ApiError, ApiResult, FieldError},
    events::{self, Event},
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        db::begin_write,
        extract::ValidatedJson,
    },
    state::AppState,
};

/// Which contacts to delete.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDeleteIn {
    /// A filter expression (see the filtering guide); `*` matches every contact. Required and
    /// not blank, so that nobody deletes a whole organisation by forgetting it.
    #[schema(max_length = 4000, example = "tags[any]:test,created_at[lt]:2026-01-01")]
    pub filter: String,
    /// Only count the matching contacts; delete nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// The outcome of a bulk delete.
#[derive(Debug, Serialize, ToSchema)]
pub struct BulkDeleteOut {
    /// How many contacts matched the filter.
    pub matched: u64,
    /// How many were deleted (0 on a dry run).
    pub deleted: u64,
}

/// Delete the contacts matching a filter
///
/// Deletes every contact matching `filter` (with their tags, notes and segment memberships) in
/// one transaction, and answers how many matched and were deleted. With `dry_run: true`
/// nothing is deleted: use it to check the count first. A blank filter is 422
/// `filter_required`; pass `*` to delete every contact. A bad filter is 422 with an
/// `invalid_filter` field error naming the position. Needs `contacts:write`.
#[utoipa::path(
    operation_id = "bulk_delete_contacts",
    tag = "contacts",
    security(("bearer" = [])),
    request_body = BulkDeleteIn,
    responses(
        (status = 200, description = "How many contacts matched and were deleted.", body = BulkDeleteOut),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 413, response = crate::openapi::PayloadTooLarge),
        (status = 415, response = crate::openapi::UnsupportedMediaType),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[post("/contacts/bulk-delete")]
pub async fn bulk_delete_contacts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    body: ValidatedJson<BulkDeleteIn>,
) -> ApiResult<web::Json<BulkDeleteOut>> {
    ctx.require(Scope::new(Resource::Contacts, Access::Write))?;
    Ok(web::Json(delete_matching(&state, &ctx, body.0).await?))
}

#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id, dry_run = input.dry_run))]
async fn delete_matching(state: &AppState, ctx: &TenantCtx, input: BulkDeleteIn) -> ApiResult<BulkDeleteOut> {
    if input.filter.trim().is_empty() {
        return Err(ApiError::Validation {
            errors: vec![FieldError::new(
                "filter",
                "filter_required",
                "give a filter; `*` deletes every contact of the organisation",
            )],
        });
    }
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let condition = filter::contact_condition_in_body(&txn, tenant_id, &input.filter, "filter").await?;
    let matched = filter::count_matching(&txn, tenant_id, condition.clone()).await?;
    let deleted = if input.dry_run || matched == 0 { 0 } else { exec_delete(&txn, ctx, condition).await? };
    txn.commit().await?;
    Ok(BulkDeleteOut { matched, deleted })
}

/// Contacts read, deleted and announced per round.
const BATCH: u64 = 500;

/// Deletes the matching contacts in id order, `BATCH` at a time, appending one `contact.deleted`
/// per deleted contact (the contact as it was, tags included) in the same transaction.
async fn exec_delete<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, condition: sea_orm::Condition) -> ApiResult<u64> {
    let tenant_id = ctx.tenant_id.uuid();
    let mut deleted = 0;
    let mut after = None;
    loop {
        let mut select = contact::Entity::find_in(tenant_id)
            .filter(condition.clone())
            .order_by_asc(contact::Column::Id)
            .limit(BATCH);
        if let Some(after) = after {
            select = select.filter(contact::Column::Id.gt(after));
        }
        let rows = select.all(db).await?;
        let Some(last) = rows.last().map(|c| c.id) else { break };
        let full = rows.len() as u64 == BATCH;
        let ids: Vec<uuid::Uuid> = rows.iter().map(|c| c.id).collect();
        let outs = to_out_many(db, tenant_id, rows).await?;
        // Only what this statement deleted is announced (a concurrent delete announces its own).
        let gone: HashSet<uuid::Uuid> = contact::Entity::delete_in(tenant_id)
            .filter(contact::Column::Id.is_in(ids))
            .exec_with_returning(db)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        deleted += gone.len() as u64;
        events::append_many(
            db,
            ctx.tenant_id,
            outs.iter().filter(|c| gone.contains(&c.id.uuid())).map(Event::contact_deleted),
        )
        .await?;
        if !full {
            break;
        }
        after = Some(last);
    }
    Ok(deleted)
}
