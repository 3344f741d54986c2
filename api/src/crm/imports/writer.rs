//! Writing one batch of parsed rows, in one transaction: one query finds the existing contacts
//! the batch touches (by email key or phone), rows are resolved in order in memory (a later
//! duplicate updates or skips what an earlier row created), then multi-row upserts write the
//! contacts, companies, tags and tag links. An existing `opted_out` consent is guarded in the
//! SQL itself (`CASE`), so an import never re-subscribes anyone even if the contact opted out
//! while the batch was being prepared.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{company, contact, tag};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, FromQueryResult,
    QueryFilter, QuerySelect, SqlErr, Statement, Value,
};
use serde_json::{Map, Value as Json};
use uuid::Uuid;

use super::{
    dto::{MatchOn, OnMatch},
    mapping::{Columns, Target},
    rows::{Row, RowError},
};
use crate::{
    crm::values::{ConsentStatus, consent::merge_import},
    platform::db::begin_write,
};

/// Where consent set by an import says it came from.
const CONSENT_SOURCE: &str = "import";
/// Bounds of the in-memory company and tag caches (cleared when full).
const MAX_CACHE: usize = 100_000;
/// How often a batch is retried after a unique or foreign-key race with another writer.
const RETRIES: usize = 3;

/// Counts of one written batch, and the rows it refused.
#[derive(Debug, Default)]
pub struct Outcome {
    pub created: u64,
    pub updated: u64,
    pub skipped: u64,
    pub errors: Vec<RowError>,
}

/// Writes batches of one import.
pub struct Writer {
    db: DatabaseConnection,
    backend: DbBackend,
    tenant_id: Uuid,
    match_on: MatchOn,
    on_match: OnMatch,
    /// Required contact custom fields: (key, header of the column filling it, if any).
    required: Vec<(String, String)>,
    /// CSV headers of the email and phone columns (for error lines).
    email_header: String,
    phone_header: String,
    companies: HashMap<String, Uuid>,
    tags: HashMap<String, Uuid>,
}

struct Slot {
    model: contact::Model,
    touched: bool,
}

impl Writer {
    pub fn new(
        db: DatabaseConnection,
        tenant_id: Uuid,
        match_on: MatchOn,
        on_match: OnMatch,
        columns: &Columns,
        required_keys: Vec<String>,
    ) -> Self {
        let header_of = |t: &Target| columns.columns.iter().find(|c| &c.target == t).map(|c| c.header.clone());
        let required = required_keys
            .into_iter()
            .map(|key| {
                let header = header_of(&Target::Custom(key.clone())).unwrap_or_default();
                (key, header)
            })
            .collect();
        Self {
            backend: db.get_database_backend(),
            db,
            tenant_id,
            match_on,
            on_match,
            required,
            email_header: header_of(&Target::Email).unwrap_or_default(),
            phone_header: header_of(&Target::Phone).unwrap_or_default(),
            companies: HashMap::new(),
            tags: HashMap::new(),
        }
    }

    /// Writes `rows` in one transaction, retrying a few times when a concurrent writer took a
    /// key (or deleted a company or tag) between the read and the write. `checkpoint` gives the
    /// statement that records the batch's outcome on the import; it commits with the batch, so
    /// a re-run after a crash knows exactly which batches are written.
    pub async fn write(
        &mut self,
        rows: &[Row],
        checkpoint: impl Fn(&Outcome) -> sea_orm::sea_query::UpdateStatement,
    ) -> Result<Outcome, DbErr> {
        let mut attempt = 0;
        loop {
            let txn = begin_write(&self.db).await?;
            let written = match self.write_in(&txn, rows).await {
                Ok(outcome) => txn.execute(&checkpoint(&outcome)).await.map(|_| outcome),
                Err(err) => Err(err),
            };
            match written {
                Ok(outcome) => {
                    txn.commit().await?;
                    return Ok(outcome);
                }
                Err(err) => {
                    let _ = txn.rollback().await;
                    let race = matches!(
                        err.sql_err(),
                        Some(SqlErr::UniqueConstraintViolation(_) | SqlErr::ForeignKeyConstraintViolation(_))
                    );
                    attempt += 1;
                    if !race || attempt > RETRIES {
                        return Err(err);
                    }
                    self.companies.clear();
                    self.tags.clear();
                }
            }
        }
    }

    async fn write_in(&mut self, txn: &DatabaseTransaction, rows: &[Row]) -> Result<Outcome, DbErr> {
        let now = Utc::now();
        let domains: Vec<String> = distinct(rows.iter().filter_map(|r| r.company_domain.clone()));
        self.resolve_companies(txn, &domains, now).await?;

        // One query: every existing contact that holds an email or phone of the batch.
        let emails: Vec<String> = distinct(rows.iter().filter_map(|r| r.email.as_ref().map(|(_, k)| k.clone())));
        let phones: Vec<String> = distinct(rows.iter().filter_map(|r| r.phone.clone()));
        let existing = self.existing(txn, &emails, &phones).await?;

        let mut slots: Vec<Slot> = Vec::with_capacity(existing.len() + rows.len());
        let mut by_email: HashMap<String, usize> = HashMap::new();
        let mut by_phone: HashMap<String, usize> = HashMap::new();
        for model in existing {
            let i = slots.len();
            if let Some(k) = &model.email_key {
                by_email.insert(k.clone(), i);
            }
            if let Some(p) = &model.phone {
                by_phone.insert(p.clone(), i);
            }
            slots.push(Slot { model, touched: false });
        }

        let mut out = Outcome::default();
        let mut links: Vec<(Uuid, String)> = Vec::new();
        let mut tag_names: HashMap<String, String> = HashMap::new();
        for row in rows {
            let target = match self.match_on {
                MatchOn::Email => by_email.get(&row.key).copied(),
                MatchOn::Phone => by_phone.get(&row.key).copied(),
            };
            if target.is_some() && self.on_match == OnMatch::Skip {
                out.skipped += 1;
                continue;
            }
            // The other unique key must not belong to another contact.
            let email_key = row.email.as_ref().map(|(_, k)| k.as_str());
            if let Some(owner) = email_key.and_then(|k| by_email.get(k)).copied()
                && Some(owner) != target
            {
                out.errors.push(self.taken(row.row, "email"));
                continue;
            }
            if let Some(owner) = row.phone.as_deref().and_then(|p| by_phone.get(p)).copied()
                && Some(owner) != target
            {
                out.errors.push(self.taken(row.row, "phone"));
                continue;
            }
            let company_id = row.company_domain.as_ref().and_then(|d| self.companies.get(d).copied());
            let i = match target {
                Some(i) => {
                    apply(&mut slots[i].model, row, company_id, now);
                    slots[i].touched = true;
                    out.updated += 1;
                    i
                }
                None => {
                    let missing: Vec<&(String, String)> =
                        self.required.iter().filter(|(key, _)| !row.custom_fields.contains_key(key)).collect();
                    if !missing.is_empty() {
                        for (key, header) in missing {
                            out.errors.push(RowError {
                                row: row.row,
                                column: header.clone(),
                                code: "required",
                                reason: format!("custom field `{key}` is required for a new contact"),
                            });
                        }
                        continue;
                    }
                    let mut model = blank(self.tenant_id, now);
                    apply(&mut model, row, company_id, now);
                    slots.push(Slot { model, touched: true });
                    out.created += 1;
                    slots.len() - 1
                }
            };
            if let Some(k) = email_key {
                by_email.insert(k.to_owned(), i);
            }
            if let Some(p) = &row.phone {
                by_phone.insert(p.clone(), i);
            }
            for name in &row.tags {
                let key = name.to_lowercase();
                links.push((slots[i].model.id, key.clone()));
                tag_names.entry(key).or_insert_with(|| name.clone());
            }
        }

        self.resolve_tags(txn, &tag_names, now).await?;
        let mut touched: Vec<&contact::Model> = slots.iter().filter(|s| s.touched).map(|s| &s.model).collect();
        // In key order: consecutive rows land on neighbouring pages of the unique index.
        touched.sort_unstable_by(|a, b| a.email_key.cmp(&b.email_key));
        self.upsert_contacts(txn, &touched).await?;
        let links: Vec<(Uuid, Uuid)> = {
            let mut seen = HashSet::new();
            links
                .into_iter()
                .filter_map(|(contact_id, key)| self.tags.get(&key).map(|tag_id| (contact_id, *tag_id)))
                .filter(|pair| seen.insert(*pair))
                .collect()
        };
        self.insert_links(txn, &links, now).await?;
        Ok(out)
    }

    fn taken(&self, row: u64, field: &str) -> RowError {
        let (column, code) = match field {
            "email" => (self.email_header.clone(), "email_taken"),
            _ => (self.phone_header.clone(), "phone_taken"),
        };
        RowError { row, column, code, reason: format!("this {field} belongs to another contact") }
    }

    /// Rows per statement on SQLite: a fixed size under the bind limit, the rest in halving
    /// chunks, so that a handful of statement shapes are ever prepared (and cached).
    fn chunks<T>(items: &[T], columns: usize) -> Vec<&[T]> {
        // Small statements: a prepared statement is cached per pooled connection, and one of
        // thousands of parameters costs megabytes; 128 rows already amortise the statement.
        let full = (SQLITE_MAX_BINDS / columns).min(128);
        let mut out = Vec::new();
        let mut rest = items;
        let mut size = full;
        while !rest.is_empty() {
            while size > rest.len() {
                size /= 2;
            }
            let (head, tail) = rest.split_at(size.max(1));
            out.push(head);
            rest = tail;
        }
        out
    }

    /// `(…),(…)` placeholders for `rows` rows of `columns` values, in the backend's syntax.
    fn placeholders(&self, rows: usize, columns: usize) -> String {
        if self.backend != DbBackend::Postgres {
            return Self::values_sql(rows, columns);
        }
        let mut n = 0;
        let mut out = Vec::with_capacity(rows);
        for _ in 0..rows {
            let row: Vec<String> = (0..columns)
                .map(|_| {
                    n += 1;
                    format!("${n}")
                })
                .collect();
            out.push(format!("({})", row.join(",")));
        }
        out.join(",")
    }

    fn values_sql(rows: usize, columns: usize) -> String {
        let row = format!("({})", vec!["?"; columns].join(","));
        vec![row; rows].join(",")
    }

    /// The existing contacts holding one of `emails` (lower-cased) or `phones`: one statement
    /// whose lists travel as one JSON parameter each (a constant statement, whatever the batch).
    async fn existing(
        &self,
        txn: &DatabaseTransaction,
        emails: &[String],
        phones: &[String],
    ) -> Result<Vec<contact::Model>, DbErr> {
        if emails.is_empty() && phones.is_empty() {
            return Ok(Vec::new());
        }
        let to_json = |items: &[String]| serde_json::to_string(items).unwrap_or_else(|_| "[]".into());
        let (sql, values): (&str, Vec<Value>) = match self.backend {
            DbBackend::Postgres => (
                // Driven by the key lists (one index probe per key), whatever the statistics say:
                // with `IN (subquery)` the planner may scan the tenant's contacts after a bulk load.
                // `LIMIT 1` (the keys are unique) keeps each lookup a parameterised index probe.
                "SELECT c.* FROM jsonb_array_elements_text($2::jsonb) AS k(v) \
                 CROSS JOIN LATERAL (SELECT * FROM contacts WHERE tenant_id = $1 AND email_key = k.v LIMIT 1) AS c \
                 UNION ALL \
                 SELECT c.* FROM jsonb_array_elements_text($3::jsonb) AS k(v) \
                 CROSS JOIN LATERAL (SELECT * FROM contacts WHERE tenant_id = $1 AND phone = k.v LIMIT 1) AS c",
                vec![self.tenant_id.into(), to_json(emails).into(), to_json(phones).into()],
            ),
            _ => (
                "SELECT * FROM contacts WHERE tenant_id = ? AND email_key IN (SELECT value FROM json_each(?)) \
                 UNION ALL \
                 SELECT * FROM contacts WHERE tenant_id = ? AND phone IN (SELECT value FROM json_each(?))",
                vec![self.tenant_id.into(), to_json(emails).into(), self.tenant_id.into(), to_json(phones).into()],
            ),
        };
        let rows = txn.query_all_raw(Statement::from_sql_and_values(self.backend, sql, values)).await?;
        let mut seen = HashSet::new();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let model = contact::Model::from_query_result(&row, "")?;
            if seen.insert(model.id) {
                out.push(model);
            }
        }
        Ok(out)
    }

    async fn upsert_contacts(&self, txn: &DatabaseTransaction, contacts: &[&contact::Model]) -> Result<(), DbErr> {
        if contacts.is_empty() {
            return Ok(());
        }
        let columns = CONTACT_COLUMNS.join(", ");
        let set = upsert_set();
        if self.backend == DbBackend::Postgres {
            let rows: Vec<ContactJson<'_>> = contacts.iter().map(|m| ContactJson::from(*m)).collect();
            let json = serde_json::to_string(&rows).map_err(|e| DbErr::Custom(e.to_string()))?;
            let sql = format!(
                "INSERT INTO contacts ({columns}) SELECT {columns} FROM jsonb_to_recordset($1::jsonb) AS r({}) \
                 ON CONFLICT (id) DO UPDATE SET {set}",
                CONTACT_RECORD
            );
            txn.execute_raw(Statement::from_sql_and_values(self.backend, sql, [Value::from(json)])).await?;
            return Ok(());
        }
        for chunk in Self::chunks(contacts, CONTACT_COLUMNS.len()) {
            let mut values: Vec<Value> = Vec::with_capacity(chunk.len() * CONTACT_COLUMNS.len());
            for m in chunk {
                values.extend([
                    Value::from(m.id),
                    Value::from(m.tenant_id),
                    Value::from(m.first_name.clone()),
                    Value::from(m.last_name.clone()),
                    Value::from(m.first_name_key.clone()),
                    Value::from(m.last_name_key.clone()),
                    Value::from(m.email.clone()),
                    Value::from(m.email_key.clone()),
                    Value::from(m.phone.clone()),
                    Value::from(m.timezone.clone()),
                    Value::from(m.locale.clone()),
                    Value::from(m.company_id),
                    Value::from(m.custom_fields.clone()),
                    Value::from(m.sms_consent.clone()),
                    Value::from(m.sms_consent_source.clone()),
                    Value::from(m.sms_consent_at),
                    Value::from(m.email_consent.clone()),
                    Value::from(m.email_consent_source.clone()),
                    Value::from(m.email_consent_at),
                    Value::from(m.created_at),
                    Value::from(m.updated_at),
                ]);
            }
            let sql = format!(
                "INSERT INTO contacts ({columns}) VALUES {} ON CONFLICT (id) DO UPDATE SET {set}",
                Self::values_sql(chunk.len(), CONTACT_COLUMNS.len()),
            );
            txn.execute_raw(Statement::from_sql_and_values(self.backend, sql, values)).await?;
        }
        Ok(())
    }

    async fn insert_links(
        &self,
        txn: &DatabaseTransaction,
        links: &[(Uuid, Uuid)],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        if links.is_empty() {
            return Ok(());
        }
        if self.backend == DbBackend::Postgres {
            let json = serde_json::to_string(links).map_err(|e| DbErr::Custom(e.to_string()))?;
            let sql = "INSERT INTO contact_tags (tenant_id, contact_id, tag_id, created_at) \
                       SELECT $1, (l->>0)::uuid, (l->>1)::uuid, $2 FROM jsonb_array_elements($3::jsonb) AS l \
                       ON CONFLICT (tenant_id, contact_id, tag_id) DO NOTHING";
            let values = [Value::from(self.tenant_id), Value::from(now), Value::from(json)];
            txn.execute_raw(Statement::from_sql_and_values(self.backend, sql, values)).await?;
            return Ok(());
        }
        for chunk in Self::chunks(links, 4) {
            let mut values = Vec::with_capacity(chunk.len() * 4);
            for (contact_id, tag_id) in chunk {
                values.extend([
                    Value::from(self.tenant_id),
                    Value::from(*contact_id),
                    Value::from(*tag_id),
                    Value::from(now),
                ]);
            }
            let sql = format!(
                "INSERT INTO contact_tags (tenant_id, contact_id, tag_id, created_at) VALUES {} \
                 ON CONFLICT (tenant_id, contact_id, tag_id) DO NOTHING",
                Self::values_sql(chunk.len(), 4)
            );
            txn.execute_raw(Statement::from_sql_and_values(self.backend, sql, values)).await?;
        }
        Ok(())
    }

    /// Fills `self.companies` for `domains`, creating missing companies (named after their
    /// domain).
    async fn resolve_companies(
        &mut self,
        txn: &DatabaseTransaction,
        domains: &[String],
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let missing: Vec<String> = domains.iter().filter(|d| !self.companies.contains_key(*d)).cloned().collect();
        if missing.is_empty() {
            return Ok(());
        }
        if self.companies.len() + missing.len() > MAX_CACHE {
            self.companies.clear();
        }
        self.load_companies(txn, &missing).await?;
        let to_create: Vec<&String> = missing.iter().filter(|d| !self.companies.contains_key(*d)).collect();
        if to_create.is_empty() {
            return Ok(());
        }
        for chunk in Self::chunks(&to_create, 7) {
            let mut values = Vec::with_capacity(chunk.len() * 7);
            for domain in chunk {
                values.extend([
                    Value::from(Uuid::now_v7()),
                    Value::from(self.tenant_id),
                    Value::from((*domain).clone()),
                    Value::from((*domain).clone()),
                    Value::from(Json::Object(Map::new())),
                    Value::from(now),
                    Value::from(now),
                ]);
            }
            let sql = format!(
                "INSERT INTO companies (id, tenant_id, name, domain, custom_fields, created_at, updated_at) VALUES {} \
                 ON CONFLICT (tenant_id, domain) DO NOTHING",
                self.placeholders(chunk.len(), 7)
            );
            txn.execute_raw(Statement::from_sql_and_values(self.backend, sql, values)).await?;
        }
        let created: Vec<String> = to_create.into_iter().cloned().collect();
        self.load_companies(txn, &created).await
    }

    async fn load_companies(&mut self, txn: &DatabaseTransaction, domains: &[String]) -> Result<(), DbErr> {
        for chunk in Self::chunks(domains, 1) {
            let found: Vec<(Uuid, Option<String>)> = company::Entity::find_in(self.tenant_id)
                .select_only()
                .column(company::Column::Id)
                .column(company::Column::Domain)
                .filter(company::Column::Domain.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(txn)
                .await?;
            for (id, domain) in found {
                if let Some(domain) = domain {
                    self.companies.insert(domain, id);
                }
            }
        }
        Ok(())
    }

    /// Fills `self.tags` for the tag keys in `names` (key → name as first written), creating
    /// missing tags.
    async fn resolve_tags(
        &mut self,
        txn: &DatabaseTransaction,
        names: &HashMap<String, String>,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let missing: Vec<String> = names.keys().filter(|k| !self.tags.contains_key(*k)).cloned().collect();
        if missing.is_empty() {
            return Ok(());
        }
        if self.tags.len() + missing.len() > MAX_CACHE {
            self.tags.clear();
        }
        self.load_tags(txn, &missing).await?;
        let to_create: Vec<&String> = missing.iter().filter(|k| !self.tags.contains_key(*k)).collect();
        if to_create.is_empty() {
            return Ok(());
        }
        for chunk in Self::chunks(&to_create, 6) {
            let mut values = Vec::with_capacity(chunk.len() * 6);
            for key in chunk {
                let name = names.get(*key).cloned().unwrap_or_else(|| (*key).clone());
                values.extend([
                    Value::from(Uuid::now_v7()),
                    Value::from(self.tenant_id),
                    Value::from(name),
                    Value::from((*key).clone()),
                    Value::from(now),
                    Value::from(now),
                ]);
            }
            let sql = format!(
                "INSERT INTO tags (id, tenant_id, name, name_key, created_at, updated_at) VALUES {} \
                 ON CONFLICT (tenant_id, name_key) DO NOTHING",
                self.placeholders(chunk.len(), 6)
            );
            txn.execute_raw(Statement::from_sql_and_values(self.backend, sql, values)).await?;
        }
        let created: Vec<String> = to_create.into_iter().cloned().collect();
        self.load_tags(txn, &created).await
    }

    async fn load_tags(&mut self, txn: &DatabaseTransaction, keys: &[String]) -> Result<(), DbErr> {
        for chunk in Self::chunks(keys, 1) {
            let found: Vec<(Uuid, String)> = tag::Entity::find_in(self.tenant_id)
                .select_only()
                .column(tag::Column::Id)
                .column(tag::Column::NameKey)
                .filter(tag::Column::NameKey.is_in(chunk.iter().cloned()))
                .into_tuple()
                .all(txn)
                .await?;
            for (id, key) in found {
                self.tags.insert(key, id);
            }
        }
        Ok(())
    }
}

/// The bind-parameter limit of SQLite (PostgreSQL's is 65,535; it gets JSON parameters).
const SQLITE_MAX_BINDS: usize = 32_766;

/// The record type of a contact row read from JSON (PostgreSQL `jsonb_to_recordset`).
const CONTACT_RECORD: &str = "id uuid, tenant_id uuid, first_name text, last_name text, first_name_key text, \
    last_name_key text, email text, email_key text, phone text, timezone text, locale text, company_id uuid, \
    custom_fields jsonb, sms_consent text, sms_consent_source text, sms_consent_at timestamptz, email_consent text, \
    email_consent_source text, email_consent_at timestamptz, created_at timestamptz, updated_at timestamptz";

/// A contact as one JSON record (PostgreSQL bulk path).
#[derive(serde::Serialize)]
struct ContactJson<'a> {
    id: Uuid,
    tenant_id: Uuid,
    first_name: Option<&'a str>,
    last_name: Option<&'a str>,
    first_name_key: Option<&'a str>,
    last_name_key: Option<&'a str>,
    email: Option<&'a str>,
    email_key: Option<&'a str>,
    phone: Option<&'a str>,
    timezone: Option<&'a str>,
    locale: Option<&'a str>,
    company_id: Option<Uuid>,
    custom_fields: &'a Json,
    sms_consent: &'a str,
    sms_consent_source: Option<&'a str>,
    sms_consent_at: Option<DateTime<Utc>>,
    email_consent: &'a str,
    email_consent_source: Option<&'a str>,
    email_consent_at: Option<DateTime<Utc>>,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'a> From<&'a contact::Model> for ContactJson<'a> {
    fn from(m: &'a contact::Model) -> Self {
        Self {
            id: m.id,
            tenant_id: m.tenant_id,
            first_name: m.first_name.as_deref(),
            last_name: m.last_name.as_deref(),
            first_name_key: m.first_name_key.as_deref(),
            last_name_key: m.last_name_key.as_deref(),
            email: m.email.as_deref(),
            email_key: m.email_key.as_deref(),
            phone: m.phone.as_deref(),
            timezone: m.timezone.as_deref(),
            locale: m.locale.as_deref(),
            company_id: m.company_id,
            custom_fields: &m.custom_fields,
            sms_consent: &m.sms_consent,
            sms_consent_source: m.sms_consent_source.as_deref(),
            sms_consent_at: m.sms_consent_at,
            email_consent: &m.email_consent,
            email_consent_source: m.email_consent_source.as_deref(),
            email_consent_at: m.email_consent_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// The columns of an upserted contact, in bind order.
const CONTACT_COLUMNS: [&str; 21] = [
    "id",
    "tenant_id",
    "first_name",
    "last_name",
    "first_name_key",
    "last_name_key",
    "email",
    "email_key",
    "phone",
    "timezone",
    "locale",
    "company_id",
    "custom_fields",
    "sms_consent",
    "sms_consent_source",
    "sms_consent_at",
    "email_consent",
    "email_consent_source",
    "email_consent_at",
    "created_at",
    "updated_at",
];

/// `SET` of the upsert: every column from the new row, except that a stored `opted_out`
/// (status, source and time) stays.
fn upsert_set() -> String {
    let mut parts = Vec::new();
    for col in &CONTACT_COLUMNS[2..] {
        if *col == "created_at" {
            continue;
        }
        let guard = if col.starts_with("sms_consent") {
            Some("sms_consent")
        } else if col.starts_with("email_consent") {
            Some("email_consent")
        } else {
            None
        };
        parts.push(match guard {
            Some(status) => {
                format!("{col} = CASE WHEN contacts.{status} = 'opted_out' THEN contacts.{col} ELSE excluded.{col} END")
            }
            None => format!("{col} = excluded.{col}"),
        });
    }
    parts.join(", ")
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    items.filter(|i| seen.insert(i.clone())).collect()
}

fn blank(tenant_id: Uuid, now: DateTime<Utc>) -> contact::Model {
    contact::Model {
        id: Uuid::now_v7(),
        tenant_id,
        first_name: None,
        last_name: None,
        first_name_key: None,
        last_name_key: None,
        email: None,
        email_key: None,
        phone: None,
        timezone: None,
        locale: None,
        company_id: None,
        custom_fields: Json::Object(Map::new()),
        sms_consent: ConsentStatus::Unknown.as_str().to_owned(),
        sms_consent_source: None,
        sms_consent_at: None,
        email_consent: ConsentStatus::Unknown.as_str().to_owned(),
        email_consent_source: None,
        email_consent_at: None,
        created_at: now,
        updated_at: now,
    }
}

/// Applies a row's non-empty cells to a contact; consent follows the import rule (an
/// `opted_out` stays, an incoming `unknown` keeps what is known).
fn apply(m: &mut contact::Model, row: &Row, company_id: Option<Uuid>, now: DateTime<Utc>) {
    if let Some(v) = &row.first_name {
        m.first_name_key = Some(v.to_lowercase());
        m.first_name = Some(v.clone());
    }
    if let Some(v) = &row.last_name {
        m.last_name_key = Some(v.to_lowercase());
        m.last_name = Some(v.clone());
    }
    if let Some((display, key)) = &row.email {
        m.email = Some(display.clone());
        m.email_key = Some(key.clone());
    }
    if let Some(v) = &row.phone {
        m.phone = Some(v.clone());
    }
    if let Some(v) = &row.timezone {
        m.timezone = Some(v.clone());
    }
    if let Some(v) = &row.locale {
        m.locale = Some(v.clone());
    }
    if company_id.is_some() {
        m.company_id = company_id;
    }
    if !row.custom_fields.is_empty() {
        let mut fields = match &m.custom_fields {
            Json::Object(map) => map.clone(),
            _ => Map::new(),
        };
        for (k, v) in &row.custom_fields {
            fields.insert(k.clone(), v.clone());
        }
        m.custom_fields = Json::Object(fields);
    }
    if let Some(incoming) = row.sms_consent {
        let current = ConsentStatus::from_stored(&m.sms_consent);
        let next = merge_import(current, incoming);
        if next != current || (m.sms_consent_source.is_none() && next != ConsentStatus::Unknown) {
            m.sms_consent = next.as_str().to_owned();
            m.sms_consent_source = Some(CONSENT_SOURCE.to_owned());
            m.sms_consent_at = Some(now);
        }
    }
    if let Some(incoming) = row.email_consent {
        let current = ConsentStatus::from_stored(&m.email_consent);
        let next = merge_import(current, incoming);
        if next != current || (m.email_consent_source.is_none() && next != ConsentStatus::Unknown) {
            m.email_consent = next.as_str().to_owned();
            m.email_consent_source = Some(CONSENT_SOURCE.to_owned());
            m.email_consent_at = Some(now);
        }
    }
    m.updated_at = now;
}
