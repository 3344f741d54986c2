//! Cursor pagination: `?limit=` (1–100, default 20) and an opaque `?cursor=`; lists answer
//! `{ "data": [...], "has_more": bool, "next_cursor": string|null }`, ordered by id. Ids are
//! UUIDv7, so id order is creation order, and a keyset cursor (`id > last`) stays correct under
//! concurrent inserts: no row is repeated, and rows inserted after the page was read appear on
//! later pages. (A row whose id was generated before a page was read but committed after it can
//! land behind the cursor; ids are generated just before their insert, so that window is small.)

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Select};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;
use validator::Validate;

use crate::{
    error::{ApiError, ApiResult},
    platform::ids::{decode_suffix, encode_uuid},
};

pub const DEFAULT_LIMIT: u32 = 20;
pub const MAX_LIMIT: u32 = 100;

/// Query parameters shared by every list operation.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// How many items to return (1–100, default 20).
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; omit for the first page. Treat it as opaque.
    #[param(pattern = "^[0-7][0-9a-hjkmnp-tv-z]{25}$")]
    pub cursor: Option<String>,
}

/// A decoded page request.
#[derive(Debug, Clone, Copy)]
pub struct PageRequest {
    pub limit: u32,
    pub after: Option<Uuid>,
}

impl ListParams {
    pub fn page_request(&self) -> ApiResult<PageRequest> {
        let after = self.cursor.as_deref().map(decode_cursor).transpose()?;
        Ok(PageRequest { limit: self.limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT), after })
    }
}

// A cursor is the last id of the page in the 26-character base32 form of ids. Every string
// matching the documented pattern is a valid position, so a schema-valid cursor is never
// refused; anything else is `invalid_cursor`. A later format can use another length.
fn encode_cursor(after: Uuid) -> String {
    encode_uuid(after)
}

fn decode_cursor(cursor: &str) -> ApiResult<Uuid> {
    decode_suffix(cursor).ok_or_else(|| {
        ApiError::bad_request("invalid_cursor", "The cursor is not one this API issued; start again without it.")
    })
}

/// One page of items.
#[derive(Debug)]
pub struct Page<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { data: self.data.into_iter().map(f).collect(), has_more: self.has_more, next_cursor: self.next_cursor }
    }
}

/// Runs `select` as a keyset page ordered by `id_column` ascending.
pub async fn fetch_page<E, C>(
    db: &C,
    select: Select<E>,
    id_column: E::Column,
    id_of: impl Fn(&E::Model) -> Uuid,
    page: PageRequest,
) -> ApiResult<Page<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut select = select.order_by_asc(id_column).limit(u64::from(page.limit) + 1);
    if let Some(after) = page.after {
        select = select.filter(id_column.gt(after));
    }
    let mut data = select.all(db).await?;
    let has_more = data.len() > page.limit as usize;
    data.truncate(page.limit as usize);
    let next_cursor = if has_more { data.last().map(|m| encode_cursor(id_of(m))) } else { None };
    Ok(Page { data, has_more, next_cursor })
}

/// Declares a named list type (`XList`) for the spec: `{ data, has_more, next_cursor }`.
#[macro_export]
macro_rules! list_type {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(Debug, serde::Serialize, utoipa::ToSchema)]
        pub struct $name {
            /// The items of this page, in id (creation) order.
            pub data: Vec<$item>,
            /// Whether another page follows.
            pub has_more: bool,
            /// Pass as `cursor` to get the next page; null on the last page.
            #[schema(required = true)]
            pub next_cursor: Option<String>,
        }

        impl From<$crate::platform::pagination::Page<$item>> for $name {
            fn from(page: $crate::platform::pagination::Page<$item>) -> Self {
                Self { data: page.data, has_more: page.has_more, next_cursor: page.next_cursor }
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let id = Uuid::now_v7();
        assert_eq!(decode_cursor(&encode_cursor(id)).unwrap(), id);
        assert!(decode_cursor("not-a-cursor!").is_err());
        assert!(decode_cursor("8zzzzzzzzzzzzzzzzzzzzzzzzz").is_err());
    }
}
