//! Reading the audit log: filters and keyset pages in either direction. Tenants read through
//! `audit_event::Entity::find_in`; operators through `find_all_for_operator`.

use entities::audit_event;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use uuid::Uuid;

use super::dto::{AuditEventList, AuditEventOut, SortOrder};
use crate::{
    error::ApiResult,
    platform::{
        ids::encode_uuid,
        pagination::{ListParams, Page, PageRequest},
    },
};

/// The filters of an audit-log query.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor_id: Option<String>,
    pub target_id: Option<String>,
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl AuditFilter {
    fn apply(self, mut select: Select<audit_event::Entity>) -> Select<audit_event::Entity> {
        use audit_event::Column;
        if let Some(action) = self.action {
            select = select.filter(Column::Action.eq(action.trim()));
        }
        if let Some(actor) = self.actor_id {
            select = select.filter(Column::ActorId.eq(actor.trim()));
        }
        if let Some(target) = self.target_id {
            select = select.filter(Column::TargetId.eq(target.trim()));
        }
        if let Some(since) = self.since {
            select = select.filter(Column::CreatedAt.gte(since));
        }
        if let Some(until) = self.until {
            select = select.filter(Column::CreatedAt.lt(until));
        }
        select
    }
}

/// The page request of `limit` / `cursor` (validated like every list).
pub fn page_request(limit: Option<u32>, cursor: Option<String>) -> ApiResult<PageRequest> {
    ListParams { limit, cursor }.page_request()
}

/// A keyset page ordered by `id_column`, ascending (`id > cursor`) or descending (`id < cursor`).
pub async fn fetch_page_ordered<E, C>(
    db: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> Uuid,
    page: PageRequest,
    order: SortOrder,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut select = match order {
        SortOrder::Asc => select.order_by_asc(id_column),
        SortOrder::Desc => select.order_by_desc(id_column),
    }
    .limit(u64::from(page.limit) + 1);
    if let Some(after) = page.after {
        select = match order {
            SortOrder::Asc => select.filter(id_column.gt(after)),
            SortOrder::Desc => select.filter(id_column.lt(after)),
        };
    }
    let mut data = select.all(db).await?;
    let has_more = data.len() > page.limit as usize;
    data.truncate(page.limit as usize);
    let next_cursor = if has_more { data.last().map(|m| encode_uuid(id_of(m))) } else { None };
    Ok(Page { data, has_more, next_cursor })
}

/// One page of events from `select` (already scoped), filtered.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    select: Select<audit_event::Entity>,
    filter: AuditFilter,
    page: PageRequest,
    order: SortOrder,
) -> ApiResult<AuditEventList> {
    let page = fetch_page_ordered(db, filter.apply(select), audit_event::Column::Id, |m| m.id, page, order).await?;
    Ok(page.map(AuditEventOut::from).into())
}
