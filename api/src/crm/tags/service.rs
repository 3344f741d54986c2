//! Tag rules. Names are unique per organisation regardless of case: the lower-cased name is
//! stored in `name_key`, which a unique index covers, so concurrent creates of `VIP` and `vip`
//! give one tag and one 409 on both backends. Deleting a tag removes it from every contact (the
//! `contact_tags` rows go with it through their foreign key).

use chrono::{SubsecRound, Utc};
use entities::tag;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter,
    SqlErr,
};

use super::dto::{TagIn, TagList, TagOut, TagPatch, hex_color};
use crate::{
    error::{ApiError, ApiResult, FieldError},
    platform::{
        auth::TenantCtx,
        db::begin_write,
        ids::TagId,
        pagination::{ListParams, fetch_page},
    },
    state::AppState,
};

const MAX_NAME_CHARS: usize = 100;

fn name_taken() -> ApiError {
    ApiError::conflict_on(
        "name",
        "tag_name_taken",
        "Another tag already has this name (names are compared ignoring case).",
    )
}

/// The trimmed name and its lower-cased key.
fn name_and_key(name: &str) -> ApiResult<(String, String)> {
    let name = name.trim().to_owned();
    let key = name.to_lowercase();
    if key.chars().count() > MAX_NAME_CHARS {
        // A few characters grow when lower-cased; the key column holds 100.
        return Err(ApiError::Validation {
            errors: vec![FieldError::new("name", "length", "must be between 1 and 100 characters")],
        });
    }
    Ok((name, key))
}

/// A unique violation on insert or update is a name conflict (the only unique key besides id).
fn map_unique(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => name_taken(),
        _ => err.into(),
    }
}

async fn name_in_use<C: ConnectionTrait>(
    db: &C,
    ctx: &TenantCtx,
    key: &str,
    except: Option<uuid::Uuid>,
) -> ApiResult<bool> {
    let mut q = tag::Entity::find_in(ctx.tenant_id.uuid()).filter(tag::Column::NameKey.eq(key));
    if let Some(id) = except {
        q = q.filter(tag::Column::Id.ne(id));
    }
    Ok(q.one(db).await?.is_some())
}

async fn find<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, id: TagId) -> ApiResult<tag::Model> {
    tag::Entity::find_in(ctx.tenant_id.uuid())
        .filter(tag::Column::Id.eq(id.uuid()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("tag"))
}

/// Creates a tag.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: TagIn) -> ApiResult<TagOut> {
    let (name, name_key) = name_and_key(&input.name)?;
    let now = Utc::now().trunc_subsecs(6);
    let row = tag::Model {
        id: TagId::generate().uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        name,
        name_key,
        color: input.color.map(|c| c.to_ascii_lowercase()),
        created_at: now,
        updated_at: now,
    };
    let txn = begin_write(&state.db).await?;
    if name_in_use(&txn, ctx, &row.name_key, None).await? {
        return Err(name_taken());
    }
    tag::Entity::insert(tag::ActiveModel::from(row.clone())).exec_without_returning(&txn).await.map_err(map_unique)?;
    txn.commit().await?;
    Ok(row.into())
}

/// Lists tags, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ListParams) -> ApiResult<TagList> {
    let page = fetch_page(
        &state.db,
        tag::Entity::find_in(ctx.tenant_id.uuid()),
        tag::Column::Id,
        |m| m.id,
        params.page_request()?,
    )
    .await?;
    Ok(page.map(TagOut::from).into())
}

/// One tag.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: TagId) -> ApiResult<TagOut> {
    find(&state.db, ctx, id).await.map(TagOut::from)
}

/// Renames or recolours a tag.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(state: &AppState, ctx: &TenantCtx, id: TagId, input: TagPatch) -> ApiResult<TagOut> {
    if let Some(Err(err)) = input.color.as_value().map(|c| hex_color(c)) {
        let message = err.message.map_or_else(String::new, |m| m.to_string());
        return Err(ApiError::Validation { errors: vec![FieldError::new("color", "color", message)] });
    }
    let name = input.name.as_deref().map(name_and_key).transpose()?;
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let mut row = tag::ActiveModel::from(current.clone());
    if let Some((name, key)) = name {
        if key != current.name_key && name_in_use(&txn, ctx, &key, Some(current.id)).await? {
            return Err(name_taken());
        }
        row.name = Set(name);
        row.name_key = Set(key);
    }
    if !input.color.is_absent() {
        row.color = Set(input.color.apply(current.color.clone()).map(|c| c.to_ascii_lowercase()));
    }
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let updated = row.update(&txn).await.map_err(map_unique)?;
    txn.commit().await?;
    Ok(updated.into())
}

/// Deletes a tag; it disappears from every contact that had it.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: TagId) -> ApiResult<()> {
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    current.delete(&txn).await?;
    txn.commit().await?;
    tracing::info!(tag_id = %id, "tag deleted");
    Ok(())
}
