//! The event catalogue, defined once: every event type with its name, its description and the
//! type of its `data` (the object as the API shows it, e.g. `ContactOut`). Everything else is
//! derived from the table below: the typed constructors callers append with
//! (`Event::contact_created(&contact)`), the list of names (`all`, `is_known`), each type's JSON
//! schema, and the `EventOut` schema of the OpenAPI document (a `oneOf` over one envelope per
//! type, discriminated by `type`). `docs/events.md` lists the same types; a test keeps them in
//! sync.

use std::{collections::HashSet, sync::LazyLock};

use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::{
    PartialSchema, ToSchema,
    openapi::{
        RefOr,
        schema::{Discriminator, ObjectBuilder, OneOfBuilder, Ref, Schema, Type},
    },
};

use super::dto::{EventOut, ExportEventData, ImportEventData, WebhookEndpointDisabledData};
use crate::{
    api_keys::dto::ApiKeyOut,
    catalog::products::dto::ProductOut,
    crm::{companies::dto::CompanyOut, contacts::dto::ContactOut},
    organizations::dto::{InvitationOut, MemberOut},
    platform::ids::EventId,
};

/// One event to append: its type and its data, already serialised. Built only through the typed
/// constructors below, so an event's data always has its catalogue type.
#[derive(Debug, Clone)]
pub struct Event {
    event_type: EventType,
    data: Result<Value, String>,
}

impl Event {
    fn new<T: Serialize>(event_type: EventType, data: &T) -> Self {
        Self { event_type, data: serde_json::to_value(data).map_err(|e| e.to_string()) }
    }

    pub fn event_type(&self) -> EventType {
        self.event_type
    }

    /// The type and the data (an error if the data could not be serialised).
    pub(super) fn into_parts(self) -> (EventType, Result<Value, String>) {
        (self.event_type, self.data)
    }
}

type Schemas = Vec<(String, RefOr<Schema>)>;

macro_rules! catalogue {
    ($($variant:ident, $ctor:ident, $name:literal, $data:ty, $description:literal;)*) => {
        /// Every event type.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum EventType {
            $(#[doc = $description] $variant,)*
        }

        impl EventType {
            /// Every type, in catalogue order.
            pub const ALL: &'static [EventType] = &[$(EventType::$variant),*];

            /// The type's name, e.g. `contact.created`.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// What happened, in one or two sentences.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Self::$variant => $description,)*
                }
            }

            /// The component name of the `data` schema in the OpenAPI document (`ContactOut`).
            pub fn data_schema_name(self) -> String {
                match self {
                    $(Self::$variant => <$data as ToSchema>::name().into_owned(),)*
                }
            }

            /// The component name of this type's envelope schema (`ContactCreatedEvent`).
            pub const fn envelope_schema_name(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!(stringify!($variant), "Event"),)*
                }
            }

            /// The `data` schema and every schema it references, by component name.
            fn collect_data_schemas(self, out: &mut Schemas) {
                match self {
                    $(Self::$variant => {
                        out.push((<$data as ToSchema>::name().into_owned(), <$data as PartialSchema>::schema()));
                        <$data as ToSchema>::schemas(out);
                    })*
                }
            }
        }

        impl Event {
            $(
                #[doc = concat!("`", $name, "`: ", $description)]
                pub fn $ctor(data: &$data) -> Self {
                    Self::new(EventType::$variant, data)
                }
            )*
        }
    };
}

catalogue! {
    ContactCreated, contact_created, "contact.created", ContactOut,
        "A contact was created (`create_contact`, or an item of `bulk_upsert_contacts` that created one). Imports do not send it: a finished import sends one `import.completed`.";
    ContactUpdated, contact_updated, "contact.updated", ContactOut,
        "A contact changed: `update_contact` (when it set `updated_at`), an item of `bulk_upsert_contacts` that updated one, or tags added to or removed from it (`add_contact_tags`, `remove_contact_tag`, `bulk_tag_contacts`) when its tags changed. `data` is the contact after the change.";
    ContactDeleted, contact_deleted, "contact.deleted", ContactOut,
        "A contact was deleted (`delete_contact`, or one event per contact deleted by `bulk_delete_contacts`). `data` is the contact as it was.";
    CompanyCreated, company_created, "company.created", CompanyOut,
        "A company was created.";
    CompanyUpdated, company_updated, "company.updated", CompanyOut,
        "A company changed. `data` is the company after the change.";
    CompanyDeleted, company_deleted, "company.deleted", CompanyOut,
        "A company was deleted (its contacts lost their `company_id`, without a `contact.updated` each). `data` is the company as it was.";
    ProductCreated, product_created, "product.created", ProductOut,
        "A product was added to the catalogue.";
    ProductUpdated, product_updated, "product.updated", ProductOut,
        "A product changed. `data` is the product after the change.";
    ProductDeleted, product_deleted, "product.deleted", ProductOut,
        "A product was deleted. `data` is the product as it was.";
    ImportCompleted, import_completed, "import.completed", ImportEventData,
        "A contact import finished; its counts say how many rows created, updated, skipped or failed. The contacts it wrote get no events of their own.";
    ImportFailed, import_failed, "import.failed", ImportEventData,
        "A contact import stopped before the end; `failure_reason` says why.";
    ExportCompleted, export_completed, "export.completed", ExportEventData,
        "A contact export finished; its file can be downloaded from `download_url`.";
    ExportFailed, export_failed, "export.failed", ExportEventData,
        "A contact export failed; `failure_reason` says why.";
    MemberInvited, member_invited, "member.invited", InvitationOut,
        "Someone was invited to join the organisation (the token is never part of an event).";
    MemberJoined, member_joined, "member.joined", MemberOut,
        "Someone accepted an invitation and joined the organisation.";
    MemberRoleChanged, member_role_changed, "member.role_changed", MemberOut,
        "A member's role changed. `data` is the member with the new role.";
    MemberRemoved, member_removed, "member.removed", MemberOut,
        "A member was removed from the organisation, or left it. `data` is the member as they were.";
    ApiKeyCreated, api_key_created, "api_key.created", ApiKeyOut,
        "An API key was created (its secret is never part of an event).";
    ApiKeyRotated, api_key_rotated, "api_key.rotated", ApiKeyOut,
        "An API key got a new secret; `previous_secret_expires_at` says until when the old one works.";
    ApiKeyRevoked, api_key_revoked, "api_key.revoked", ApiKeyOut,
        "An API key was revoked: it no longer authenticates. `data` is the key as it was.";
    EndpointDisabled, endpoint_disabled, "endpoint.disabled", WebhookEndpointDisabledData,
        "A webhook endpoint was disabled by the server: its deliveries kept failing, or its receiver answered `410 Gone`.";
}

/// One type of the catalogue, as `GET /v1/webhook-event-types` shows it.
#[derive(Debug, Clone)]
pub struct EventTypeInfo {
    pub event_type: EventType,
    /// E.g. `contact.created`.
    pub name: &'static str,
    pub description: &'static str,
    /// The component name of the `data` schema in the OpenAPI document, e.g. `ContactOut`.
    pub schema_name: String,
    /// `#/components/schemas/<schema_name>`.
    pub schema_ref: String,
    /// A self-contained JSON Schema (2020-12) of `data`: the schema, with everything it refers
    /// to under `$defs`.
    pub schema: Value,
}

static ALL: LazyLock<Vec<EventTypeInfo>> = LazyLock::new(|| {
    EventType::ALL
        .iter()
        .map(|&t| EventTypeInfo {
            event_type: t,
            name: t.name(),
            description: t.description(),
            schema_name: t.data_schema_name(),
            schema_ref: format!("#/components/schemas/{}", t.data_schema_name()),
            schema: json_schema(t),
        })
        .collect()
});

/// Every event type, in catalogue order.
pub fn all() -> &'static [EventTypeInfo] {
    &ALL
}

/// The type with this exact name.
pub fn parse(name: &str) -> Option<EventType> {
    EventType::ALL.iter().copied().find(|t| t.name() == name)
}

/// Whether `name` is an event type of the catalogue.
pub fn is_known(name: &str) -> bool {
    parse(name).is_some()
}

const COMPONENTS: &str = "#/components/schemas/";

/// Points `$ref`s at `#/$defs/…` instead of the OpenAPI components.
fn rewrite_refs(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                match v {
                    Value::String(s) if key == "$ref" => {
                        if let Some(name) = s.strip_prefix(COMPONENTS) {
                            *s = format!("#/$defs/{name}");
                        }
                    }
                    _ => rewrite_refs(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

fn json_schema(t: EventType) -> Value {
    let mut schemas = Schemas::new();
    t.collect_data_schemas(&mut schemas);
    let mut defs = Map::new();
    for (name, schema) in schemas {
        defs.insert(name, serde_json::to_value(schema).unwrap_or(Value::Null));
    }
    let mut schema = Value::Object(Map::from_iter([
        ("$schema".to_owned(), Value::from("https://json-schema.org/draft/2020-12/schema")),
        ("$ref".to_owned(), Value::from(format!("{COMPONENTS}{}", t.data_schema_name()))),
        ("$defs".to_owned(), Value::Object(defs)),
    ]));
    rewrite_refs(&mut schema);
    schema
}

/// The envelope of one event type: `{ id, type: "<name>", created_at, data: <its data> }`.
fn envelope_schema(t: EventType) -> Schema {
    ObjectBuilder::new()
        .description(Some(format!("`{}`: {}", t.name(), t.description())))
        .property("id", Ref::from_schema_name(EventId::name()))
        .required("id")
        .property(
            "type",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("The event type."))
                .enum_values(Some([t.name()])),
        )
        .required("type")
        .property(
            "created_at",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
                .description(Some("When the change was made (UTC, to the microsecond).")),
        )
        .required("created_at")
        .property("data", Ref::from_schema_name(t.data_schema_name()))
        .required("data")
        .into()
}

impl PartialSchema for EventOut {
    fn schema() -> RefOr<Schema> {
        let mut discriminator = Discriminator::new("type");
        let mut one_of = OneOfBuilder::new().description(Some(
            "A domain event: what happened (`type`), when, and the object it happened to (`data`, whose shape \
             depends on `type`; see the events guide for the catalogue).",
        ));
        for t in EventType::ALL {
            let name = t.envelope_schema_name();
            one_of = one_of.item(Ref::from_schema_name(name));
            discriminator.mapping.insert(t.name().to_owned(), format!("{COMPONENTS}{name}"));
        }
        one_of.discriminator(Some(discriminator)).into()
    }
}

impl ToSchema for EventOut {
    fn schemas(schemas: &mut Schemas) {
        schemas.push((EventId::name().into_owned(), EventId::schema()));
        let mut seen = HashSet::new();
        for &t in EventType::ALL {
            schemas.push((t.envelope_schema_name().to_owned(), envelope_schema(t).into()));
            if seen.insert(t.data_schema_name()) {
                t.collect_data_schemas(schemas);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_dotted_and_lower_case() {
        let mut seen = HashSet::new();
        for t in EventType::ALL {
            let name = t.name();
            assert!(seen.insert(name), "{name} is listed twice");
            let parts: Vec<&str> = name.split('.').collect();
            assert_eq!(parts.len(), 2, "{name}");
            assert!(parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')));
            assert_eq!(parse(name), Some(*t));
            assert!(!t.description().is_empty());
        }
        assert!(is_known("contact.created"));
        assert!(!is_known("contact.created "));
        assert!(!is_known("contact.*"));
        assert_eq!(all().len(), EventType::ALL.len());
    }

    fn refs(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (k, v) in map {
                    match v {
                        Value::String(s) if k == "$ref" => out.push(s.clone()),
                        _ => refs(v, out),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    #[test]
    fn each_json_schema_is_self_contained() {
        for info in all() {
            assert_eq!(info.schema_ref, format!("#/components/schemas/{}", info.schema_name));
            let defs = info.schema["$defs"].as_object().unwrap();
            assert!(defs.contains_key(&info.schema_name), "{}", info.name);
            let mut found = Vec::new();
            refs(&info.schema, &mut found);
            assert!(!found.is_empty());
            for r in found {
                let name = r.strip_prefix("#/$defs/").unwrap_or_else(|| panic!("{}: {r} is not local", info.name));
                assert!(defs.contains_key(name), "{}: {r} is not defined", info.name);
            }
        }
        let contact = &all()[0];
        assert_eq!(contact.name, "contact.created");
        assert_eq!(contact.schema_name, "ContactOut");
        assert!(contact.schema["$defs"]["ContactOut"]["properties"]["email"].is_object());
    }

    #[test]
    fn the_spec_has_every_envelope_and_data_schema() {
        let spec = serde_json::to_value(crate::openapi::spec()).unwrap();
        let schemas = spec["components"]["schemas"].as_object().unwrap();
        let union = &schemas["EventOut"];
        assert_eq!(union["oneOf"].as_array().unwrap().len(), EventType::ALL.len());
        for t in EventType::ALL {
            let envelope = &schemas[t.envelope_schema_name()];
            assert_eq!(envelope["properties"]["type"]["enum"][0], t.name());
            assert!(schemas.contains_key(&t.data_schema_name()), "{} has no data schema", t.name());
            assert_eq!(
                union["discriminator"]["mapping"][t.name()],
                format!("#/components/schemas/{}", t.envelope_schema_name())
            );
        }
    }

    #[test]
    fn the_guide_lists_every_type() {
        let guide = include_str!("../../../docs/events.md");
        for t in EventType::ALL {
            assert!(guide.contains(&format!("| `{}` |", t.name())), "docs/events.md does not list {}", t.name());
        }
    }
}
