//! Product rules. The SKU is unique per tenant regardless of case: the service stores a
//! lower-cased `sku_key` under a unique index, and a unique violation (including a lost race
//! between two concurrent writes) is the 409 `sku_taken` naming `sku`.

use chrono::{SubsecRound, Utc};
use entities::{field_definition, product};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel, QueryFilter, SqlErr,
    sea_query::{Condition, Expr, ExprTrait, Func},
};
use serde_json::{Map, Value};

use super::dto::{ProductIn, ProductList, ProductListParams, ProductOut, ProductPatchIn};
use crate::{
    crm::values::{
        Mode,
        custom_fields::{merge_patch, validate_custom_fields},
    },
    error::{ApiError, ApiResult},
    events::{self, Event},
    platform::{auth::TenantCtx, db::begin_write, ids::ProductId, pagination::fetch_page, patch::Patch},
    state::AppState,
};

fn sku_taken(sku: &str) -> ApiError {
    ApiError::conflict_on(
        "sku",
        "sku_taken",
        format!("Another product already has the SKU `{sku}` (SKUs ignore case)."),
    )
}

/// A write error: a unique violation is the SKU conflict (the only unique key besides the id).
fn map_write_error(err: DbErr, sku: &str) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => sku_taken(sku),
        _ => err.into(),
    }
}

/// Checks custom-field values against the tenant's `product` field definitions.
async fn check_custom_fields<C: ConnectionTrait>(
    db: &C,
    ctx: &TenantCtx,
    values: &Map<String, Value>,
    mode: Mode,
) -> ApiResult<Map<String, Value>> {
    let defs = field_definition::Entity::find_for_object(ctx.tenant_id.uuid(), "product").all(db).await?;
    validate_custom_fields(&defs, values, mode).map_err(|errors| ApiError::Validation { errors })
}

/// Creates a product.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: ProductIn) -> ApiResult<ProductOut> {
    let txn = begin_write(&state.db).await?;
    let custom_fields = check_custom_fields(&txn, ctx, &input.custom_fields.unwrap_or_default(), Mode::Create).await?;
    let now = Utc::now().trunc_subsecs(6);
    let sku = input.sku;
    let row = product::Model {
        id: ProductId::generate().uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        name: input.name.trim().to_owned(),
        sku_key: sku.to_lowercase(),
        sku,
        price_minor: input.price.amount,
        currency: input.price.currency,
        description: input.description,
        active: input.active.unwrap_or(true),
        custom_fields: Value::Object(custom_fields),
        created_at: now,
        updated_at: now,
    };
    product::Entity::insert(product::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await
        .map_err(|e| map_write_error(e, &row.sku))?;
    let out = ProductOut::from(row);
    events::append(&txn, ctx.tenant_id, Event::product_created(&out)).await?;
    txn.commit().await?;
    tracing::info!(product_id = %out.id, "product created");
    Ok(out)
}

/// Lists products in id (creation) order, filtered.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ProductListParams) -> ApiResult<ProductList> {
    let mut select = product::Entity::find_in(ctx.tenant_id.uuid());
    if let Some(active) = params.active {
        select = select.filter(product::Column::Active.eq(active));
    }
    if let Some(currency) = &params.currency {
        select = select.filter(product::Column::Currency.eq(currency.as_str()));
    }
    if let Some(sku) = &params.sku {
        select = select.filter(product::Column::SkuKey.eq(sku.to_lowercase()));
    }
    if let Some(q) = &params.q {
        let pattern = crate::platform::db::like_prefix(&q.to_lowercase());
        select = select.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(product::Column::Name))).like(pattern.clone()))
                .add(Expr::col(product::Column::SkuKey).like(pattern)),
        );
    }
    let page = fetch_page(&state.db, select, product::Column::Id, |m| m.id, params.page().page_request()?).await?;
    Ok(page.map(ProductOut::from).into())
}

async fn find<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, id: ProductId) -> ApiResult<product::Model> {
    product::Entity::find_one_in(ctx.tenant_id.uuid(), id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("product"))
}

/// One product.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: ProductId) -> ApiResult<ProductOut> {
    find(&state.db, ctx, id).await.map(ProductOut::from)
}

/// Applies a patch: absent fields stay, `description: null` clears, custom-field keys merge.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(state: &AppState, ctx: &TenantCtx, id: ProductId, patch: ProductPatchIn) -> ApiResult<ProductOut> {
    patch.check().map_err(|e| ApiError::Validation { errors: vec![e] })?;
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let mut next = current.clone();
    if let Some(name) = patch.name {
        next.name = name.trim().to_owned();
    }
    if let Some(sku) = patch.sku {
        next.sku_key = sku.to_lowercase();
        next.sku = sku;
    }
    if let Some(price) = patch.price {
        next.price_minor = price.amount;
        next.currency = price.currency;
    }
    next.description = patch.description.apply(next.description);
    if let Some(active) = patch.active {
        next.active = active;
    }
    match patch.custom_fields {
        Patch::Absent => {}
        // Clearing every value: refused when a field is required.
        Patch::Null => {
            next.custom_fields = Value::Object(check_custom_fields(&txn, ctx, &Map::new(), Mode::Create).await?)
        }
        Patch::Value(changes) => {
            let changes = check_custom_fields(&txn, ctx, &changes, Mode::Patch).await?;
            let mut merged = current.custom_fields.as_object().cloned().unwrap_or_default();
            merge_patch(&mut merged, changes);
            next.custom_fields = Value::Object(merged);
        }
    }
    if next == current {
        return Ok(current.into());
    }
    next.updated_at = Utc::now().trunc_subsecs(6);
    let mut active = current.into_active_model();
    active.name = Set(next.name.clone());
    active.sku = Set(next.sku.clone());
    active.sku_key = Set(next.sku_key.clone());
    active.price_minor = Set(next.price_minor);
    active.currency = Set(next.currency.clone());
    active.description = Set(next.description.clone());
    active.active = Set(next.active);
    active.custom_fields = Set(next.custom_fields.clone());
    active.updated_at = Set(next.updated_at);
    product::Entity::update_in(ctx.tenant_id.uuid())
        .set(active)
        .filter(product::Column::Id.eq(next.id))
        .exec(&txn)
        .await
        .map_err(|e| map_write_error(e, &next.sku))?;
    let out = ProductOut::from(next);
    events::append(&txn, ctx.tenant_id, Event::product_updated(&out)).await?;
    txn.commit().await?;
    Ok(out)
}

/// Deletes a product.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: ProductId) -> ApiResult<()> {
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let result =
        product::Entity::delete_in(ctx.tenant_id.uuid()).filter(product::Column::Id.eq(id.uuid())).exec(&txn).await?;
    if result.rows_affected == 0 {
        return Err(ApiError::not_found("product"));
    }
    events::append(&txn, ctx.tenant_id, Event::product_deleted(&ProductOut::from(current))).await?;
    txn.commit().await?;
    tracing::info!(product_id = %id, "product deleted");
    Ok(())
}
