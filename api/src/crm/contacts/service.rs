//! Contact rules: create, read, update (absent/null/value), delete, tags on one contact, and
//! the `ContactOut` view (`to_out`, `to_out_many`) that other CRM modules reuse.
//!
//! Email (case-insensitive, via `email_key`) and phone (E.164) are unique per tenant. The
//! unique indexes enforce it; a violation, races included, is a 409 naming the field.

use std::collections::HashMap;

use chrono::{DateTime, SubsecRound, Utc};
use entities::{company, contact, contact_tag, field_definition, tag, tenant};
use phonenumber::country::Id as Region;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, DbErr, EntityTrait, FromQueryResult, QueryFilter, SqlErr,
    sea_query::{Expr, ExprTrait, Order, Query},
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{
    dto::{ConsentOut, ConsentsOut, ContactIn, ContactOut, ContactPatch, ContactTagsIn, TagRef},
    input::{self, ConsentChange, Errors},
    tags::{self as contact_tags, TagLookup},
};
use crate::{
    crm::values::{self, ConsentStatus, Mode, parse_region},
    error::{ApiError, ApiResult},
    events::{self, Event},
    platform::{
        auth::TenantCtx,
        db::begin_write,
        ids::{CompanyId, ContactId, TagId},
        patch::Patch,
    },
    state::AppState,
};

/// Microseconds: what PostgreSQL stores, so that responses match later reads.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[derive(Debug, FromQueryResult)]
struct TagOfContact {
    contact_id: Uuid,
    id: Uuid,
    name: String,
}

/// The API view of contacts, with their tags (loaded in one query for all rows), in the
/// order given.
pub async fn to_out_many(
    db: &impl ConnectionTrait,
    tenant_id: Uuid,
    rows: Vec<contact::Model>,
) -> ApiResult<Vec<ContactOut>> {
    let mut tags: HashMap<Uuid, Vec<TagRef>> = HashMap::new();
    for chunk in rows.chunks(500) {
        let ids: Vec<Uuid> = chunk.iter().map(|c| c.id).collect();
        let stmt = Query::select()
            .column((contact_tag::Entity, contact_tag::Column::ContactId))
            .column((tag::Entity, tag::Column::Id))
            .column((tag::Entity, tag::Column::Name))
            .from(contact_tag::Entity)
            .inner_join(
                tag::Entity,
                Expr::col((tag::Entity, tag::Column::Id)).equals((contact_tag::Entity, contact_tag::Column::TagId)),
            )
            .and_where(Expr::col((contact_tag::Entity, contact_tag::Column::TenantId)).eq(tenant_id))
            .and_where(Expr::col((tag::Entity, tag::Column::TenantId)).eq(tenant_id))
            .and_where(Expr::col((contact_tag::Entity, contact_tag::Column::ContactId)).is_in(ids))
            .order_by((tag::Entity, tag::Column::NameKey), Order::Asc)
            .to_owned();
        let found = TagOfContact::find_by_statement(db.get_database_backend().build(&stmt)).all(db).await?;
        for t in found {
            tags.entry(t.contact_id).or_default().push(TagRef { id: TagId::from_uuid(t.id), name: t.name });
        }
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let row_tags = tags.remove(&row.id).unwrap_or_default();
            view(row, row_tags)
        })
        .collect())
}

/// The name of the column [`tags_column`] adds to a contact select.
pub const TAGS_COLUMN: &str = "tags_json";

/// A correlated subquery giving each contact's tags as JSON text, `[[id, name], …]` ordered
/// by name, so that a page of contacts and their tags are read in one statement (one round
/// trip and one plan instead of two; see `docs/crm-indexes.md`). It reads only tags of the
/// contact's own tenant. The id is a UUID string on PostgreSQL and 32 hex digits on SQLite
/// (which stores UUIDs as blobs); [`Uuid::parse_str`] reads both.
pub fn tags_column(backend: DbBackend) -> Expr {
    /// The contact's tag links joined to their tags, both in the contact's tenant.
    macro_rules! tags_of_contact {
        () => {
            r#" FROM "contact_tags" AS "ct" JOIN "tags" AS "t" ON "t"."id" = "ct"."tag_id"
                WHERE "ct"."tenant_id" = "contacts"."tenant_id" AND "ct"."contact_id" = "contacts"."id"
                  AND "t"."tenant_id" = "contacts"."tenant_id")"#
        };
    }
    Expr::cust(match backend {
        DbBackend::Postgres => concat!(
            r#"(SELECT json_agg(json_build_array("t"."id", "t"."name") ORDER BY "t"."name_key")::text"#,
            tags_of_contact!()
        ),
        _ => concat!(
            r#"(SELECT json_group_array(json_array(lower(hex("t"."id")), "t"."name") ORDER BY "t"."name_key")"#,
            tags_of_contact!()
        ),
    })
}

/// A contact read with [`tags_column`]: `row` holds the contact's columns and the tags' JSON
/// text.
pub fn read_with_tags(row: &sea_orm::QueryResult) -> ApiResult<(contact::Model, Vec<TagRef>)> {
    let model = contact::Model::from_query_result(row, "")?;
    let json: Option<String> = row.try_get("", TAGS_COLUMN)?;
    let pairs: Vec<(String, String)> = match json.as_deref() {
        Some(text) => serde_json::from_str(text)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("contact tags are not the expected JSON: {e}")))?,
        None => Vec::new(),
    };
    let mut tags = Vec::with_capacity(pairs.len());
    for (id, name) in pairs {
        let id = Uuid::parse_str(&id)
            .map_err(|e| ApiError::internal(anyhow::anyhow!("contact tag id is not a UUID: {e}")))?;
        tags.push(TagRef { id: TagId::from_uuid(id), name });
    }
    Ok((model, tags))
}

/// The API view of one contact.
pub async fn to_out(db: &impl ConnectionTrait, tenant_id: Uuid, row: contact::Model) -> ApiResult<ContactOut> {
    let mut out = to_out_many(db, tenant_id, vec![row]).await?;
    out.pop().ok_or_else(|| ApiError::internal(anyhow::anyhow!("contact view lost its row")))
}

/// The API view of a contact and its tags.
pub fn view(m: contact::Model, tags: Vec<TagRef>) -> ContactOut {
    let custom_fields = match m.custom_fields {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    ContactOut {
        id: ContactId::from_uuid(m.id),
        first_name: m.first_name,
        last_name: m.last_name,
        email: m.email,
        phone: m.phone,
        timezone: m.timezone,
        locale: m.locale,
        company_id: m.company_id.map(CompanyId::from_uuid),
        custom_fields,
        tags,
        consent: ConsentsOut {
            sms: ConsentOut {
                status: ConsentStatus::from_stored(&m.sms_consent),
                source: m.sms_consent_source,
                updated_at: m.sms_consent_at,
            },
            email: ConsentOut {
                status: ConsentStatus::from_stored(&m.email_consent),
                source: m.email_consent_source,
                updated_at: m.email_consent_at,
            },
        },
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

/// What contact input is checked against: the tenant's default phone region and its contact
/// custom field definitions.
#[derive(Debug, Clone)]
pub struct TenantRules {
    pub region: Option<Region>,
    pub defs: Vec<field_definition::Model>,
}

impl TenantRules {
    pub async fn load<C: ConnectionTrait>(db: &C, tenant_id: Uuid) -> ApiResult<Self> {
        let region = tenant::Entity::find_by_id(tenant_id)
            .one(db)
            .await?
            .and_then(|t| t.default_phone_region)
            .and_then(|r| parse_region(&r));
        let defs = field_definition::Entity::find_for_object(tenant_id, "contact").all(db).await?;
        Ok(Self { region, defs })
    }
}

pub fn email_taken() -> ApiError {
    ApiError::conflict_on("email", "email_taken", "Another contact already has this email address (ignoring case).")
}

pub fn phone_taken() -> ApiError {
    ApiError::conflict_on("phone", "phone_taken", "Another contact already has this phone number.")
}

/// A unique violation on `contacts` as the 409 naming the field; other errors unchanged.
pub fn map_unique(err: DbErr) -> ApiError {
    match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(msg)) if msg.contains("email") => email_taken(),
        Some(SqlErr::UniqueConstraintViolation(msg)) if msg.contains("phone") => phone_taken(),
        _ => err.into(),
    }
}

/// Whether another contact (not `except`) of the tenant has this email key or phone.
async fn check_unique<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    email_key: Option<&str>,
    phone: Option<&str>,
    except: Option<Uuid>,
) -> ApiResult<()> {
    let others = |q: sea_orm::Select<contact::Entity>| match except {
        Some(id) => q.filter(contact::Column::Id.ne(id)),
        None => q,
    };
    if let Some(key) = email_key
        && others(contact::Entity::find_in(tenant_id).filter(contact::Column::EmailKey.eq(key)))
            .one(db)
            .await?
            .is_some()
    {
        return Err(email_taken());
    }
    if let Some(phone) = phone
        && others(contact::Entity::find_in(tenant_id).filter(contact::Column::Phone.eq(phone))).one(db).await?.is_some()
    {
        return Err(phone_taken());
    }
    Ok(())
}

/// Whether the company exists in the tenant (`unknown_company` otherwise).
async fn check_company<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    errors: &mut Errors,
    id: Option<CompanyId>,
) -> ApiResult<()> {
    if let Some(id) = id
        && company::Entity::find_one_in(tenant_id, id.uuid()).one(db).await?.is_none()
    {
        errors.push("company_id", "unknown_company", "no company with this id exists in this organisation");
    }
    Ok(())
}

pub fn apply_consent(row: &mut contact::Model, sms: Option<ConsentChange>, email: Option<ConsentChange>) {
    if let Some(c) = sms {
        row.sms_consent = c.status.as_str().to_owned();
        row.sms_consent_source = c.source;
        row.sms_consent_at = Some(c.at);
    }
    if let Some(c) = email {
        row.email_consent = c.status.as_str().to_owned();
        row.email_consent_source = c.source;
        row.email_consent_at = Some(c.at);
    }
}

fn name_key(name: Option<&String>) -> Option<String> {
    name.map(|n| n.to_lowercase().chars().take(input::MAX_NAME).collect())
}

/// A contact (with its tag ids) built from checked input. Uniqueness is not checked here.
pub struct NewContact {
    pub row: contact::Model,
    pub tag_ids: Vec<Uuid>,
}

/// Checks `input` against the tenant's rules, `companies` (whether a company id exists in the
/// tenant) and `tags` (the tags it references), without touching the database. `mode` is
/// `Create` for a new contact (required custom fields must be present) or `Patch` when the
/// result is merged into an existing contact (custom fields sent as `null` are kept as `null`
/// for `merge_patch`).
pub fn build_new(
    tenant_id: Uuid,
    rules: &TenantRules,
    companies: &dyn Fn(Uuid) -> bool,
    tags: &TagLookup,
    input: ContactIn,
    mode: Mode,
    now: DateTime<Utc>,
) -> Result<NewContact, Errors> {
    let mut errors = Errors::default();
    let first_name = input::text(&mut errors, "first_name", input.first_name, input::MAX_NAME);
    let last_name = input::text(&mut errors, "last_name", input.last_name, input::MAX_NAME);
    let email = input::email(&mut errors, input.email);
    let phone = input::phone(&mut errors, input.phone, rules.region);
    let timezone = input::timezone(&mut errors, input.timezone);
    let locale = input::locale(&mut errors, input.locale);
    let (sms, email_consent) = input::consent(&mut errors, input.consent, now);
    if let Some(id) = input.company_id
        && !companies(id.uuid())
    {
        errors.push("company_id", "unknown_company", "no company with this id exists in this organisation");
    }
    let custom_fields =
        match values::validate_custom_fields(&rules.defs, &input.custom_fields.unwrap_or_default(), mode) {
            Ok(map) => map,
            Err(errs) => {
                errors.0.extend(errs);
                Map::new()
            }
        };
    let refs = input::tag_refs(&mut errors, "tags", input.tags.unwrap_or_default());
    let tag_ids = tags.resolve(&mut errors, "tags", &refs);
    if !errors.is_empty() {
        return Err(errors);
    }
    let (email, email_key) = email.map(|e| e.into_parts()).unzip();
    let mut row = contact::Model {
        id: ContactId::generate().uuid(),
        tenant_id,
        first_name_key: name_key(first_name.as_ref()),
        last_name_key: name_key(last_name.as_ref()),
        first_name,
        last_name,
        email,
        email_key,
        phone: phone.map(|p| p.into_string()),
        timezone,
        locale,
        company_id: input.company_id.map(CompanyId::uuid),
        custom_fields: Value::Object(custom_fields),
        sms_consent: ConsentStatus::Unknown.as_str().to_owned(),
        sms_consent_source: None,
        sms_consent_at: None,
        email_consent: ConsentStatus::Unknown.as_str().to_owned(),
        email_consent_source: None,
        email_consent_at: None,
        created_at: now,
        updated_at: now,
    };
    apply_consent(&mut row, sms, email_consent);
    Ok(NewContact { row, tag_ids })
}

/// The company ids among `ids` that belong to the tenant.
pub async fn existing_companies<C: ConnectionTrait>(db: &C, tenant_id: Uuid, ids: Vec<Uuid>) -> ApiResult<Vec<Uuid>> {
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let rows =
            company::Entity::find_in(tenant_id).filter(company::Column::Id.is_in(chunk.to_vec())).all(db).await?;
        found.extend(rows.into_iter().map(|c| c.id));
    }
    Ok(found)
}

fn invalid(errors: Errors) -> ApiError {
    ApiError::Validation { errors: errors.0 }
}

/// Creates a contact.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn create(state: &AppState, ctx: &TenantCtx, input: ContactIn) -> ApiResult<ContactOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let rules = TenantRules::load(&txn, tenant_id).await?;
    let companies =
        existing_companies(&txn, tenant_id, input.company_id.map(CompanyId::uuid).into_iter().collect()).await?;
    let tags = TagLookup::load(&txn, tenant_id, input.tags.as_deref().unwrap_or_default()).await?;
    let new = build_new(tenant_id, &rules, &|id| companies.contains(&id), &tags, input, Mode::Create, now())
        .map_err(invalid)?;
    check_unique(&txn, tenant_id, new.row.email_key.as_deref(), new.row.phone.as_deref(), None).await?;
    contact::Entity::insert(contact::ActiveModel::from(new.row.clone()))
        .exec_without_returning(&txn)
        .await
        .map_err(map_unique)?;
    contact_tags::link(&txn, tenant_id, new.tag_ids.iter().map(|t| (new.row.id, *t)), new.row.created_at).await?;
    let out = to_out(&txn, tenant_id, new.row).await?;
    events::append(&txn, ctx.tenant_id, Event::contact_created(&out)).await?;
    txn.commit().await?;
    Ok(out)
}

async fn find<C: ConnectionTrait>(db: &C, tenant_id: Uuid, id: ContactId) -> ApiResult<contact::Model> {
    contact::Entity::find_one_in(tenant_id, id.uuid()).one(db).await?.ok_or_else(|| ApiError::not_found("contact"))
}

/// One contact.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn get(state: &AppState, ctx: &TenantCtx, id: ContactId) -> ApiResult<ContactOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let row = find(&state.db, tenant_id, id).await?;
    to_out(&state.db, tenant_id, row).await
}

enum CustomFieldsChange {
    Clear,
    Merge(Map<String, Value>),
}

/// Applies a patch: absent fields are kept, `null` clears, values set; custom fields merge.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn update(state: &AppState, ctx: &TenantCtx, id: ContactId, input: ContactPatch) -> ApiResult<ContactOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let current = find(&txn, tenant_id, id).await?;
    let rules = TenantRules::load(&txn, tenant_id).await?;
    let now = now();
    let mut errors = Errors::default();
    let first_name =
        input::patch_with(&mut errors, input.first_name, |e, s| input::text(e, "first_name", s, input::MAX_NAME));
    let last_name =
        input::patch_with(&mut errors, input.last_name, |e, s| input::text(e, "last_name", s, input::MAX_NAME));
    let email = input::patch_with(&mut errors, input.email, input::email);
    let phone = input::patch_with(&mut errors, input.phone, |e, s| input::phone(e, s, rules.region));
    let timezone = input::patch_with(&mut errors, input.timezone, input::timezone);
    let locale = input::patch_with(&mut errors, input.locale, input::locale);
    let (sms, email_consent) = input::consent(&mut errors, input.consent, now);
    if let Patch::Value(company) = input.company_id {
        check_company(&txn, tenant_id, &mut errors, Some(company)).await?;
    }
    let custom_patch = match input.custom_fields {
        Patch::Absent => None,
        Patch::Null => {
            for def in rules.defs.iter().filter(|d| d.required) {
                errors.push(
                    format!("custom_fields.{}", def.key),
                    "required",
                    "is a required field and cannot be removed",
                );
            }
            Some(CustomFieldsChange::Clear)
        }
        Patch::Value(map) => match values::validate_custom_fields(&rules.defs, &map, Mode::Patch) {
            Ok(patch) => Some(CustomFieldsChange::Merge(patch)),
            Err(errs) => {
                errors.0.extend(errs);
                None
            }
        },
    };
    let tag_ids = match input.tags {
        Patch::Absent => None,
        Patch::Null => Some(Vec::new()),
        Patch::Value(raw) => {
            let refs = input::tag_refs(&mut errors, "tags", raw);
            let lookup = TagLookup::load(&txn, tenant_id, &refs).await?;
            Some(lookup.resolve(&mut errors, "tags", &refs))
        }
    };
    if !errors.is_empty() {
        return Err(invalid(errors));
    }

    let mut row = current.clone();
    if !first_name.is_absent() {
        row.first_name = first_name.apply(None);
        row.first_name_key = name_key(row.first_name.as_ref());
    }
    if !last_name.is_absent() {
        row.last_name = last_name.apply(None);
        row.last_name_key = name_key(row.last_name.as_ref());
    }
    if !email.is_absent() {
        let (display, key) = email.apply(None).map(|e| e.into_parts()).unzip();
        row.email = display;
        row.email_key = key;
    }
    match phone {
        Patch::Absent => {}
        Patch::Null => row.phone = None,
        Patch::Value(p) => row.phone = Some(p.into_string()),
    }
    row.timezone = timezone.apply(row.timezone);
    row.locale = locale.apply(row.locale);
    match input.company_id {
        Patch::Absent => {}
        Patch::Null => row.company_id = None,
        Patch::Value(c) => row.company_id = Some(c.uuid()),
    }
    match custom_patch {
        None => {}
        Some(CustomFieldsChange::Clear) => row.custom_fields = Value::Object(Map::new()),
        Some(CustomFieldsChange::Merge(patch)) => {
            let mut map = match row.custom_fields.take() {
                Value::Object(map) => map,
                _ => Map::new(),
            };
            values::custom_fields::merge_patch(&mut map, patch);
            row.custom_fields = Value::Object(map);
        }
    }
    apply_consent(&mut row, sms, email_consent);

    let email_changed = row.email_key != current.email_key;
    let phone_changed = row.phone != current.phone;
    check_unique(
        &txn,
        tenant_id,
        row.email_key.as_deref().filter(|_| email_changed),
        row.phone.as_deref().filter(|_| phone_changed),
        Some(row.id),
    )
    .await?;
    let changed = row != current || tag_ids.is_some();
    if changed {
        row.updated_at = now;
    }
    if row != current {
        let mut active: contact::ActiveModel = current.into();
        active.first_name = Set(row.first_name.clone());
        active.first_name_key = Set(row.first_name_key.clone());
        active.last_name = Set(row.last_name.clone());
        active.last_name_key = Set(row.last_name_key.clone());
        active.email = Set(row.email.clone());
        active.email_key = Set(row.email_key.clone());
        active.phone = Set(row.phone.clone());
        active.timezone = Set(row.timezone.clone());
        active.locale = Set(row.locale.clone());
        active.company_id = Set(row.company_id);
        active.custom_fields = Set(row.custom_fields.clone());
        active.sms_consent = Set(row.sms_consent.clone());
        active.sms_consent_source = Set(row.sms_consent_source.clone());
        active.sms_consent_at = Set(row.sms_consent_at);
        active.email_consent = Set(row.email_consent.clone());
        active.email_consent_source = Set(row.email_consent_source.clone());
        active.email_consent_at = Set(row.email_consent_at);
        active.updated_at = Set(row.updated_at);
        contact::Entity::update(active).exec(&txn).await.map_err(map_unique)?;
    }
    if let Some(tag_ids) = tag_ids {
        contact_tags::unlink(&txn, tenant_id, &[row.id], None).await?;
        contact_tags::link(&txn, tenant_id, tag_ids.into_iter().map(|t| (row.id, t)), now).await?;
    }
    let out = to_out(&txn, tenant_id, row).await?;
    if changed {
        events::append(&txn, ctx.tenant_id, Event::contact_updated(&out)).await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// Deletes a contact (its tag links, notes and segment memberships go with it).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn delete(state: &AppState, ctx: &TenantCtx, id: ContactId) -> ApiResult<()> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let row = find(&txn, tenant_id, id).await?;
    let out = to_out(&txn, tenant_id, row).await?;
    let deleted =
        contact::Entity::delete_in(tenant_id).filter(contact::Column::Id.eq(id.uuid())).exec(&txn).await?.rows_affected;
    if deleted == 0 {
        return Err(ApiError::not_found("contact"));
    }
    events::append(&txn, ctx.tenant_id, Event::contact_deleted(&out)).await?;
    txn.commit().await?;
    Ok(())
}

/// Adds existing tags to one contact (tags it already has are kept).
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn add_tags(state: &AppState, ctx: &TenantCtx, id: ContactId, input: ContactTagsIn) -> ApiResult<ContactOut> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let row = find(&txn, tenant_id, id).await?;
    let mut errors = Errors::default();
    let refs = input::tag_refs(&mut errors, "tags", input.tags);
    let lookup = TagLookup::load(&txn, tenant_id, &refs).await?;
    let tag_ids = lookup.resolve(&mut errors, "tags", &refs);
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let added = contact_tags::link(&txn, tenant_id, tag_ids.into_iter().map(|t| (row.id, t)), now()).await?;
    let out = to_out(&txn, tenant_id, row).await?;
    if added > 0 {
        events::append(&txn, ctx.tenant_id, Event::contact_updated(&out)).await?;
    }
    txn.commit().await?;
    Ok(out)
}

/// Removes one tag from one contact. A tag the contact does not carry is not an error; a tag
/// that does not exist in this organisation is 404.
#[tracing::instrument(skip_all, fields(tenant_id = %ctx.tenant_id))]
pub async fn remove_tag(state: &AppState, ctx: &TenantCtx, id: ContactId, tag_id: TagId) -> ApiResult<()> {
    let tenant_id = ctx.tenant_id.uuid();
    let txn = begin_write(&state.db).await?;
    let row = find(&txn, tenant_id, id).await?;
    if tag::Entity::find_in(tenant_id).filter(tag::Column::Id.eq(tag_id.uuid())).one(&txn).await?.is_none() {
        return Err(ApiError::not_found("tag"));
    }
    let removed = contact_tags::unlink(&txn, tenant_id, &[row.id], Some(&[tag_id.uuid()])).await?;
    if removed > 0 {
        let out = to_out(&txn, tenant_id, row).await?;
        events::append(&txn, ctx.tenant_id, Event::contact_updated(&out)).await?;
    }
    txn.commit().await?;
    Ok(())
}
