//! The permission model, defined once: a permission is a `resource:access` scope
//! (`members:write`). A role grants a fixed set of scopes (the matrix below, documented in
//! `docs/access-control.md`); an API key carries an explicit subset, or every scope. Every
//! operation requires one scope and checks it with `TenantCtx::require`; `write` implies `read`.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Role;

/// What a scope grants access to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Resource {
    Organization,
    Members,
    Invitations,
    ApiKeys,
    Clients,
    AuditEvents,
    Contacts,
    Companies,
    Fields,
    Tags,
    Segments,
    Imports,
    Exports,
    Products,
    Webhooks,
    Jobs,
    Events,
}

/// Read or write (write includes read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Access {
    Read,
    Write,
}

impl Resource {
    pub const ALL: [Resource; 17] = [
        Resource::Organization,
        Resource::Members,
        Resource::Invitations,
        Resource::ApiKeys,
        Resource::Clients,
        Resource::AuditEvents,
        Resource::Contacts,
        Resource::Companies,
        Resource::Fields,
        Resource::Tags,
        Resource::Segments,
        Resource::Imports,
        Resource::Exports,
        Resource::Products,
        Resource::Webhooks,
        Resource::Jobs,
        Resource::Events,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Organization => "organization",
            Self::Members => "members",
            Self::Invitations => "invitations",
            Self::ApiKeys => "api_keys",
            Self::Clients => "clients",
            Self::AuditEvents => "audit_events",
            Self::Contacts => "contacts",
            Self::Companies => "companies",
            Self::Fields => "fields",
            Self::Tags => "tags",
            Self::Segments => "segments",
            Self::Imports => "imports",
            Self::Exports => "exports",
            Self::Products => "products",
            Self::Webhooks => "webhooks",
            Self::Jobs => "jobs",
            Self::Events => "events",
        }
    }

    /// The highest access each role has to this resource (`None`: no access). This is the role
    /// × permission matrix.
    fn role_access(self, role: Role) -> Option<Access> {
        use Access::{Read, Write};
        match (self, role) {
            (_, Role::Owner | Role::Admin) => Some(Write),
            (Self::Organization | Self::Members | Self::Clients, Role::Member | Role::Viewer) => Some(Read),
            (Self::Invitations, Role::Member) => Some(Read),
            (Self::Invitations | Self::ApiKeys | Self::AuditEvents, _) => None,
            // Webhook endpoints send the organisation's data to outside URLs and hold signing
            // secrets: like API keys, only owners and admins manage them.
            (Self::Webhooks, Role::Member | Role::Viewer) => None,
            // CRM and catalogue: members work with the data; viewers read it. Field definitions
            // shape every tenant's data, so only admins change them. Exports copy the whole
            // contact base out, so viewers cannot start or download them.
            (
                Self::Contacts
                | Self::Companies
                | Self::Tags
                | Self::Segments
                | Self::Imports
                | Self::Exports
                | Self::Products,
                Role::Member,
            ) => Some(Write),
            (Self::Fields, Role::Member) => Some(Read),
            (
                Self::Contacts
                | Self::Companies
                | Self::Fields
                | Self::Tags
                | Self::Segments
                | Self::Imports
                | Self::Products,
                Role::Viewer,
            ) => Some(Read),
            (Self::Exports, Role::Viewer) => None,
            // The list of the organisation's background operations (status and progress only).
            (Self::Jobs, Role::Member | Role::Viewer) => Some(Read),
            // Domain events carry every kind of object (API keys, invitations, members), so like
            // the audit log only owners and admins read them.
            (Self::Events, Role::Member | Role::Viewer) => None,
        }
    }
}

/// One permission: `resource:read` or `resource:write`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scope {
    pub resource: Resource,
    pub access: Access,
}

impl Scope {
    pub const fn new(resource: Resource, access: Access) -> Self {
        Self { resource, access }
    }

    /// Every scope, in documentation order.
    pub fn all() -> impl Iterator<Item = Scope> {
        Resource::ALL.into_iter().flat_map(|r| [Scope::new(r, Access::Read), Scope::new(r, Access::Write)])
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::all().find(|scope| scope.to_string() == s)
    }

    /// Whether holding `self` satisfies a requirement of `needed`.
    pub fn satisfies(self, needed: Scope) -> bool {
        self.resource == needed.resource && self.access >= needed.access
    }

    /// Whether `role` holds this scope.
    pub fn granted_to(self, role: Role) -> bool {
        self.resource.role_access(role).is_some_and(|a| a >= self.access)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let access = match self.access {
            Access::Read => "read",
            Access::Write => "write",
        };
        write!(f, "{}:{access}", self.resource.as_str())
    }
}

/// The scopes an API key holds; `All` for a key created without a scope list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyScopes {
    All,
    Only(Vec<Scope>),
}

impl KeyScopes {
    /// Parses the stored space-separated form (empty = all). Unknown names are dropped (a scope
    /// removed from the code grants nothing).
    pub fn from_stored(stored: &str) -> Self {
        if stored.trim().is_empty() {
            return Self::All;
        }
        Self::Only(stored.split_whitespace().filter_map(Scope::parse).collect())
    }

    pub fn allows(&self, needed: Scope) -> bool {
        match self {
            Self::All => true,
            Self::Only(scopes) => scopes.iter().any(|s| s.satisfies(needed)),
        }
    }

    /// The scope names, for responses.
    pub fn names(&self) -> Vec<String> {
        match self {
            Self::All => Scope::all().map(|s| s.to_string()).collect(),
            Self::Only(scopes) => scopes.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A scope name as it appears in requests and responses (validated against the list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(example = "members:read", pattern = "^[a-z_]+:(read|write)$")]
pub struct ScopeName(pub String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_round_trip_and_write_implies_read() {
        for scope in Scope::all() {
            assert_eq!(Scope::parse(&scope.to_string()), Some(scope));
        }
        let read = Scope::new(Resource::Members, Access::Read);
        let write = Scope::new(Resource::Members, Access::Write);
        assert!(write.satisfies(read));
        assert!(!read.satisfies(write));
        assert!(!write.satisfies(Scope::new(Resource::ApiKeys, Access::Read)));
        assert_eq!(Scope::parse("members:admin"), None);
    }

    #[test]
    fn the_role_matrix() {
        let w = |r| Scope::new(r, Access::Write);
        let r = |r| Scope::new(r, Access::Read);
        for role in [Role::Owner, Role::Admin] {
            assert!(Scope::all().all(|s| s.granted_to(role)), "{role:?} holds every scope");
        }
        for role in [Role::Member, Role::Viewer] {
            assert!(r(Resource::Organization).granted_to(role));
            assert!(!w(Resource::Members).granted_to(role));
            assert!(!r(Resource::ApiKeys).granted_to(role));
            assert!(!r(Resource::AuditEvents).granted_to(role));
            assert!(!r(Resource::Events).granted_to(role));
            assert!(!r(Resource::Webhooks).granted_to(role));
        }
        assert!(r(Resource::Invitations).granted_to(Role::Member));
        assert!(!r(Resource::Invitations).granted_to(Role::Viewer));
    }

    #[test]
    fn stored_key_scopes() {
        assert_eq!(KeyScopes::from_stored(""), KeyScopes::All);
        let s = KeyScopes::from_stored("members:read clients:write bogus:read");
        assert!(s.allows(Scope::new(Resource::Members, Access::Read)));
        assert!(s.allows(Scope::new(Resource::Clients, Access::Read)));
        assert!(!s.allows(Scope::new(Resource::Members, Access::Write)));
        assert_eq!(s.names(), vec!["members:read", "clients:write"]);
    }
}
