//! What one batch does, decided in memory and the same on every backend: given the batch's
//! rows and the existing contacts that hold one of their emails or phones, rows are resolved in
//! file order (a later duplicate updates or skips what an earlier row created), refused rows
//! become report lines, and the result is the contacts to write and the tags to link.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::contact;
use serde_json::{Map, Value as Json};
use uuid::Uuid;

use super::Outcome;
use crate::crm::{
    imports::{
        dto::{MatchOn, OnMatch},
        mapping::{Columns, Target},
        rows::{Row, RowError},
    },
    values::{ConsentStatus, consent::merge_import},
};

/// Where consent set by an import says it came from.
const CONSENT_SOURCE: &str = "import";

/// The rules of one import: how rows match contacts, and what a new contact needs.
pub struct Rules {
    pub tenant_id: Uuid,
    match_on: MatchOn,
    on_match: OnMatch,
    /// Required contact custom fields: (key, header of the column filling it, if any).
    required: Vec<(String, String)>,
    /// CSV headers of the email and phone columns (for error lines).
    email_header: String,
    phone_header: String,
}

/// A contact to write: a new one, or an existing one with the batch's changes applied.
pub struct Planned {
    pub model: contact::Model,
    pub existed: bool,
}

/// The outcome of planning one batch.
pub struct Plan {
    pub outcome: Outcome,
    /// Contacts to write, in email-key order (neighbouring rows land on neighbouring index pages).
    pub contacts: Vec<Planned>,
    /// (contact, tag key) pairs to link.
    pub links: Vec<(Uuid, String)>,
    /// Tag key → name as first written, for the tags the batch names.
    pub tag_names: HashMap<String, String>,
}

struct Slot {
    model: contact::Model,
    existed: bool,
    touched: bool,
}

impl Rules {
    pub fn new(
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
            tenant_id,
            match_on,
            on_match,
            required,
            email_header: header_of(&Target::Email).unwrap_or_default(),
            phone_header: header_of(&Target::Phone).unwrap_or_default(),
        }
    }

    /// Resolves `rows` against `existing` (the stored contacts holding one of the batch's emails
    /// or phones); `companies` maps the batch's company domains to their ids.
    pub fn plan(
        &self,
        rows: &[Row],
        existing: Vec<contact::Model>,
        companies: &HashMap<String, Uuid>,
        now: DateTime<Utc>,
    ) -> Plan {
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
            slots.push(Slot { model, existed: true, touched: false });
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
            let company_id = row.company_domain.as_ref().and_then(|d| companies.get(d).copied());
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
                    slots.push(Slot { model, existed: false, touched: true });
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

        let mut contacts: Vec<Planned> =
            slots.into_iter().filter(|s| s.touched).map(|s| Planned { model: s.model, existed: s.existed }).collect();
        contacts.sort_unstable_by(|a, b| a.model.email_key.cmp(&b.model.email_key));
        Plan { outcome: out, contacts, links, tag_names }
    }

    fn taken(&self, row: u64, field: &str) -> RowError {
        let (column, code) = match field {
            "email" => (self.email_header.clone(), "email_taken"),
            _ => (self.phone_header.clone(), "phone_taken"),
        };
        RowError { row, column, code, reason: format!("this {field} belongs to another contact") }
    }
}

impl Plan {
    /// The (contact, tag) pairs to insert, once each, given the ids of the batch's tags.
    pub fn tag_links(&self, tags: &HashMap<String, Uuid>) -> Vec<(Uuid, Uuid)> {
        let mut seen = HashSet::new();
        self.links
            .iter()
            .filter_map(|(contact_id, key)| tags.get(key).map(|tag_id| (*contact_id, *tag_id)))
            .filter(|pair| seen.insert(*pair))
            .collect()
    }
}

/// The batch's distinct values of `items`, in first-seen order.
pub fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = HashSet::new();
    items.filter(|i| seen.insert(i.clone())).collect()
}

/// The batch's distinct company domains, lower-cased email keys and phones.
pub fn keys(rows: &[Row]) -> (Vec<String>, Vec<String>, Vec<String>) {
    (
        distinct(rows.iter().filter_map(|r| r.company_domain.clone())),
        distinct(rows.iter().filter_map(|r| r.email.as_ref().map(|(_, k)| k.clone()))),
        distinct(rows.iter().filter_map(|r| r.phone.clone())),
    )
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
        merge_consent(&mut m.sms_consent, &mut m.sms_consent_source, &mut m.sms_consent_at, incoming, now);
    }
    if let Some(incoming) = row.email_consent {
        merge_consent(&mut m.email_consent, &mut m.email_consent_source, &mut m.email_consent_at, incoming, now);
    }
    m.updated_at = now;
}

/// One channel's consent after an import row (`merge_import`): a change, or a first known status,
/// is recorded with the import as its source.
fn merge_consent(
    status: &mut String,
    source: &mut Option<String>,
    at: &mut Option<DateTime<Utc>>,
    incoming: ConsentStatus,
    now: DateTime<Utc>,
) {
    let current = ConsentStatus::from_stored(status);
    let next = merge_import(current, incoming);
    if next != current || (source.is_none() && next != ConsentStatus::Unknown) {
        *status = next.as_str().to_owned();
        *source = Some(CONSENT_SOURCE.to_owned());
        *at = Some(now);
    }
}
