//! `GET /v1/contacts`: a page of contacts, searched (`q`), filtered (`filter`, see
//! `docs/filtering.md`) and sorted (`sort`), with keyset pagination on (sort value, id) so that
//! concurrent inserts never repeat or skip a row. Each page reads one index range starting with
//! the tenant (two at the boundary between contacts with and without a value, for a text
//! sort), each row carrying its tags from a subquery in the same statement. [`list_page`] is
//! reused by `GET /v1/segments/{id}/contacts`; [`list_contacts`] serves repeated pages from the
//! cache in `list_cache.rs`.

use actix_web::{
    HttpRequest, HttpResponse, get,
    http::header::ContentType,
    web::{self, Bytes},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use entities::contact;
use sea_orm::{
    Condition, ConnectionTrait, Order, QueryFilter, QueryOrder, QuerySelect, QueryTrait,
    sea_query::{Expr, ExprTrait, Value as Sql},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{
    dto::ContactList,
    service::{TAGS_COLUMN, read_with_tags, tags_column, view},
};
use crate::{
    crm::filter::{self, compile::starts_with},
    error::{ApiError, ApiResult},
    platform::{
        auth::{Access, Resource, Scope, TenantCtx},
        extract::ValidatedQuery,
        generation,
        ids::{decode_suffix, encode_uuid},
        pagination::{DEFAULT_LIMIT, MAX_LIMIT},
    },
    state::AppState,
};

/// The orders a contact list can be sorted in. A leading `-` is descending. Contacts without a
/// value sort after every value in ascending order (and first in descending order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, ToSchema)]
pub enum ContactSort {
    /// Creation order (the default): by id, which is time-ordered.
    #[default]
    #[serde(rename = "id")]
    Id,
    #[serde(rename = "created_at")]
    CreatedAt,
    #[serde(rename = "-created_at")]
    CreatedAtDesc,
    #[serde(rename = "updated_at")]
    UpdatedAt,
    #[serde(rename = "-updated_at")]
    UpdatedAtDesc,
    #[serde(rename = "first_name")]
    FirstName,
    #[serde(rename = "last_name")]
    LastName,
    #[serde(rename = "-last_name")]
    LastNameDesc,
    #[serde(rename = "email")]
    Email,
}

/// Query parameters of contact lists.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ContactListParams {
    /// How many contacts to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page (with the same `sort`); omit for the first page.
    #[validate(length(max = 1000))]
    #[param(max_length = 1000)]
    pub cursor: Option<String>,
    /// Prefix search: every word must start a first name, last name or email
    /// (case-insensitive) or, when it is digits, the phone number after its `+`.
    #[validate(length(max = 200))]
    #[param(max_length = 200, example = "ada")]
    pub q: Option<String>,
    /// A filter expression, e.g. `tags[any]:[vip,lead],created_at[gte]:2026-01-01`. See the
    /// filtering guide for the grammar. A bad filter is 400 `invalid_filter` naming the position.
    #[param(max_length = 4000, example = "and(consent.email[eq]:opted_in,tags[any]:vip)")]
    pub filter: Option<String>,
    /// The order: `created_at`, `-created_at`, `updated_at`, `-updated_at`, `first_name`,
    /// `last_name`, `-last_name`, `email`; omit (or `id`) for creation order.
    #[param(inline)]
    pub sort: Option<ContactSort>,
}

/// The sort column of a sort order, and whether it is descending.
#[derive(Clone, Copy)]
enum Key {
    Id,
    Instant(contact::Column),
    Text(contact::Column),
}

impl ContactSort {
    fn key(self) -> (Key, bool) {
        match self {
            Self::Id => (Key::Id, false),
            Self::CreatedAt => (Key::Instant(contact::Column::CreatedAt), false),
            Self::CreatedAtDesc => (Key::Instant(contact::Column::CreatedAt), true),
            Self::UpdatedAt => (Key::Instant(contact::Column::UpdatedAt), false),
            Self::UpdatedAtDesc => (Key::Instant(contact::Column::UpdatedAt), true),
            Self::FirstName => (Key::Text(contact::Column::FirstNameKey), false),
            Self::LastName => (Key::Text(contact::Column::LastNameKey), false),
            Self::LastNameDesc => (Key::Text(contact::Column::LastNameKey), true),
            Self::Email => (Key::Text(contact::Column::EmailKey), false),
        }
    }

    /// A short tag naming the sort inside cursors, so that a cursor of another sort is refused.
    fn tag(self) -> &'static str {
        match self {
            Self::Id => "i",
            Self::CreatedAt => "c",
            Self::CreatedAtDesc => "-c",
            Self::UpdatedAt => "u",
            Self::UpdatedAtDesc => "-u",
            Self::FirstName => "f",
            Self::LastName => "l",
            Self::LastNameDesc => "-l",
            Self::Email => "e",
        }
    }
}

/// The position after the last row of a page: its sort value and id.
#[derive(Debug, Clone, PartialEq)]
enum After {
    Id(Uuid),
    Instant(DateTime<Utc>, Uuid),
    Text(Option<String>, Uuid),
}

fn col(c: contact::Column) -> Expr {
    Expr::col((contact::Entity, c))
}

fn invalid_cursor() -> ApiError {
    ApiError::bad_request(
        "invalid_cursor",
        "The cursor is not one this API issued for this sort order; start again without it.",
    )
}

/// `base64url("<sort tag>|<value>|<id>")`; the value is nanoseconds for times, `n` (none) or
/// `v<text>` for text.
fn encode_cursor(sort: ContactSort, row: &contact::Model) -> String {
    let (key, _) = sort.key();
    let value = match key {
        Key::Id => String::new(),
        Key::Instant(c) => {
            let at = if matches!(c, contact::Column::CreatedAt) { row.created_at } else { row.updated_at };
            at.timestamp_nanos_opt().unwrap_or_default().to_string()
        }
        Key::Text(c) => {
            let v = match c {
                contact::Column::FirstNameKey => &row.first_name_key,
                contact::Column::LastNameKey => &row.last_name_key,
                _ => &row.email_key,
            };
            v.as_ref().map_or_else(|| "n".to_owned(), |v| format!("v{v}"))
        }
    };
    URL_SAFE_NO_PAD.encode(format!("{}|{value}|{}", sort.tag(), encode_uuid(row.id)))
}

fn decode_cursor(sort: ContactSort, cursor: &str) -> ApiResult<After> {
    let raw = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid_cursor())?;
    let text = String::from_utf8(raw).map_err(|_| invalid_cursor())?;
    let (tag, rest) = text.split_once('|').ok_or_else(invalid_cursor)?;
    let (value, id) = rest.rsplit_once('|').ok_or_else(invalid_cursor)?;
    if tag != sort.tag() {
        return Err(invalid_cursor());
    }
    let id = decode_suffix(id).ok_or_else(invalid_cursor)?;
    Ok(match sort.key().0 {
        Key::Id if value.is_empty() => After::Id(id),
        Key::Id => return Err(invalid_cursor()),
        Key::Instant(_) => {
            let nanos: i64 = value.parse().map_err(|_| invalid_cursor())?;
            After::Instant(DateTime::from_timestamp_nanos(nanos), id)
        }
        Key::Text(_) => match value.split_at_checked(1) {
            Some(("n", "")) => After::Text(None, id),
            Some(("v", v)) => After::Text(Some(v.to_owned()), id),
            _ => return Err(invalid_cursor()),
        },
    })
}

/// One index range of a listing: a condition and its order. A text sort is two ranges, the
/// contacts with a value (by value, then id) and those without (by id): each is a plain range
/// of an index starting with the tenant, so every page costs the same however deep it is.
struct Range {
    condition: Expr,
    by_value: Option<contact::Column>,
    order: Order,
}

/// The ranges to read, in order, for the rows strictly after `after`.
fn ranges(sort: ContactSort, after: Option<After>) -> Vec<Range> {
    let (key, desc) = sort.key();
    let order = if desc { Order::Desc } else { Order::Asc };
    let id = col(contact::Column::Id);
    let beyond = |left: Expr, right: Expr| if desc { left.lt(right) } else { left.gt(right) };
    let pair = |c: contact::Column, v: Sql, last: Uuid| {
        beyond(Expr::tuple([col(c), id.clone()]), Expr::tuple([Expr::val(v), Expr::val(last)]))
    };
    let range =
        |condition: Expr, by_value: Option<contact::Column>| Range { condition, by_value, order: order.clone() };
    match (key, after) {
        (Key::Id, None) => vec![range(Expr::cust("1=1"), None)],
        (Key::Id, Some(After::Id(last))) => vec![range(beyond(id.clone(), Expr::val(last)), None)],
        (Key::Instant(c), None) => vec![range(Expr::cust("1=1"), Some(c))],
        (Key::Instant(c), Some(After::Instant(at, last))) => {
            vec![range(pair(c, Sql::ChronoDateTimeUtc(Some(at)), last), Some(c))]
        }
        // Ascending: the values, then the contacts without one.
        (Key::Text(c), None) if !desc => vec![range(col(c).is_not_null(), Some(c)), range(col(c).is_null(), None)],
        (Key::Text(c), Some(After::Text(Some(v), last))) if !desc => {
            vec![range(pair(c, Sql::String(Some(v)), last), Some(c)), range(col(c).is_null(), None)]
        }
        (Key::Text(c), Some(After::Text(None, last))) if !desc => vec![range(col(c).is_null().and(id.gt(last)), None)],
        // Descending: the contacts without a value first, then the values.
        (Key::Text(c), None) => vec![range(col(c).is_null(), None), range(col(c).is_not_null(), Some(c))],
        (Key::Text(c), Some(After::Text(None, last))) => {
            vec![range(col(c).is_null().and(id.lt(last)), None), range(col(c).is_not_null(), Some(c))]
        }
        (Key::Text(c), Some(After::Text(Some(v), last))) => vec![range(pair(c, Sql::String(Some(v)), last), Some(c))],
        _ => Vec::new(),
    }
}

/// `q`: every word starts a first name, last name or email, or (digits) the phone number.
fn search_condition(q: &str) -> Condition {
    let mut all = Condition::all();
    for word in q.split_whitespace().take(8) {
        let word = word.to_lowercase();
        let mut any = Condition::any()
            .add(starts_with(col(contact::Column::FirstNameKey), &word))
            .add(starts_with(col(contact::Column::LastNameKey), &word))
            .add(starts_with(col(contact::Column::EmailKey), &word));
        let digits: String = word.chars().filter(char::is_ascii_digit).collect();
        if !digits.is_empty() && word.chars().all(|c| c.is_ascii_digit() || "+-(). ".contains(c)) {
            any = any.add(starts_with(col(contact::Column::Phone), &format!("+{digits}")));
        }
        all = all.add(any);
    }
    all
}

/// One page of the tenant's contacts matching `params` (and `extra`, e.g. a segment).
pub async fn list_page<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    params: &ContactListParams,
    extra: Option<Condition>,
) -> ApiResult<ContactList> {
    let sort = params.sort.unwrap_or_default();
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
    let after = params.cursor.as_deref().map(|c| decode_cursor(sort, c)).transpose()?;
    let mut select = contact::Entity::find_in(tenant_id);
    if let Some(filter) = params.filter.as_deref().filter(|f| !f.trim().is_empty()) {
        select = select.filter(filter::contact_condition(db, tenant_id, filter).await?);
    }
    if let Some(q) = params.q.as_deref().filter(|q| !q.trim().is_empty()) {
        select = select.filter(search_condition(q));
    }
    if let Some(extra) = extra {
        select = select.filter(extra);
    }
    let want = limit as usize + 1;
    let backend = db.get_database_backend();
    let mut rows = Vec::with_capacity(want);
    for range in ranges(sort, after) {
        let mut page = select.clone().filter(range.condition).column_as(tags_column(backend), TAGS_COLUMN);
        if let Some(c) = range.by_value {
            page = page.order_by(col(c), range.order.clone());
        }
        let need = want - rows.len();
        let mut stmt = page.order_by(col(contact::Column::Id), range.order).build(backend);
        // The limit is written into the SQL rather than bound: with a bound limit, PostgreSQL's
        // generic plan assumes a large result and it re-plans every execution (a custom plan),
        // which cost more than executing the query. A literal (1–101) lets it reuse one plan
        // per prepared statement.
        stmt.sql.push_str(&format!(" LIMIT {need}"));
        rows.extend(db.query_all_raw(stmt).await?);
        if rows.len() >= want {
            break;
        }
    }
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let rows = rows.iter().map(read_with_tags).collect::<ApiResult<Vec<_>>>()?;
    let next_cursor = if has_more { rows.last().map(|(c, _)| encode_cursor(sort, c)) } else { None };
    let data = rows.into_iter().map(|(c, tags)| view(c, tags)).collect();
    Ok(ContactList { data, has_more, next_cursor })
}

/// List contacts
///
/// Lists the organisation's contacts, 20 per page by default (at most 100), with cursor
/// pagination that stays correct while contacts are added. `q` searches name, email and phone
/// prefixes; `filter` takes the filter language (fields, operators, `and`/`or`/`not`; see the
/// filtering guide); `sort` orders by an indexed field (default: creation order). A bad filter
/// is 400 `invalid_filter` naming the position; a cursor from another sort order is 400
/// `invalid_cursor`. Needs `contacts:read`.
#[utoipa::path(
    operation_id = "list_contacts",
    tag = "contacts",
    security(("bearer" = [])),
    params(ContactListParams),
    responses(
        (status = 200, description = "A page of contacts.", body = ContactList),
        (status = 400, response = crate::openapi::BadRequest),
        (status = 401, response = crate::openapi::Unauthorized),
        (status = 403, response = crate::openapi::Forbidden),
        (status = 422, response = crate::openapi::ValidationFailed),
    )
)]
#[get("/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    ctx: TenantCtx,
    query: ValidatedQuery<ContactListParams>,
    req: HttpRequest,
) -> ApiResult<HttpResponse> {
    ctx.require(Scope::new(Resource::Contacts, Access::Read))?;
    let tenant_id = ctx.tenant_id.uuid();
    let cache = &state.contact_lists;
    if !cache.enabled() {
        return Ok(HttpResponse::Ok().json(list_page(&state.db, tenant_id, &query, None).await?));
    }
    // The generation is read before the page, so that a write committed meanwhile leaves the
    // entry under an older generation than the one it bumps to (see `list_cache`).
    let generation = generation::current(&state.db, tenant_id).await?;
    let body = match cache.get(tenant_id, req.query_string(), generation) {
        Some(body) => body,
        None => {
            let page = list_page(&state.db, tenant_id, &query, None).await?;
            let body = Bytes::from(serde_json::to_vec(&page).map_err(|e| ApiError::internal(anyhow::Error::from(e)))?);
            cache.put(tenant_id, req.query_string(), generation, body.clone());
            body
        }
    };
    Ok(HttpResponse::Ok().content_type(ContentType::json()).body(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_are_tied_to_their_sort() {
        let id = Uuid::now_v7();
        for (sort, after) in [
            (ContactSort::Id, After::Id(id)),
            (ContactSort::LastName, After::Text(Some("o'hara|x".into()), id)),
            (ContactSort::LastNameDesc, After::Text(None, id)),
        ] {
            let value = match &after {
                After::Text(Some(v), _) => format!("v{v}"),
                After::Text(None, _) => "n".into(),
                _ => String::new(),
            };
            let cursor = URL_SAFE_NO_PAD.encode(format!("{}|{value}|{}", sort.tag(), encode_uuid(id)));
            assert_eq!(decode_cursor(sort, &cursor).unwrap(), after);
            assert!(decode_cursor(ContactSort::Email, &cursor).is_err());
        }
        let at = DateTime::from_timestamp_nanos(1_790_000_000_123_456_789);
        let cursor = URL_SAFE_NO_PAD.encode(format!("c|{}|{}", at.timestamp_nanos_opt().unwrap(), encode_uuid(id)));
        assert_eq!(decode_cursor(ContactSort::CreatedAt, &cursor).unwrap(), After::Instant(at, id));
        for garbage in ["", "!!!", "aGVsbG8", &URL_SAFE_NO_PAD.encode("c|x|y")] {
            assert!(decode_cursor(ContactSort::CreatedAt, garbage).is_err(), "{garbage}");
        }
    }
}
