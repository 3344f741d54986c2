//! Request and response types of the note endpoints.

use chrono::{DateTime, Utc};
use entities::note;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::ids::{ApiKeyId, CompanyId, ContactId, NoteId, UserId};

/// A new note.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteIn {
    /// The text (plain text, kept as sent), 1–10,000 characters, not only spaces.
    #[validate(length(min = 1, max = 10000), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(min_length = 1, max_length = 10000, example = "Called about the renewal; call back in March.")]
    pub body: String,
}

/// Changes to a note.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotePatch {
    /// The new text, 1–10,000 characters. Omit to keep it.
    #[serde(default, deserialize_with = "crate::platform::patch::not_null")]
    #[validate(length(min = 1, max = 10000), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(value_type = String, required = false, min_length = 1, max_length = 10000, example = "Renewal signed.")]
    pub body: Option<String>,
}

/// What kind of principal wrote a note.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuthorType {
    User,
    ApiKey,
}

/// Who wrote a note.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteAuthorOut {
    #[serde(rename = "type")]
    pub type_: AuthorType,
    /// The user's id (`usr_…`) or the API key's id (`key_…`).
    #[schema(example = "usr_01jdq4m3y7e8f9g0h1j2k3m4n5")]
    pub id: String,
}

/// A note on a contact or a company.
#[derive(Debug, Serialize, ToSchema)]
pub struct NoteOut {
    pub id: NoteId,
    /// The contact the note is on; null for a company note.
    #[schema(required = true)]
    pub contact_id: Option<ContactId>,
    /// The company the note is on; null for a contact note.
    #[schema(required = true)]
    pub company_id: Option<CompanyId>,
    /// Who wrote it (the creator; edits do not change it). Every note written through the API
    /// has one; null only for notes stored by other means.
    #[schema(required = true)]
    pub author: Option<NoteAuthorOut>,
    pub body: String,
    pub created_at: DateTime<Utc>,
    /// When the text last changed (equal to `created_at` until edited).
    pub updated_at: DateTime<Utc>,
}

impl From<note::Model> for NoteOut {
    fn from(m: note::Model) -> Self {
        let author = match (m.author_user_id, m.author_api_key_id) {
            (Some(user), _) => Some(NoteAuthorOut { type_: AuthorType::User, id: UserId::from_uuid(user).to_string() }),
            (None, Some(key)) => {
                Some(NoteAuthorOut { type_: AuthorType::ApiKey, id: ApiKeyId::from_uuid(key).to_string() })
            }
            (None, None) => None,
        };
        Self {
            id: NoteId::from_uuid(m.id),
            contact_id: m.contact_id.map(ContactId::from_uuid),
            company_id: m.company_id.map(CompanyId::from_uuid),
            author,
            body: m.body,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

crate::list_type!(
    /// A page of notes.
    NoteList,
    NoteOut
);
