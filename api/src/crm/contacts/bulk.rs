//! Bulk contact writes: create/upsert up to 1,000 contacts and add/remove tags on up to 1,000
//! contacts, each in one transaction, with a result per item. An invalid item is reported as
//! `failed` and does not stop the others; a database error (e.g. a unique-key race with another
//! request) rolls the whole batch back.

use std::collections::{HashMap, HashSet};

use entities::contact;
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    dto::{
        BulkItemResult, BulkTagIn, BulkTagOut, BulkUpsertIn, BulkUpsertOut, ContactIn, ItemStatus, MAX_BULK_ITEMS,
        MatchOn, OnMatch,
    },
    input::{self, Errors},
    service::{self, TenantRules, map_unique, now},
    tags::{self as contact_tags, TagLookup},
};
use crate::{
    crm::values::{Email, Mode, PhoneE164, custom_fields::merge_patch},
    error::{ApiError, ApiResult, FieldError},
    events::{self, Event},
    platform::{auth::TenantCtx, db::begin_write, ids::ContactId},
    state::AppState,
};

/// Refuses an empty or oversized batch.
pub fn check_batch_size(field: &str, len: usize) -> ApiResult<()> {
    if len == 0 {
        return Err(ApiError::Validation {
            errors: vec![FieldError::new(field, "length", "must hold at least one item")],
        });
    }
    if len > MAX_BULK_ITEMS {
        return Err(ApiError::Unprocessable {
            code: "too_many_items",
            detail: format!(
                "`{field}` holds {len} items; the limit is {MAX_BULK_ITEMS} per request (use POST /v1/imports for more)."
            ),
        });
    }
    Ok(())
}

fn failed(index: usize, errors: Vec<FieldError>) -> BulkItemResult {
    BulkItemResult { index, status: ItemStatus::Failed, id: None, errors: Some(errors) }
}

fn done(index: usize, status: ItemStatus, id: Uuid) -> BulkItemResult {
    BulkItemResult { index, status, id: Some(ContactId::from_uuid(id)), errors: None }
}

/// The contacts in the batch's working set, keyed both ways for uniqueness checks.
#[derive(Default)]
struct WorkingSet {
    rows: HashMap<Uuid, contact::Model>,
    by_email: HashMap<String, Uuid>,
    by_phone: HashMap<String, Uuid>,
    created: Vec<Uuid>,
    updated: HashSet<Uuid>,
    links: Vec<(Uuid, Uuid)>,
}

impl WorkingSet {
    fn add(&mut self, row: contact::Model) {
        if let Some(key) = &row.email_key {
            self.by_email.insert(key.clone(), row.id);
        }
        if let Some(phone) = &row.phone {
            self.by_phone.insert(phone.clone(), row.id);
        }
        self.rows.insert(row.id, row);
    }

    fn replace(&mut self, row: contact::Model) {
        if let Some(old) = self.rows.get(&row.id) {
            if let Some(key) = old.email_key.clone() {
                self.by_email.remove(&key);
            }
            if let Some(phone) = old.phone.clone() {
                self.by_phone.remove(&phone);
            }
        }
        self.add(row);
    }

    /// The first unique key of `row` held by another contact, as a field error.
    fn conflict(&self, row: &contact::Model) -> Option<FieldError> {
        let other = |id: Option<&Uuid>| id.is_some_and(|id| *id != row.id);
        if row.email_key.as_ref().is_some_and(|k| other(self.by_email.get(k))) {
            return Some(FieldError::new("email", "email_taken", "another contact already has this email address"));
        }
        if row.phone.as_ref().is_some_and(|p| other(self.by_phone.get(p))) {
            return Some(FieldError::new("phone", "phone_taken", "another contact already has this phone number"));
        }
        None
    }
}

/// Loads the tenant's contacts that hold any of these email keys or phones.
async fn load_existing<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    emails: Vec<String>,
    phones: Vec<String>,
    set: &mut WorkingSet,
) -> ApiResult<()> {
    for chunk in emails.chunks(500) {
        for row in
            contact::Entity::find_in(tenant_id).filter(contact::Column::EmailKey.is_in(chunk.to_vec())).all(db).await?
        {
            set.add(row);
        }
    }
    for chunk in phones.chunks(500) {
        for row in
            contact::Entity::find_in(tenant_id).filter(contact::Column::Phone.is_in(chunk.to_vec())).all(db).await?
        {
            set.add(row);
        }
    }
    Ok(())
}

/// Sets the fields the item gave (`new`) on an existing contact: values replace, absent or
/// empty fields are kept, custom fields merge (`null` removes a key), consent given is applied.
fn merge_into(existing: &contact::Model, new: contact::Model) -> contact::Model {
    let mut row = existing.clone();
    if new.first_name.is_some() {
        row.first_name = new.first_name;
        row.first_name_key = new.first_name_key;
    }
    if new.last_name.is_some() {
        row.last_name = new.last_name;
        row.last_name_key = new.last_name_key;
    }
    if new.email.is_some() {
        row.email = new.email;
        row.email_key = new.email_key;
    }
    row.phone = new.phone.or(row.phone);
    row.timezone = new.timezone.or(row.timezone);
    row.locale = new.locale.or(row.locale);
    row.company_id = new.company_id.or(row.company_id);
    if let Value::Object(patch) = new.custom_fields {
        let mut map = match row.custom_fields.take() {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        merge_patch(&mut map, patch);
        row.custom_fields = Value::Object(map);
    }
    if new.sms_consent_at.is_some() {
        row.sms_consent = new.sms_consent;
        row.sms_consent_source = new.sms_consent_source;
        row.sms_consent_at = new.sms_consent_at;
    }
    if new.email_consent_at.is_some() {
        row.email_consent = new.email_consent;
        row.email_consent_source = new.email_consent_source;
        row.email_consent_at = new.email_consent_at;
    }
    row
}

/// The match key an item carries (the parsed email key or E.164 phone), if any.
fn match_key(item: &ContactIn, match_on: MatchOn, rules: &TenantRules) -> Option<String> {
    match match_on {
        MatchOn::Email => item.email.as_deref().and_then(|e| Email::parse(e).ok()).map(|e| e.key().to_owned()),
        MatchOn::Phone => {
            item.phone.as_deref().and_then(|p| PhoneE164::parse(p, rules.region).ok()).map(PhoneE164::into_string)
        }
    }
}

/// Creates or updates up to 1,000 contacts in one transaction.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id, items = input.contacts.len()))]
pub async fn upsert(state: &AppState, ctx: &TenantCtx, input: BulkUpsertIn) -> ApiResult<BulkUpsertOut> {
    check_batch_size("contacts", input.contacts.len())?;
    let tenant_id = ctx.tenant_id.uuid();
    let now = now();
    let txn = begin_write(&state.db).await?;
    let rules = TenantRules::load(&txn, tenant_id).await?;

    // Everything the items reference, loaded once.
    let company_ids: Vec<Uuid> = input.contacts.iter().filter_map(|c| c.company_id.map(|id| id.uuid())).collect();
    let companies: HashSet<Uuid> =
        service::existing_companies(&txn, tenant_id, company_ids).await?.into_iter().collect();
    let refs: Vec<String> = input.contacts.iter().flat_map(|c| c.tags.iter().flatten().take(100).cloned()).collect();
    let tags = TagLookup::load(&txn, tenant_id, &refs).await?;
    let emails: Vec<String> = input
        .contacts
        .iter()
        .filter_map(|c| c.email.as_deref().and_then(|e| Email::parse(e).ok()))
        .map(|e| e.key().to_owned())
        .collect();
    let phones: Vec<String> = input
        .contacts
        .iter()
        .filter_map(|c| c.phone.as_deref().and_then(|p| PhoneE164::parse(p, rules.region).ok()))
        .map(PhoneE164::into_string)
        .collect();
    let mut set = WorkingSet::default();
    load_existing(&txn, tenant_id, emails, phones, &mut set).await?;

    let mut results = Vec::with_capacity(input.contacts.len());
    for (index, item) in input.contacts.into_iter().enumerate() {
        let matched = input.match_on.and_then(|on| {
            let key = match_key(&item, on, &rules)?;
            match on {
                MatchOn::Email => set.by_email.get(&key).copied(),
                MatchOn::Phone => set.by_phone.get(&key).copied(),
            }
        });
        let mode = if matched.is_some() && input.on_match == OnMatch::Update { Mode::Patch } else { Mode::Create };
        let built = service::build_new(tenant_id, &rules, &|id| companies.contains(&id), &tags, item, mode, now);
        let new = match built {
            Ok(new) => new,
            Err(Errors(errors)) => {
                results.push(failed(index, errors));
                continue;
            }
        };
        match (matched, input.on_match) {
            (Some(id), OnMatch::Skip) => results.push(done(index, ItemStatus::Skipped, id)),
            (Some(_), OnMatch::Error) => {
                let err = match input.match_on {
                    Some(MatchOn::Phone) => {
                        FieldError::new("phone", "phone_taken", "a contact with this phone number exists")
                    }
                    _ => FieldError::new("email", "email_taken", "a contact with this email address exists"),
                };
                results.push(failed(index, vec![err]));
            }
            (Some(id), OnMatch::Update) => {
                let Some(existing) = set.rows.get(&id) else {
                    results.push(failed(index, vec![FieldError::new("", "not_found", "the matched contact vanished")]));
                    continue;
                };
                let merged = merge_into(existing, new.row);
                if let Some(err) = set.conflict(&merged) {
                    results.push(failed(index, vec![err]));
                    continue;
                }
                let mut merged = merged;
                merged.updated_at = now;
                if !set.created.contains(&id) {
                    set.updated.insert(id);
                }
                set.links.extend(new.tag_ids.iter().map(|t| (id, *t)));
                set.replace(merged);
                results.push(done(index, ItemStatus::Updated, id));
            }
            (None, _) => {
                if let Some(err) = set.conflict(&new.row) {
                    results.push(failed(index, vec![err]));
                    continue;
                }
                let id = new.row.id;
                set.created.push(id);
                set.links.extend(new.tag_ids.iter().map(|t| (id, *t)));
                set.add(new.row);
                results.push(done(index, ItemStatus::Created, id));
            }
        }
    }

    // Updates first, so that a key an update gives up is free for an insert.
    for id in &set.updated {
        if let Some(row) = set.rows.get(id) {
            update_row(&txn, row).await?;
        }
    }
    let inserts: Vec<contact::ActiveModel> =
        set.created.iter().filter_map(|id| set.rows.get(id)).cloned().map(contact::ActiveModel::from).collect();
    let mut inserts = inserts.into_iter().peekable();
    while inserts.peek().is_some() {
        // 21 values per row: stay well under SQLite's bound-parameter limit.
        let chunk: Vec<_> = inserts.by_ref().take(500).collect();
        contact::Entity::insert_many(chunk).exec_without_returning(&txn).await.map_err(map_unique)?;
    }
    contact_tags::link(&txn, tenant_id, set.links.iter().copied(), now).await?;
    append_upsert_events(&txn, ctx, &set, &results).await?;
    txn.commit().await?;

    let count = |s: ItemStatus| results.iter().filter(|r| r.status == s).count();
    Ok(BulkUpsertOut {
        created: count(ItemStatus::Created),
        updated: count(ItemStatus::Updated),
        skipped: count(ItemStatus::Skipped),
        failed: count(ItemStatus::Failed),
        results,
    })
}

/// One `contact.created` or `contact.updated` per contact the batch wrote, in item order, with
/// the contact as it is at the end of the batch (a contact created by one item and updated by a
/// later one gets one `contact.created`).
async fn append_upsert_events<C: ConnectionTrait>(
    txn: &C,
    ctx: &TenantCtx,
    set: &WorkingSet,
    results: &[BulkItemResult],
) -> ApiResult<()> {
    let mut seen = HashSet::new();
    let rows: Vec<contact::Model> = results
        .iter()
        .filter(|r| matches!(r.status, ItemStatus::Created | ItemStatus::Updated))
        .filter_map(|r| r.id.map(ContactId::uuid))
        .filter(|id| seen.insert(*id))
        .filter_map(|id| set.rows.get(&id).cloned())
        .collect();
    let outs = service::to_out_many(txn, ctx.tenant_id.uuid(), rows).await?;
    let events = outs.iter().map(|out| {
        if set.created.contains(&out.id.uuid()) { Event::contact_created(out) } else { Event::contact_updated(out) }
    });
    events::append_many(txn, ctx.tenant_id, events).await?;
    Ok(())
}

async fn update_row<C: ConnectionTrait>(db: &C, row: &contact::Model) -> ApiResult<()> {
    let active = contact::ActiveModel {
        id: Set(row.id),
        tenant_id: Set(row.tenant_id),
        first_name: Set(row.first_name.clone()),
        last_name: Set(row.last_name.clone()),
        first_name_key: Set(row.first_name_key.clone()),
        last_name_key: Set(row.last_name_key.clone()),
        email: Set(row.email.clone()),
        email_key: Set(row.email_key.clone()),
        phone: Set(row.phone.clone()),
        timezone: Set(row.timezone.clone()),
        locale: Set(row.locale.clone()),
        company_id: Set(row.company_id),
        custom_fields: Set(row.custom_fields.clone()),
        sms_consent: Set(row.sms_consent.clone()),
        sms_consent_source: Set(row.sms_consent_source.clone()),
        sms_consent_at: Set(row.sms_consent_at),
        email_consent: Set(row.email_consent.clone()),
        email_consent_source: Set(row.email_consent_source.clone()),
        email_consent_at: Set(row.email_consent_at),
        created_at: Set(row.created_at),
        updated_at: Set(row.updated_at),
    };
    // The row was loaded through the tenant-scoped finder; the update targets its primary key.
    contact::Entity::update(active).exec(db).await.map_err(map_unique)?;
    Ok(())
}

/// Adds and removes tags on up to 1,000 contacts in one transaction (removals after additions).
/// Unknown tags refuse the whole request (422 `unknown_tag`); a contact that does not exist in
/// this organisation is a `failed` item (`not_found`).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id, items = input.contact_ids.len()))]
pub async fn tag(state: &AppState, ctx: &TenantCtx, input: BulkTagIn) -> ApiResult<BulkTagOut> {
    check_batch_size("contact_ids", input.contact_ids.len())?;
    let tenant_id = ctx.tenant_id.uuid();
    let mut errors = Errors::default();
    let add_refs = input::tag_refs(&mut errors, "add", input.add);
    let remove_refs = input::tag_refs(&mut errors, "remove", input.remove);
    let txn = begin_write(&state.db).await?;
    let all_refs: Vec<String> = add_refs.iter().chain(&remove_refs).cloned().collect();
    let lookup = TagLookup::load(&txn, tenant_id, &all_refs).await?;
    let add = lookup.resolve(&mut errors, "add", &add_refs);
    let remove = lookup.resolve(&mut errors, "remove", &remove_refs);
    if !errors.is_empty() {
        return Err(ApiError::Validation { errors: errors.0 });
    }
    let wanted: Vec<Uuid> = input.contact_ids.iter().map(|id| id.uuid()).collect();
    let mut rows: HashMap<Uuid, contact::Model> = HashMap::new();
    for chunk in wanted.chunks(500) {
        let found =
            contact::Entity::find_in(tenant_id).filter(contact::Column::Id.is_in(chunk.to_vec())).all(&txn).await?;
        rows.extend(found.into_iter().map(|c| (c.id, c)));
    }
    let found: HashSet<Uuid> = rows.keys().copied().collect();
    // The contacts in request order (once each): their events come in that order.
    let mut seen = HashSet::new();
    let targets: Vec<contact::Model> =
        wanted.iter().filter(|id| seen.insert(**id)).filter_map(|id| rows.remove(id)).collect();
    let target_ids: Vec<Uuid> = targets.iter().map(|c| c.id).collect();
    let before: HashMap<Uuid, Vec<Uuid>> = service::to_out_many(&txn, tenant_id, targets.clone())
        .await?
        .into_iter()
        .map(|c| (c.id.uuid(), c.tags.iter().map(|t| t.id.uuid()).collect()))
        .collect();
    let now = now();
    contact_tags::link(&txn, tenant_id, target_ids.iter().flat_map(|c| add.iter().map(move |t| (*c, *t))), now).await?;
    if !remove.is_empty() {
        contact_tags::unlink(&txn, tenant_id, &target_ids, Some(&remove)).await?;
    }
    // `contact.updated` for each contact whose tags changed.
    let after = service::to_out_many(&txn, tenant_id, targets).await?;
    let changed = after.iter().filter(|c| {
        let tags: Vec<Uuid> = c.tags.iter().map(|t| t.id.uuid()).collect();
        before.get(&c.id.uuid()) != Some(&tags)
    });
    events::append_many(&txn, ctx.tenant_id, changed.map(Event::contact_updated)).await?;
    txn.commit().await?;
    let results: Vec<BulkItemResult> = input
        .contact_ids
        .iter()
        .enumerate()
        .map(|(index, id)| {
            if found.contains(&id.uuid()) {
                done(index, ItemStatus::Updated, id.uuid())
            } else {
                failed(index, vec![FieldError::new("", "not_found", "no contact with this id exists")])
            }
        })
        .collect();
    let updated = results.iter().filter(|r| r.status == ItemStatus::Updated).count();
    Ok(BulkTagOut { failed: results.len() - updated, updated, results })
}
