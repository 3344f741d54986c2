//! The contact filter language, shared by `GET /v1/contacts`, segments, exports and bulk
//! delete. Grammar and semantics: `docs/filtering.md`; shape: `field[op]:value`, combined with
//! `and(…)`, `or(…)`, `not(…)` (a top-level comma list is an `and`), `*` for every contact.
//!
//! Entry points for other modules:
//! - [`contact_condition`]: a filter from a query parameter → a `Condition` on `contacts`
//!   (400 `invalid_filter` naming the position when it is wrong);
//! - [`contact_condition_in_body`]: the same for a filter in a JSON body (422, a field error
//!   `invalid_filter` on the named field);
//! - [`segment_condition`]: the members of a segment (404 when it is not the tenant's);
//! - [`matching_ids_query`]: `SELECT contacts.id … ` for a tenant, an optional filter and an
//!   optional segment, to use as a subquery (exports, bulk operations).
//!
//! Every returned condition is self-contained (values are bound parameters) but does not
//! restrict the tenant: callers add `contacts.tenant_id = …` (or start from
//! `contact::Entity::find_in`), as [`matching_ids_query`] does.

pub mod ast;
pub mod compile;
pub mod fields;
pub mod lexer;
pub mod parser;

use entities::{contact, segment};
use sea_orm::{
    Condition, ConnectionTrait, PaginatorTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};
use uuid::Uuid;

pub use compile::{CompileError, Compiler};

use crate::error::{ApiError, ApiResult, FieldError};

/// A filter that does not parse or compile: the 1-based character position and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterError {
    pub pos: usize,
    pub message: String,
}

impl FilterError {
    pub fn at(pos: usize, message: String) -> Self {
        Self { pos, message }
    }
}

impl std::fmt::Display for FilterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "position {}: {}", self.pos, self.message)
    }
}

impl std::error::Error for FilterError {}

/// The error code of a bad filter (400 for a query parameter, a 422 field error in a body).
pub const INVALID_FILTER: &str = "invalid_filter";

impl CompileError {
    /// As a 400 `invalid_filter` (a filter in the query string).
    pub fn into_query_error(self) -> ApiError {
        match self {
            Self::Invalid(e) => ApiError::bad_request(INVALID_FILTER, format!("Invalid filter: {e}.")),
            Self::Api(e) => e,
        }
    }

    /// As a 422 with an `invalid_filter` error on `field` (a filter in a JSON body).
    pub fn into_field_error(self, field: &str) -> ApiError {
        match self {
            Self::Invalid(e) => {
                ApiError::Validation { errors: vec![FieldError::new(field, INVALID_FILTER, e.to_string())] }
            }
            Self::Api(e) => e,
        }
    }
}

/// Compiles the filter of a query parameter for `tenant_id`; a bad one is 400 `invalid_filter`.
pub async fn contact_condition<C: ConnectionTrait>(db: &C, tenant_id: Uuid, filter: &str) -> ApiResult<Condition> {
    Compiler::new(db, tenant_id).compile_text(filter).await.map_err(CompileError::into_query_error)
}

/// Compiles a filter sent in a JSON body as `field`; a bad one is 422 with a field error.
pub async fn contact_condition_in_body<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    filter: &str,
    field: &str,
) -> ApiResult<Condition> {
    Compiler::new(db, tenant_id).compile_text(filter).await.map_err(|e| e.into_field_error(field))
}

/// The members of one of the tenant's segments (404 `not_found` for another tenant's).
pub async fn segment_condition<C: ConnectionTrait>(db: &C, tenant_id: Uuid, segment_id: Uuid) -> ApiResult<Condition> {
    let seg = segment::Entity::find_one_in(tenant_id, segment_id)
        .one(db)
        .await?
        .ok_or_else(|| ApiError::not_found("segment"))?;
    segment_model_condition(db, &seg).await
}

/// The members of a loaded segment: a static segment's member list, or the contacts matching
/// a dynamic segment's filter (segments it references are expanded, up to 3 levels). A stored
/// filter that no longer compiles (e.g. a custom field was deleted) is 400 `invalid_filter`.
pub async fn segment_model_condition<C: ConnectionTrait>(db: &C, seg: &segment::Model) -> ApiResult<Condition> {
    if seg.kind != "dynamic" {
        return Ok(Condition::all().add(compile::static_members(seg.tenant_id, seg.id)));
    }
    let id = crate::platform::ids::SegmentId::from_uuid(seg.id);
    Compiler::new(db, seg.tenant_id)
        .saving_segment(seg.id)
        .compile_text(seg.filter.as_deref().unwrap_or_default())
        .await
        .map_err(|e| match e {
            CompileError::Invalid(e) => {
                ApiError::bad_request(INVALID_FILTER, format!("The filter of segment {id} is no longer valid: {e}."))
            }
            CompileError::Api(e) => e,
        })
}

/// `SELECT contacts.id FROM contacts WHERE tenant_id = … [AND filter] [AND segment]`, for use
/// as a subquery (`id IN (…)`). A bad filter is 400 `invalid_filter`; an unknown segment 404.
pub async fn matching_ids_query<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    filter: Option<&str>,
    segment_id: Option<Uuid>,
) -> ApiResult<SelectStatement> {
    let mut query = Query::select();
    query
        .column((contact::Entity, contact::Column::Id))
        .from(contact::Entity)
        .and_where(Expr::col((contact::Entity, contact::Column::TenantId)).eq(tenant_id));
    if let Some(filter) = filter.filter(|f| !f.trim().is_empty()) {
        query.cond_where(contact_condition(db, tenant_id, filter).await?);
    }
    if let Some(segment_id) = segment_id {
        query.cond_where(segment_condition(db, tenant_id, segment_id).await?);
    }
    Ok(query)
}

/// Counts the tenant's contacts matching `condition`.
pub async fn count_matching<C: ConnectionTrait>(db: &C, tenant_id: Uuid, condition: Condition) -> ApiResult<u64> {
    Ok(contact::Entity::find_in(tenant_id).filter(condition).count(db).await?)
}
