//! Tags on contacts: resolving references (a tag id `tag_…` or a name, case-insensitive) to the
//! tenant's existing tags, and adding or removing links. Tags are never created here: an unknown
//! reference is the field error `unknown_tag`.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{contact_tag, tag};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TryInsertResult};
use uuid::Uuid;

use super::input::Errors;
use crate::{error::ApiResult, platform::ids::TagId};

/// Existing tags, found by the references they were named with.
#[derive(Debug, Default)]
pub struct TagLookup {
    by_ref: HashMap<String, Uuid>,
}

fn key_of(reference: &str) -> String {
    reference.trim().to_lowercase()
}

impl TagLookup {
    /// Loads the tags named by `refs` (ids or names) in two queries at most.
    pub async fn load<C: ConnectionTrait>(db: &C, tenant_id: Uuid, refs: &[String]) -> ApiResult<Self> {
        let mut ids = Vec::new();
        let mut keys = Vec::new();
        for r in refs {
            match TagId::parse(r.trim()) {
                Ok(id) => ids.push(id.uuid()),
                Err(_) => keys.push(key_of(r)),
            }
        }
        ids.sort_unstable();
        ids.dedup();
        keys.sort_unstable();
        keys.dedup();
        let mut by_ref = HashMap::new();
        for chunk in ids.chunks(500) {
            for t in tag::Entity::find_in(tenant_id).filter(tag::Column::Id.is_in(chunk.to_vec())).all(db).await? {
                by_ref.insert(TagId::from_uuid(t.id).to_string(), t.id);
            }
        }
        for chunk in keys.chunks(500) {
            for t in tag::Entity::find_in(tenant_id).filter(tag::Column::NameKey.is_in(chunk.to_vec())).all(db).await? {
                by_ref.insert(t.name_key, t.id);
            }
        }
        Ok(Self { by_ref })
    }

    /// The tag a reference names, if it exists.
    pub fn get(&self, reference: &str) -> Option<Uuid> {
        let r = reference.trim();
        match TagId::parse(r) {
            Ok(id) => self.by_ref.get(&id.to_string()).copied(),
            Err(_) => self.by_ref.get(&key_of(r)).copied(),
        }
    }

    /// The tag ids for `refs`; each unknown one is an `unknown_tag` error on `<field>[i]`.
    pub fn resolve(&self, errors: &mut Errors, field: &str, refs: &[String]) -> Vec<Uuid> {
        let mut out = Vec::new();
        for (i, r) in refs.iter().enumerate() {
            match self.get(r) {
                Some(id) => {
                    if !out.contains(&id) {
                        out.push(id);
                    }
                }
                None => errors.push(
                    format!("{field}[{i}]"),
                    "unknown_tag",
                    format!("no tag `{r}` exists; create it with POST /v1/tags first"),
                ),
            }
        }
        out
    }
}

/// Adds links (existing ones are kept as they are); returns how many were new.
pub async fn link<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    pairs: impl IntoIterator<Item = (Uuid, Uuid)>,
    now: DateTime<Utc>,
) -> ApiResult<u64> {
    let rows: Vec<contact_tag::ActiveModel> = pairs
        .into_iter()
        .map(|(contact_id, tag_id)| {
            contact_tag::ActiveModel::from(contact_tag::Model { tenant_id, contact_id, tag_id, created_at: now })
        })
        .collect();
    // Four values per row: stay well under SQLite's bound-parameter limit.
    let mut rows = rows.into_iter().peekable();
    let mut added = 0;
    while rows.peek().is_some() {
        let chunk: Vec<_> = rows.by_ref().take(2000).collect();
        let result =
            contact_tag::Entity::insert_many(chunk).on_conflict_do_nothing().exec_without_returning(db).await?;
        if let TryInsertResult::Inserted(n) = result {
            added += n;
        }
    }
    Ok(added)
}

/// Removes the links of `contact_ids` to `tag_ids` (all their tags when `tag_ids` is `None`).
pub async fn unlink<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    contact_ids: &[Uuid],
    tag_ids: Option<&[Uuid]>,
) -> ApiResult<u64> {
    let mut removed = 0;
    for chunk in contact_ids.chunks(500) {
        let mut delete =
            contact_tag::Entity::delete_in(tenant_id).filter(contact_tag::Column::ContactId.is_in(chunk.to_vec()));
        if let Some(tags) = tag_ids {
            if tags.is_empty() {
                return Ok(0);
            }
            delete = delete.filter(contact_tag::Column::TagId.is_in(tags.to_vec()));
        }
        removed += delete.exec(db).await?.rows_affected;
    }
    Ok(removed)
}
