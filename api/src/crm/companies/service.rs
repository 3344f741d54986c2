//! Company rules. `domain` is lower-cased and unique per tenant (a unique index, so a race gives
//! 409 `domain_taken` too). Custom field values are checked against the tenant's `company`
//! definitions. Deleting a company unlinks its contacts (`company_id` becomes null through the
//! foreign key, `ON DELETE SET NULL`; SQLite connections enable foreign keys) and deletes its
//! notes (`ON DELETE CASCADE`).

use chrono::{SubsecRound, Utc};
use entities::{company, contact, field_definition};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter, SqlErr,
    sea_query::{Expr, ExprTrait, Func},
};
use serde_json::{Map, Value};

use super::{
    domain::parse_domain,
    dto::{CompanyIn, CompanyList, CompanyOut, CompanyPatch},
};
use crate::{
    crm::contacts::{dto::ContactList, service::to_out_many},
    crm::values::{
        Mode,
        custom_fields::{merge_patch, validate_custom_fields},
    },
    error::{ApiError, ApiResult},
    events::{self, Event},
    platform::{
        auth::TenantCtx,
        db::begin_write,
        ids::CompanyId,
        pagination::{ListParams, fetch_page},
    },
    state::AppState,
};

fn domain_taken() -> ApiError {
    ApiError::conflict_on("domain", "domain_taken", "Another company already has this domain.")
}

fn map_unique(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => domain_taken(),
        _ => err.into(),
    }
}

async fn domain_in_use<C: ConnectionTrait>(
    db: &C,
    ctx: &TenantCtx,
    domain: &str,
    except: Option<uuid::Uuid>,
) -> ApiResult<bool> {
    let mut q = company::Entity::find_in(ctx.tenant_id.uuid()).filter(company::Column::Domain.eq(domain));
    if let Some(id) = except {
        q = q.filter(company::Column::Id.ne(id));
    }
    Ok(q.one(db).await?.is_some())
}

/// Checks custom field values against the tenant's `company` definitions.
async fn check_custom_fields<C: ConnectionTrait>(
    db: &C,
    ctx: &TenantCtx,
    input: &Map<String, Value>,
    mode: Mode,
) -> ApiResult<Map<String, Value>> {
    let defs = field_definition::Entity::find_for_object(ctx.tenant_id.uuid(), "company").all(db).await?;
    validate_custom_fields(&defs, input, mode).map_err(|errors| ApiError::Validation { errors })
}

async fn find<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, id: CompanyId) -> ApiResult<company::Model> {
    company::Entity::find_one_in(ctx.tenant_id.uuid(), id.uuid())
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("company"))
}

/// Creates a company.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: CompanyIn) -> ApiResult<CompanyOut> {
    let domain =
        input.domain.as_deref().map(parse_domain).transpose().map_err(|e| ApiError::Validation { errors: vec![e] })?;
    let now = Utc::now().trunc_subsecs(6);
    let txn = begin_write(&state.db).await?;
    let custom_fields = check_custom_fields(&txn, ctx, &input.custom_fields.unwrap_or_default(), Mode::Create).await?;
    if let Some(domain) = &domain
        && domain_in_use(&txn, ctx, domain, None).await?
    {
        return Err(domain_taken());
    }
    let row = company::Model {
        id: CompanyId::generate().uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        name: input.name.trim().to_owned(),
        domain,
        custom_fields: Value::Object(custom_fields),
        created_at: now,
        updated_at: now,
    };
    company::Entity::insert(company::ActiveModel::from(row.clone()))
        .exec_without_returning(&txn)
        .await
        .map_err(map_unique)?;
    let out = CompanyOut::from(row);
    events::append(&txn, ctx.tenant_id, Event::company_created(&out)).await?;
    txn.commit().await?;
    Ok(out)
}

/// Lists companies, oldest first; `q` keeps those whose name starts with it (ignoring case).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, q: Option<&str>, params: &ListParams) -> ApiResult<CompanyList> {
    let mut select = company::Entity::find_in(ctx.tenant_id.uuid());
    if let Some(q) = q.map(str::trim).filter(|q| !q.is_empty()) {
        let pattern = crate::platform::db::like_prefix(&q.to_lowercase());
        select = select.filter(Expr::expr(Func::lower(Expr::col(company::Column::Name))).like(pattern));
    }
    let page = fetch_page(&state.db, select, company::Column::Id, |m| m.id, params.page_request()?).await?;
    Ok(page.map(CompanyOut::from).into())
}

/// One company.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: CompanyId) -> ApiResult<CompanyOut> {
    find(&state.db, ctx, id).await.map(CompanyOut::from)
}

/// Lists a company's contacts, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list_contacts(
    state: &AppState,
    ctx: &TenantCtx,
    id: CompanyId,
    params: &ListParams,
) -> ApiResult<ContactList> {
    let page = params.page_request()?;
    let company = find(&state.db, ctx, id).await?;
    let select = contact::Entity::find_in(ctx.tenant_id.uuid()).filter(contact::Column::CompanyId.eq(company.id));
    let page = fetch_page(&state.db, select, contact::Column::Id, |m| m.id, page).await?;
    let data = to_out_many(&state.db, ctx.tenant_id.uuid(), page.data).await?;
    Ok(ContactList { data, has_more: page.has_more, next_cursor: page.next_cursor })
}

/// Changes a company.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(state: &AppState, ctx: &TenantCtx, id: CompanyId, input: CompanyPatch) -> ApiResult<CompanyOut> {
    let domain = input.domain.try_map(|d| parse_domain(&d)).map_err(|e| ApiError::Validation { errors: vec![e] })?;
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    let mut row = company::ActiveModel::from(current.clone());
    if let Some(name) = &input.name {
        row.name = Set(name.trim().to_owned());
    }
    if !domain.is_absent() {
        let domain = domain.apply(current.domain.clone());
        if let Some(d) = &domain
            && current.domain.as_ref() != Some(d)
            && domain_in_use(&txn, ctx, d, Some(current.id)).await?
        {
            return Err(domain_taken());
        }
        row.domain = Set(domain);
    }
    if let Some(patch) = &input.custom_fields {
        let patch = check_custom_fields(&txn, ctx, patch, Mode::Patch).await?;
        let mut values = match current.custom_fields.clone() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        merge_patch(&mut values, patch);
        row.custom_fields = Set(Value::Object(values));
    }
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let updated = CompanyOut::from(row.update(&txn).await.map_err(map_unique)?);
    events::append(&txn, ctx.tenant_id, Event::company_updated(&updated)).await?;
    txn.commit().await?;
    Ok(updated)
}

/// Deletes a company: its contacts are unlinked, its notes deleted.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: CompanyId) -> ApiResult<()> {
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id).await?;
    current.clone().delete(&txn).await?;
    events::append(&txn, ctx.tenant_id, Event::company_deleted(&CompanyOut::from(current))).await?;
    txn.commit().await?;
    tracing::info!(company_id = %id, "company deleted");
    Ok(())
}
