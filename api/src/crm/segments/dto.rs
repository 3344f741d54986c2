//! Request and response types of the segment endpoints.

use chrono::{DateTime, Utc};
use entities::segment;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::platform::{
    ids::{ContactId, SegmentId},
    patch::Patch,
};

/// `dynamic`: a saved filter, evaluated whenever the segment is read. `static`: an explicit
/// list of members.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SegmentKind {
    Dynamic,
    Static,
}

impl SegmentKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Dynamic => "dynamic",
            Self::Static => "static",
        }
    }
}

/// A new segment.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentIn {
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(example = "VIPs who opted in", min_length = 1, max_length = 200)]
    pub name: String,
    pub kind: SegmentKind,
    /// Required for a dynamic segment, refused for a static one: a filter expression (see the
    /// filtering guide). A bad filter is 422 with an `invalid_filter` error naming the position.
    #[schema(max_length = 4000, example = "and(tags[any]:vip,consent.email[eq]:opted_in)")]
    pub filter: Option<String>,
}

/// Changes to a segment. Absent fields are unchanged. The kind cannot change.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentPatch {
    #[validate(length(min = 1, max = 200), custom(function = "crate::platform::extract::not_blank"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// Dynamic segments only: the new filter (it cannot be null).
    #[serde(default)]
    #[schema(value_type = String, required = false, max_length = 4000)]
    pub filter: Patch<String>,
}

/// A segment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentOut {
    pub id: SegmentId,
    pub name: String,
    pub kind: SegmentKind,
    /// The filter of a dynamic segment; null for a static one.
    #[schema(required = true)]
    pub filter: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<segment::Model> for SegmentOut {
    fn from(m: segment::Model) -> Self {
        Self {
            id: SegmentId::from_uuid(m.id),
            name: m.name,
            kind: if m.kind == "dynamic" { SegmentKind::Dynamic } else { SegmentKind::Static },
            filter: m.filter,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

crate::list_type!(
    /// A page of segments.
    SegmentList,
    SegmentOut
);

/// A filter to count without saving it.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentPreviewIn {
    /// A filter expression (see the filtering guide); `*` counts every contact.
    #[schema(max_length = 4000, example = "tags[any]:[vip,lead]")]
    pub filter: String,
}

/// How many contacts match.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentCountOut {
    #[schema(example = 1234)]
    pub count: u64,
}

/// Contacts to add to, or remove from, a static segment.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentMembersIn {
    /// 1 to 1,000 contact ids (`con_…`).
    #[validate(length(min = 1, max = 1000))]
    #[schema(min_items = 1, max_items = 1000)]
    pub contact_ids: Vec<ContactId>,
}

/// What happened to one contact id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberStatus {
    /// Now a member.
    Added,
    /// Was a member already (or listed twice).
    AlreadyMember,
    /// No longer a member.
    Removed,
    /// Was not a member.
    NotMember,
    /// No contact with this id exists in the organisation.
    NotFound,
}

/// The result for one contact id, in the order given.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberResult {
    pub contact_id: ContactId,
    pub status: MemberStatus,
}

/// Per-item results of a membership change.
#[derive(Debug, Serialize, ToSchema)]
pub struct SegmentMembersOut {
    /// How many memberships were added or removed.
    pub changed: u64,
    pub results: Vec<MemberResult>,
}
