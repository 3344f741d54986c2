//! Custom field definition rules.
//!
//! - `key` is unique per tenant and object (a unique index; races give 409 `field_key_taken`);
//!   `key` and `object` never change.
//! - `options` belong to `select` fields only, and a `select` field needs at least one.
//! - A change of `type`, or of a `select` field's options, is refused with 409
//!   `field_type_incompatible` while a stored value does not fit the new definition (checked in
//!   the same write transaction, scanning the tenant's values for that key in batches). On
//!   PostgreSQL an object written concurrently, against the old definition, can slip past the
//!   scan; on SQLite writers are serialised.
//! - Making a field required applies to later writes; existing objects are not checked.
//! - Deleting a definition removes its key from every object of that kind, in the same
//!   transaction, so that no unvalidated value is left behind.
//! - At most `MAX_FIELDS_PER_OBJECT` definitions per tenant and object (422 `too_many_fields`);
//!   creates lock the tenant row on PostgreSQL so that concurrent ones cannot pass the limit.

use chrono::{SubsecRound, Utc};
use entities::{field_definition, tenant};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, ModelTrait,
    PaginatorTrait, QueryFilter, QuerySelect, SqlErr,
};
use serde_json::Value;

use super::{
    dto::{CustomFieldIn, CustomFieldList, CustomFieldOut, CustomFieldPatch, CustomFieldType, FieldObject},
    stored_values,
};
use crate::{
    crm::values::{FieldType, custom_fields::options_of, value_fits},
    error::{ApiError, ApiResult, FieldError},
    platform::{
        auth::TenantCtx,
        db::begin_write,
        ids::{CompanyId, ContactId, FieldId, ProductId},
        pagination::{ListParams, fetch_page},
        patch::Patch,
    },
    state::AppState,
};

/// The most definitions a tenant may have for one kind of object.
pub const MAX_FIELDS_PER_OBJECT: u64 = 200;
const MAX_OPTIONS: usize = 100;
const MAX_OPTION_CHARS: usize = 100;

fn key_taken() -> ApiError {
    ApiError::conflict_on("key", "field_key_taken", "A custom field with this key already exists for this object.")
}

fn invalid(field: impl Into<String>, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::Validation { errors: vec![FieldError::new(field, code, message)] }
}

/// Checks a `select` field's options: 1–100 distinct, non-blank strings of at most 100
/// characters. Returns them as stored (unchanged: options are exact values).
fn check_options(options: &[String]) -> ApiResult<Value> {
    if options.is_empty() || options.len() > MAX_OPTIONS {
        return Err(invalid("options", "length", format!("must hold between 1 and {MAX_OPTIONS} options")));
    }
    let mut errors = Vec::new();
    for (i, option) in options.iter().enumerate() {
        let field = format!("options[{i}]");
        if option.trim().is_empty() || option.chars().count() > MAX_OPTION_CHARS {
            errors.push(FieldError::new(
                field,
                "length",
                format!("must be between 1 and {MAX_OPTION_CHARS} characters, not blank"),
            ));
        } else if options[..i].contains(option) {
            errors.push(FieldError::new(field, "duplicate", "is listed twice"));
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation { errors });
    }
    Ok(Value::from(options.to_vec()))
}

/// The options to store for a field of `field_type`, given the requested ones.
fn resolve_options(field_type: CustomFieldType, requested: Option<&[String]>) -> ApiResult<Option<Value>> {
    match (field_type, requested) {
        (CustomFieldType::Select, Some(options)) => check_options(options).map(Some),
        (CustomFieldType::Select, None) => Err(invalid("options", "required", "a `select` field needs its options")),
        (_, Some(_)) => Err(invalid("options", "not_allowed", "only `select` fields have options")),
        (_, None) => Ok(None),
    }
}

fn map_unique(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => key_taken(),
        _ => err.into(),
    }
}

async fn find<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, id: FieldId) -> ApiResult<field_definition::Model> {
    field_definition::Entity::find_in(ctx.tenant_id.uuid())
        .filter(field_definition::Column::Id.eq(id.uuid()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("custom field"))
}

/// Creates a definition.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: CustomFieldIn) -> ApiResult<CustomFieldOut> {
    let options = resolve_options(input.field_type, input.options.as_deref())?;
    let now = Utc::now().trunc_subsecs(6);
    let row = field_definition::Model {
        id: FieldId::generate().uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        object: input.object.as_str().to_owned(),
        key: input.key,
        label: input.label.trim().to_owned(),
        field_type: FieldType::from(input.field_type).as_str().to_owned(),
        options,
        required: input.required,
        created_at: now,
        updated_at: now,
    };
    let txn = begin_write(&state.db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Serialises definition creates of one tenant, so that concurrent creates cannot pass the
        // limit together. (SQLite's `BEGIN IMMEDIATE` already serialises writers.)
        tenant::Entity::find_by_id(row.tenant_id).lock_exclusive().one(&txn).await?;
    }
    let existing = field_definition::Entity::find_for_object(row.tenant_id, &row.object);
    if existing.clone().filter(field_definition::Column::Key.eq(row.key.as_str())).one(&txn).await?.is_some() {
        return Err(key_taken());
    }
    if existing.count(&txn).await? >= MAX_FIELDS_PER_OBJECT {
        return Err(ApiError::Unprocessable {
            code: "too_many_fields",
            detail: format!(
                "An organisation can define at most {MAX_FIELDS_PER_OBJECT} custom fields per kind of object; delete one first."
            ),
        });
    }
    field_definition::Entity::insert(field_definition::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await
        .map_err(map_unique)?;
    txn.commit().await?;
    tracing::info!(field_id = %FieldId::from_uuid(row.id), key = %row.key, object = %row.object, "custom field created");
    Ok(row.into())
}

/// Lists definitions, oldest first, optionally of one kind of object.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(
    state: &AppState,
    ctx: &TenantCtx,
    object: Option<FieldObject>,
    params: &ListParams,
) -> ApiResult<CustomFieldList> {
    let select = match object {
        Some(object) => field_definition::Entity::find_for_object(ctx.tenant_id.uuid(), object.as_str()),
        None => field_definition::Entity::find_in(ctx.tenant_id.uuid()),
    };
    let page = fetch_page(&state.db, select, field_definition::Column::Id, |m| m.id, params.page_request()?).await?;
    Ok(page.map(CustomFieldOut::from).into())
}

/// One definition.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: FieldId) -> ApiResult<CustomFieldOut> {
    find(&state.db, ctx, id).await.map(CustomFieldOut::from)
}

/// The prefixed id of an object of `object` kind.
fn object_id(object: FieldObject, id: uuid::Uuid) -> String {
    match object {
        FieldObject::Contact => ContactId::from_uuid(id).to_string(),
        FieldObject::Company => CompanyId::from_uuid(id).to_string(),
        FieldObject::Product => ProductId::from_uuid(id).to_string(),
    }
}

/// Changes a definition's label, requirement, type or options.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(
    state: &AppState,
    ctx: &TenantCtx,
    id: FieldId,
    input: CustomFieldPatch,
) -> ApiResult<CustomFieldOut> {
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let object =
        FieldObject::parse(&current.object).ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown object")))?;
    let old_type = FieldType::parse(&current.field_type).unwrap_or(FieldType::Text);
    let new_type = input.field_type.map_or(old_type, FieldType::from);
    let old_options = options_of(&current);
    let new_options = match &input.options {
        Patch::Absent if new_type == FieldType::Select && old_type == FieldType::Select => current.options.clone(),
        Patch::Absent | Patch::Null => resolve_options(new_type.into(), None)?,
        Patch::Value(options) => resolve_options(new_type.into(), Some(options))?,
    };
    let new_option_list: Vec<String> = match &new_options {
        Some(Value::Array(items)) => items.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    let narrowed = new_type != old_type
        || (new_type == FieldType::Select && old_options.iter().any(|o| !new_option_list.contains(o)));
    if narrowed {
        let misfit = stored_values::first_misfit(&txn, ctx.tenant_id.uuid(), object, &current.key, |v| {
            value_fits(new_type, &new_option_list, v)
        })
        .await?;
        if let Some(object_uuid) = misfit {
            return Err(ApiError::conflict(
                "field_type_incompatible",
                format!(
                    "Stored values of `{}` do not fit the new definition (for example on {}); change or remove them first.",
                    current.key,
                    object_id(object, object_uuid)
                ),
            ));
        }
    }
    let mut row = field_definition::ActiveModel::from(current.clone());
    if let Some(label) = &input.label {
        row.label = Set(label.trim().to_owned());
    }
    if let Some(required) = input.required {
        row.required = Set(required);
    }
    row.field_type = Set(new_type.as_str().to_owned());
    row.options = Set(new_options);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let updated = row.update(&txn).await?;
    txn.commit().await?;
    Ok(updated.into())
}

/// Deletes a definition and removes its key from every object of that kind.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: FieldId) -> ApiResult<()> {
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let object =
        FieldObject::parse(&current.object).ok_or_else(|| ApiError::internal(anyhow::anyhow!("unknown object")))?;
    let cleared = stored_values::remove_key(&txn, ctx.tenant_id.uuid(), object, &current.key).await?;
    let key = current.key.clone();
    current.delete(&txn).await?;
    txn.commit().await?;
    tracing::info!(field_id = %id, %key, cleared, "custom field deleted");
    Ok(())
}
