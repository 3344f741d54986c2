//! Segment rules. Dynamic segments keep a filter that must compile when saved (no reference to
//! themselves, directly or through other segments); static segments keep explicit members,
//! added and removed in one transaction per request. Every query is tenant-scoped.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entities::{contact, segment, segment_member};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel, ModelTrait,
    QueryFilter, QuerySelect,
};
use uuid::Uuid;

use super::dto::{
    MemberResult, MemberStatus, SegmentCountOut, SegmentIn, SegmentKind, SegmentList, SegmentMembersIn,
    SegmentMembersOut, SegmentOut, SegmentPatch, SegmentPreviewIn,
};
use crate::{
    crm::{
        contacts::{
            dto::ContactList,
            list::{ContactListParams, list_page},
        },
        filter::{self, Compiler},
    },
    error::{ApiError, ApiResult, FieldError},
    platform::{
        auth::TenantCtx,
        db::begin_write,
        ids::SegmentId,
        pagination::{ListParams, fetch_page},
        patch::Patch,
    },
    state::AppState,
};

fn invalid(field: &str, code: &str, message: &str) -> ApiError {
    ApiError::Validation { errors: vec![FieldError::new(field, code, message)] }
}

fn segment_is_dynamic() -> ApiError {
    ApiError::conflict(
        "segment_is_dynamic",
        "This segment is dynamic: its members are the contacts matching its filter, so members cannot be added or removed.",
    )
}

/// Checks a dynamic segment's filter (422 `invalid_filter` on `filter` when it is wrong).
async fn check_filter<C: ConnectionTrait>(db: &C, tenant_id: Uuid, segment_id: Uuid, filter: &str) -> ApiResult<()> {
    Compiler::new(db, tenant_id)
        .saving_segment(segment_id)
        .compile_text(filter)
        .await
        .map(|_| ())
        .map_err(|e| e.into_field_error("filter"))
}

async fn find<C: ConnectionTrait>(db: &C, tenant_id: Uuid, id: SegmentId) -> ApiResult<segment::Model> {
    segment::Entity::find_one_in(tenant_id, id.uuid()).one(db).await?.ok_or_else(|| ApiError::not_found("segment"))
}

#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: SegmentIn) -> ApiResult<SegmentOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let id = Uuid::now_v7();
    let filter = match (input.kind, input.filter) {
        (SegmentKind::Dynamic, None) => return Err(invalid("filter", "required", "a dynamic segment needs a filter")),
        (SegmentKind::Dynamic, Some(f)) => {
            check_filter(&state.db, tenant_id, id, &f).await?;
            Some(f)
        }
        (SegmentKind::Static, None) => None,
        (SegmentKind::Static, Some(_)) => {
            return Err(invalid("filter", "not_allowed", "a static segment has no filter; add members instead"));
        }
    };
    let now = Utc::now();
    let row = segment::ActiveModel {
        id: Set(id),
        tenant_id: Set(tenant_id),
        name: Set(input.name.trim().to_owned()),
        kind: Set(input.kind.as_str().to_owned()),
        filter: Set(filter),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&state.db)
    .await?;
    Ok(row.into())
}

pub async fn list(state: &AppState, ctx: &TenantCtx, params: &ListParams) -> ApiResult<SegmentList> {
    let page = fetch_page(
        &state.db,
        segment::Entity::find_in(ctx.tenant_id.uuid()),
        segment::Column::Id,
        |m| m.id,
        params.page_request()?,
    )
    .await?;
    Ok(page.map(SegmentOut::from).into())
}

pub async fn get(state: &AppState, ctx: &TenantCtx, id: SegmentId) -> ApiResult<SegmentOut> {
    Ok(find(&state.db, ctx.tenant_id.uuid(), id).await?.into())
}

#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(state: &AppState, ctx: &TenantCtx, id: SegmentId, input: SegmentPatch) -> ApiResult<SegmentOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, tenant_id, id).await?;
    let dynamic = current.kind == "dynamic";
    let mut row = current.into_active_model();
    if let Some(name) = input.name {
        row.name = Set(name.trim().to_owned());
    }
    match input.filter {
        Patch::Absent => {}
        Patch::Null if dynamic => return Err(invalid("filter", "required", "a dynamic segment needs a filter")),
        Patch::Value(f) if dynamic => {
            check_filter(&txn, tenant_id, id.uuid(), &f).await?;
            row.filter = Set(Some(f));
        }
        _ => return Err(invalid("filter", "not_allowed", "a static segment has no filter; add members instead")),
    }
    row.updated_at = Set(Utc::now());
    let saved = row.update(&txn).await?;
    txn.commit().await?;
    Ok(saved.into())
}

#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: SegmentId) -> ApiResult<()> {
    let seg = find(&state.db, ctx.tenant_id.uuid(), id).await?;
    seg.delete(&state.db).await?;
    Ok(())
}

pub async fn contacts(
    state: &AppState,
    ctx: &TenantCtx,
    id: SegmentId,
    params: &ContactListParams,
) -> ApiResult<ContactList> {
    let tenant_id = ctx.tenant_id.uuid();
    let seg = find(&state.db, tenant_id, id).await?;
    let members = filter::segment_model_condition(&state.db, &seg).await?;
    list_page(&state.db, tenant_id, params, Some(members)).await
}

pub async fn count(state: &AppState, ctx: &TenantCtx, id: SegmentId) -> ApiResult<SegmentCountOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let seg = find(&state.db, tenant_id, id).await?;
    let members = filter::segment_model_condition(&state.db, &seg).await?;
    Ok(SegmentCountOut { count: filter::count_matching(&state.db, tenant_id, members).await? })
}

pub async fn preview(state: &AppState, ctx: &TenantCtx, input: SegmentPreviewIn) -> ApiResult<SegmentCountOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let condition = filter::contact_condition_in_body(&state.db, tenant_id, &input.filter, "filter").await?;
    Ok(SegmentCountOut { count: filter::count_matching(&state.db, tenant_id, condition).await? })
}

/// The ids among `ids` that are contacts of the tenant, and those already in the segment.
async fn existing<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    segment_id: Uuid,
    ids: &[Uuid],
) -> ApiResult<(HashSet<Uuid>, HashSet<Uuid>)> {
    let contacts: Vec<Uuid> = contact::Entity::find_in(tenant_id)
        .select_only()
        .column(contact::Column::Id)
        .filter(contact::Column::Id.is_in(ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    let members: Vec<Uuid> = segment_member::Entity::find_of(tenant_id, segment_id)
        .select_only()
        .column(segment_member::Column::ContactId)
        .filter(segment_member::Column::ContactId.is_in(ids.to_vec()))
        .into_tuple()
        .all(db)
        .await?;
    Ok((contacts.into_iter().collect(), members.into_iter().collect()))
}

#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn add_members(
    state: &AppState,
    ctx: &TenantCtx,
    id: SegmentId,
    input: SegmentMembersIn,
) -> ApiResult<SegmentMembersOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let seg = find(&txn, tenant_id, id).await?;
    if seg.kind == "dynamic" {
        return Err(segment_is_dynamic());
    }
    let ids: Vec<Uuid> = input.contact_ids.iter().map(|c| c.uuid()).collect();
    let (contacts, mut members) = existing(&txn, tenant_id, seg.id, &ids).await?;
    let now = Utc::now();
    let mut rows = Vec::new();
    let mut results = Vec::with_capacity(ids.len());
    for contact_id in input.contact_ids {
        let uuid = contact_id.uuid();
        let status = if !contacts.contains(&uuid) {
            MemberStatus::NotFound
        } else if !members.insert(uuid) {
            MemberStatus::AlreadyMember
        } else {
            rows.push(segment_member::ActiveModel {
                tenant_id: Set(tenant_id),
                segment_id: Set(seg.id),
                contact_id: Set(uuid),
                created_at: Set(now),
            });
            MemberStatus::Added
        };
        results.push(MemberResult { contact_id, status });
    }
    let changed = rows.len() as u64;
    for chunk in rows.chunks(250) {
        segment_member::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing()
            .exec_without_returning(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(SegmentMembersOut { changed, results })
}

#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn remove_members(
    state: &AppState,
    ctx: &TenantCtx,
    id: SegmentId,
    input: SegmentMembersIn,
) -> ApiResult<SegmentMembersOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let seg = find(&txn, tenant_id, id).await?;
    if seg.kind == "dynamic" {
        return Err(segment_is_dynamic());
    }
    let ids: Vec<Uuid> = input.contact_ids.iter().map(|c| c.uuid()).collect();
    let (contacts, members) = existing(&txn, tenant_id, seg.id, &ids).await?;
    let mut removed: HashMap<Uuid, bool> = HashMap::new();
    let mut results = Vec::with_capacity(ids.len());
    for contact_id in input.contact_ids {
        let uuid = contact_id.uuid();
        let status = if !contacts.contains(&uuid) {
            MemberStatus::NotFound
        } else if members.contains(&uuid) && removed.insert(uuid, true).is_none() {
            MemberStatus::Removed
        } else {
            MemberStatus::NotMember
        };
        results.push(MemberResult { contact_id, status });
    }
    let gone: Vec<Uuid> = removed.into_keys().collect();
    let mut changed = 0;
    for chunk in gone.chunks(500) {
        changed += segment_member::Entity::delete_of(tenant_id, seg.id)
            .filter(segment_member::Column::ContactId.is_in(chunk.to_vec()))
            .exec(&txn)
            .await?
            .rows_affected;
    }
    txn.commit().await?;
    Ok(SegmentMembersOut { changed, results })
}
