//! Reading events (filters, keyset pages in either direction, one event) and the retention
//! sweep. Tenants read only through `event::Entity::find_in`.

use chrono::{DateTime, Duration, Utc};
use entities::event;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select};
use uuid::Uuid;

use super::{
    catalogue::{self, EventType},
    dto::{EventList, EventOut},
};
use crate::{
    audit::{dto::SortOrder, service::fetch_page_ordered},
    config::Settings,
    error::{ApiError, ApiResult, FieldError},
    platform::{
        ids::{EventId, TenantId},
        pagination::PageRequest,
    },
};

/// The filters of an events query.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only these types (none: every type).
    pub types: Vec<EventType>,
    pub created_at_gte: Option<DateTime<Utc>>,
    pub created_at_lt: Option<DateTime<Utc>>,
}

/// Parses the `type` parameter: one name or a comma-separated list, each a type of the
/// catalogue (`422 validation_failed`, code `unknown_event_type`, naming the first that is not).
pub fn parse_types(raw: Option<&str>) -> ApiResult<Vec<EventType>> {
    let Some(raw) = raw else { return Ok(Vec::new()) };
    let mut types = Vec::new();
    for name in raw.split(',').map(str::trim) {
        let t = catalogue::parse(name).ok_or_else(|| ApiError::Validation {
            errors: vec![FieldError::new(
                "type",
                "unknown_event_type",
                format!("`{name}` is not an event type; the catalogue is in the events guide (e.g. `contact.created`)"),
            )],
        })?;
        if !types.contains(&t) {
            types.push(t);
        }
    }
    Ok(types)
}

impl EventFilter {
    fn apply(self, mut select: Select<event::Entity>) -> Select<event::Entity> {
        use event::Column;
        match self.types.as_slice() {
            [] => {}
            [one] => select = select.filter(Column::EventType.eq(one.name())),
            many => select = select.filter(Column::EventType.is_in(many.iter().map(|t| t.name()))),
        }
        if let Some(since) = self.created_at_gte {
            select = select.filter(Column::CreatedAt.gte(since));
        }
        if let Some(until) = self.created_at_lt {
            select = select.filter(Column::CreatedAt.lt(until));
        }
        select
    }
}

/// One page of the tenant's events, filtered.
#[tracing::instrument(skip_all, fields(tenant_id = %tenant_id))]
pub async fn list<C: ConnectionTrait>(
    db: &C,
    tenant_id: TenantId,
    filter: EventFilter,
    page: PageRequest,
    order: SortOrder,
) -> ApiResult<EventList> {
    let select = filter.apply(event::Entity::find_in(tenant_id.uuid()));
    let page = fetch_page_ordered(db, select, event::Column::Id, |m| m.id, page, order).await?;
    Ok(page.map(EventOut::from).into())
}

/// One event of the tenant (another tenant's is 404).
#[tracing::instrument(skip_all, fields(tenant_id = %tenant_id))]
pub async fn get<C: ConnectionTrait>(db: &C, tenant_id: TenantId, id: EventId) -> ApiResult<EventOut> {
    event::Entity::find_one_in(tenant_id.uuid(), id.uuid())
        .one(db)
        .await?
        .map(EventOut::from)
        .ok_or_else(|| ApiError::not_found("event"))
}

/// How long events are kept (`event_retention_days`).
pub fn retention(settings: &Settings) -> Duration {
    Duration::days(i64::from(settings.event_retention_days))
}

/// Rows deleted per statement by the sweep.
const SWEEP_BATCH: u64 = 5_000;

/// The smallest UUIDv7 of the millisecond of `at`: every id generated in an earlier millisecond
/// sorts below it.
fn first_id_of(at: DateTime<Utc>) -> Option<Uuid> {
    let ms = u128::try_from(at.timestamp_millis()).ok()?;
    Some(Uuid::from_u128((ms << 80) | (0x7 << 76) | (0b10 << 62)))
}

/// Deletes every tenant's events older than `retention` at `now`, `SWEEP_BATCH` rows per
/// statement (each its own transaction, so the sweep never holds long locks); returns how many
/// were deleted. The range is found through the primary key (ids are UUIDv7, so the oldest
/// events come first); `created_at` decides.
#[tracing::instrument(skip_all)]
pub async fn sweep_expired<C: ConnectionTrait>(db: &C, now: DateTime<Utc>, retention: Duration) -> ApiResult<u64> {
    let cutoff = now - retention;
    let Some(bound) = first_id_of(cutoff) else { return Ok(0) };
    let mut deleted = 0;
    loop {
        let expired = event::Entity::find_expired(cutoff, bound)
            .select_only()
            .column(event::Column::Id)
            .order_by_asc(event::Column::Id)
            .limit(SWEEP_BATCH)
            .into_query();
        let n =
            event::Entity::delete_many().filter(event::Column::Id.in_subquery(expired)).exec(db).await?.rows_affected;
        deleted += n;
        if n < SWEEP_BATCH {
            break;
        }
    }
    if deleted > 0 {
        tracing::info!(deleted, cutoff = %cutoff, "expired events deleted");
    }
    Ok(deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_lists_are_parsed_and_unknown_names_named() {
        assert_eq!(parse_types(None).unwrap(), vec![]);
        assert_eq!(
            parse_types(Some("contact.created, contact.deleted,contact.created")).unwrap(),
            vec![EventType::ContactCreated, EventType::ContactDeleted]
        );
        let err = parse_types(Some("contact.created,contact.exploded")).unwrap_err();
        let ApiError::Validation { errors } = err else { panic!("expected a validation error") };
        assert_eq!(errors[0].field, "type");
        assert_eq!(errors[0].code, "unknown_event_type");
        assert!(errors[0].message.contains("`contact.exploded`"));
        assert!(parse_types(Some("")).is_err());
        assert!(parse_types(Some("contact.created,")).is_err());
    }

    #[test]
    fn the_first_id_of_a_millisecond_bounds_ids_generated_before_it() {
        let at = Utc::now();
        let bound = first_id_of(at).unwrap();
        let before = Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from((at - Duration::milliseconds(1)).timestamp()).unwrap(),
            (at - Duration::milliseconds(1)).timestamp_subsec_nanos(),
        ));
        let after = Uuid::new_v7(uuid::Timestamp::from_unix(
            uuid::NoContext,
            u64::try_from(at.timestamp()).unwrap(),
            at.timestamp_subsec_nanos(),
        ));
        assert!(before < bound);
        assert!(after >= bound);
        assert_eq!(bound.get_version_num(), 7);
        assert!(first_id_of(DateTime::<Utc>::from_timestamp(-1, 0).unwrap()).is_none());
    }
}
