//! The columns of an export: the names the import accepts by default, so that an exported file
//! imports as it is (`first_name,last_name,email,phone,timezone,locale,company_domain,tags,
//! sms_consent,email_consent`, then `custom.<key>` per contact custom field, in key order).
//! Tags are `;`-joined (sorted by name); numbers and booleans of custom fields are written as
//! JSON writes them (`42`, `3.5`, `true`).

use std::collections::HashMap;

use entities::{company, contact, contact_tag, field_definition, tag};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, QueryFilter};
use serde_json::Value;
use uuid::Uuid;

/// The fixed columns, before the custom fields.
pub const FIXED: [&str; 10] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "timezone",
    "locale",
    "company_domain",
    "tags",
    "sms_consent",
    "email_consent",
];

/// The header row for the tenant's contact field definitions (sorted by key).
pub fn header(defs: &[field_definition::Model]) -> Vec<String> {
    FIXED.iter().map(|c| (*c).to_owned()).chain(defs.iter().map(|d| format!("custom.{}", d.key))).collect()
}

/// A custom field value as a cell.
fn custom_cell(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items.iter().map(|v| custom_cell(Some(v))).collect::<Vec<_>>().join(";"),
        Some(other) => other.to_string(),
    }
}

/// The rows of one page of contacts: reads their tags and company domains (two tenant-scoped
/// queries) and lays every contact out in header order.
pub async fn rows<C: ConnectionTrait>(
    db: &C,
    tenant_id: Uuid,
    defs: &[field_definition::Model],
    contacts: &[contact::Model],
) -> Result<Vec<Vec<String>>, DbErr> {
    let ids: Vec<Uuid> = contacts.iter().map(|c| c.id).collect();
    let links =
        contact_tag::Entity::find_in(tenant_id).filter(contact_tag::Column::ContactId.is_in(ids)).all(db).await?;
    let mut tag_ids: Vec<Uuid> = links.iter().map(|l| l.tag_id).collect();
    tag_ids.sort_unstable();
    tag_ids.dedup();
    let tag_names: HashMap<Uuid, String> = if tag_ids.is_empty() {
        HashMap::new()
    } else {
        tag::Entity::find_in(tenant_id)
            .filter(tag::Column::Id.is_in(tag_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.name))
            .collect()
    };
    let mut tags_of: HashMap<Uuid, Vec<&str>> = HashMap::new();
    for link in &links {
        if let Some(name) = tag_names.get(&link.tag_id) {
            tags_of.entry(link.contact_id).or_default().push(name);
        }
    }
    let mut company_ids: Vec<Uuid> = contacts.iter().filter_map(|c| c.company_id).collect();
    company_ids.sort_unstable();
    company_ids.dedup();
    let domains: HashMap<Uuid, String> = if company_ids.is_empty() {
        HashMap::new()
    } else {
        company::Entity::find_in(tenant_id)
            .filter(company::Column::Id.is_in(company_ids))
            .all(db)
            .await?
            .into_iter()
            .filter_map(|c| c.domain.map(|d| (c.id, d)))
            .collect()
    };
    Ok(contacts
        .iter()
        .map(|c| {
            let mut tags = tags_of.remove(&c.id).unwrap_or_default();
            tags.sort_by_key(|t| t.to_lowercase());
            let text = |v: &Option<String>| v.clone().unwrap_or_default();
            let mut row = vec![
                text(&c.first_name),
                text(&c.last_name),
                text(&c.email),
                text(&c.phone),
                text(&c.timezone),
                text(&c.locale),
                c.company_id.and_then(|id| domains.get(&id).cloned()).unwrap_or_default(),
                tags.join(";"),
                c.sms_consent.clone(),
                c.email_consent.clone(),
            ];
            row.extend(defs.iter().map(|d| custom_cell(c.custom_fields.get(&d.key))));
            row
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn custom_values_as_cells() {
        assert_eq!(custom_cell(None), "");
        assert_eq!(custom_cell(Some(&Value::Null)), "");
        assert_eq!(custom_cell(Some(&json!("pro"))), "pro");
        assert_eq!(custom_cell(Some(&json!(42))), "42");
        assert_eq!(custom_cell(Some(&json!(3.5))), "3.5");
        assert_eq!(custom_cell(Some(&json!(true))), "true");
        assert_eq!(custom_cell(Some(&json!("2024-02-29"))), "2024-02-29");
    }
}
