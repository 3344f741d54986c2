//! Note rules. A note hangs off exactly one contact or company of the tenant (another tenant's
//! parent is 404, like a missing one). The author is the request's principal: the user, or the
//! API key. Notes follow their parent's permissions (`contacts:*` or `companies:*`); anyone
//! who may write the parent may edit or delete any of its notes. Deleting the parent deletes
//! its notes (`ON DELETE CASCADE`).

use chrono::{SubsecRound, Utc};
use entities::{company, contact, note};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ModelTrait, QueryFilter,
    SqlErr,
};

use super::dto::{NoteIn, NoteList, NoteOut, NotePatch};
use crate::{
    error::{ApiError, ApiResult},
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        db::begin_write,
        ids::{CompanyId, ContactId, NoteId},
        pagination::{ListParams, fetch_page},
    },
    state::AppState,
};

/// What a note is on.
#[derive(Debug, Clone, Copy)]
pub enum Parent {
    Contact(ContactId),
    Company(CompanyId),
}

impl Parent {
    /// The scope needed to read (`Access::Read`) or change (`Access::Write`) notes on it.
    pub fn scope(self, access: Access) -> Scope {
        match self {
            Self::Contact(_) => Scope::new(Resource::Contacts, access),
            Self::Company(_) => Scope::new(Resource::Companies, access),
        }
    }

    fn not_found(self) -> ApiError {
        match self {
            Self::Contact(_) => ApiError::not_found("contact"),
            Self::Company(_) => ApiError::not_found("company"),
        }
    }

    /// Fails with 404 unless the parent exists in the tenant.
    async fn ensure_exists<C: ConnectionTrait>(self, db: &C, ctx: &TenantCtx) -> ApiResult<()> {
        let tenant = ctx.tenant_id.uuid();
        let found = match self {
            Self::Contact(id) => contact::Entity::find_one_in(tenant, id.uuid()).one(db).await?.is_some(),
            Self::Company(id) => company::Entity::find_one_in(tenant, id.uuid()).one(db).await?.is_some(),
        };
        if found { Ok(()) } else { Err(self.not_found()) }
    }
}

/// The scope needed to read (`Access::Read`) or change (`Access::Write`) a stored note: that of
/// its contact, or of its company.
fn scope_for(note: &note::Model, access: Access) -> Scope {
    let resource = if note.contact_id.is_some() { Resource::Contacts } else { Resource::Companies };
    Scope::new(resource, access)
}

/// Adds a note to a contact or company of the tenant.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, parent: Parent, input: NoteIn) -> ApiResult<NoteOut> {
    let now = Utc::now().trunc_subsecs(6);
    let (contact_id, company_id) = match parent {
        Parent::Contact(id) => (Some(id.uuid()), None),
        Parent::Company(id) => (None, Some(id.uuid())),
    };
    let row = note::Model {
        id: NoteId::generate().uuid(),
        tenant_id: ctx.tenant_id.uuid(),
        contact_id,
        company_id,
        author_user_id: ctx.principal.user_id().map(|u| u.uuid()),
        author_api_key_id: ctx.principal.api_key_id().map(|k| k.uuid()),
        body: input.body,
        created_at: now,
        updated_at: now,
    };
    let txn = begin_write(&state.db).await?;
    parent.ensure_exists(&txn, ctx).await?;
    note::Entity::insert(note::ActiveModel::from(row.clone())).exec_without_returning(&txn).await.map_err(
        |err: DbErr| match err.sql_err() {
            // The parent was deleted meanwhile.
            Some(SqlErr::ForeignKeyConstraintViolation(_)) => parent.not_found(),
            _ => err.into(),
        },
    )?;
    txn.commit().await?;
    Ok(row.into())
}

/// Lists a contact's or company's notes, oldest first.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn list(state: &AppState, ctx: &TenantCtx, parent: Parent, params: &ListParams) -> ApiResult<NoteList> {
    let page = params.page_request()?;
    parent.ensure_exists(&state.db, ctx).await?;
    let select = match parent {
        Parent::Contact(id) => {
            note::Entity::find_in(ctx.tenant_id.uuid()).filter(note::Column::ContactId.eq(id.uuid()))
        }
        Parent::Company(id) => {
            note::Entity::find_in(ctx.tenant_id.uuid()).filter(note::Column::CompanyId.eq(id.uuid()))
        }
    };
    let page = fetch_page(&state.db, select, note::Column::Id, |m| m.id, page).await?;
    Ok(page.map(NoteOut::from).into())
}

/// The note, for a principal that may `access` notes of contacts or of companies (checked before
/// the read: without either scope the answer is 403 whether the note exists or not).
async fn find<C: ConnectionTrait>(db: &C, ctx: &TenantCtx, id: NoteId, access: Access) -> ApiResult<note::Model> {
    ctx.require_any(&[Scope::new(Resource::Contacts, access), Scope::new(Resource::Companies, access)])?;
    note::Entity::find_in(ctx.tenant_id.uuid())
        .filter(note::Column::Id.eq(id.uuid()))
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("note"))
}

/// One note, if the principal may read its parent.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: NoteId) -> ApiResult<NoteOut> {
    let note = find(&state.db, ctx, id, Access::Read).await?;
    ctx.require(scope_for(&note, Access::Read))?;
    Ok(note.into())
}

/// Edits a note's text, if the principal may write its parent.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(state: &AppState, ctx: &TenantCtx, id: NoteId, input: NotePatch) -> ApiResult<NoteOut> {
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id, Access::Write).await?;
    ctx.require(scope_for(&current, Access::Write))?;
    let Some(body) = input.body else { return Ok(current.into()) };
    let mut row = note::ActiveModel::from(current);
    row.body = Set(body);
    row.updated_at = Set(Utc::now().trunc_subsecs(6));
    let updated = row.update(&txn).await?;
    txn.commit().await?;
    Ok(updated.into())
}

/// Deletes a note, if the principal may write its parent.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: NoteId) -> ApiResult<()> {
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, ctx, id, Access::Write).await?;
    ctx.require(scope_for(&current, Access::Write))?;
    current.delete(&txn).await?;
    txn.commit().await?;
    Ok(())
}
