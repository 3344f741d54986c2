//! The custom-field values stored on a tenant's objects (`custom_fields` of contacts, companies
//! or products), seen from a definition: find a value that would not fit a changed definition,
//! and remove a deleted definition's key everywhere. Every statement is filtered on the tenant.
//!
//! "Has a value for `key`" is `jsonb_exists(custom_fields, key)` on PostgreSQL and
//! `json_type(custom_fields, '$.key') IS NOT NULL` on SQLite (keys are `[a-z][a-z0-9_]*`, so
//! the path needs no quoting; it is bound as a parameter anyway).

use chrono::{SubsecRound, Utc};
use entities::{company, contact, product};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    sea_query::{Expr, Query, SimpleExpr},
};
use serde_json::Value;
use uuid::Uuid;

use super::dto::FieldObject;
use crate::error::ApiResult;

/// Rows read per batch while scanning values.
const BATCH: u64 = 500;

fn has_key(backend: DbBackend, key: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_values("jsonb_exists(custom_fields, $1)", [key.to_owned()]),
        _ => Expr::cust_with_values("json_type(custom_fields, ?) IS NOT NULL", [format!("$.{key}")]),
    }
}

fn without_key(backend: DbBackend, key: &str) -> SimpleExpr {
    match backend {
        DbBackend::Postgres => Expr::cust_with_values("custom_fields - $1", [key.to_owned()]),
        _ => Expr::cust_with_values("json_remove(custom_fields, ?)", [format!("$.{key}")]),
    }
}

/// The first object (in id order) whose value for `key` is not null and fails `fits`.
async fn first_misfit_in<E, C>(
    db: &C,
    select: Select<E>,
    id: E::Column,
    values: E::Column,
    key: &str,
    fits: &impl Fn(&Value) -> bool,
) -> ApiResult<Option<Uuid>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let backend = db.get_database_backend();
    let mut after: Option<Uuid> = None;
    loop {
        let mut q = select
            .clone()
            .select_only()
            .column(id)
            .column(values)
            .filter(has_key(backend, key))
            .order_by_asc(id)
            .limit(BATCH);
        if let Some(after) = after {
            q = q.filter(id.gt(after));
        }
        let rows: Vec<(Uuid, Value)> = q.into_tuple().all(db).await?;
        for (row_id, stored) in &rows {
            if let Some(value) = stored.get(key).filter(|v| !v.is_null())
                && !fits(value)
            {
                return Ok(Some(*row_id));
            }
        }
        if (rows.len() as u64) < BATCH {
            return Ok(None);
        }
        after = rows.last().map(|(id, _)| *id);
    }
}

/// The first object of `object` kind in the tenant whose stored value for `key` does not
/// satisfy `fits`, if any.
pub async fn first_misfit<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    object: FieldObject,
    key: &str,
    fits: impl Fn(&Value) -> bool,
) -> ApiResult<Option<Uuid>> {
    match object {
        FieldObject::Contact => {
            let select = contact::Entity::find_in(tenant_id);
            first_misfit_in(db, select, contact::Column::Id, contact::Column::CustomFields, key, &fits).await
        }
        FieldObject::Company => {
            let select = company::Entity::find_in(tenant_id);
            first_misfit_in(db, select, company::Column::Id, company::Column::CustomFields, key, &fits).await
        }
        FieldObject::Product => {
            let select = product::Entity::find_in(tenant_id);
            first_misfit_in(db, select, product::Column::Id, product::Column::CustomFields, key, &fits).await
        }
    }
}

/// Removes `key` from the `custom_fields` of every object of `object` kind in the tenant that
/// has it (bumping their `updated_at`). Returns how many objects changed.
pub async fn remove_key<C: ConnectionTrait>(db: &C, tenant_id: Uuid, object: FieldObject, key: &str) -> ApiResult<u64> {
    let backend = db.get_database_backend();
    let now = Utc::now().trunc_subsecs(6);
    let mut stmt = Query::update();
    match object {
        FieldObject::Contact => stmt
            .table(contact::Entity)
            .value(contact::Column::CustomFields, without_key(backend, key))
            .value(contact::Column::UpdatedAt, now)
            .and_where(contact::Column::TenantId.eq(tenant_id)),
        FieldObject::Company => stmt
            .table(company::Entity)
            .value(company::Column::CustomFields, without_key(backend, key))
            .value(company::Column::UpdatedAt, now)
            .and_where(company::Column::TenantId.eq(tenant_id)),
        FieldObject::Product => stmt
            .table(product::Entity)
            .value(product::Column::CustomFields, without_key(backend, key))
            .value(product::Column::UpdatedAt, now)
            .and_where(product::Column::TenantId.eq(tenant_id)),
    };
    stmt.and_where(has_key(backend, key));
    Ok(db.execute(&stmt).await?.rows_affected())
}
