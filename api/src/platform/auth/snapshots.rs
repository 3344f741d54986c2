//! Short-lived in-memory snapshots of what every authenticated request must re-check: is the
//! tenant suspended (and whose client is it), and is the login session still live with which role.
//! Each entry lives `api_key_cache_ttl_secs`; any credential change on this node (revocation,
//! suspension, role change, removal, password reset) calls `invalidate_all`, so it takes effect
//! at once here and within the TTL on other replicas.

use std::{sync::Arc, time::Duration};

use entities::{membership, refresh_token, tenant};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::Role;
use crate::error::ApiResult;

pub struct AuthSnapshots {
    tenants: moka::sync::Cache<Uuid, Arc<tenant::Model>>,
    /// Keyed by (tenant, user, session): a token is only as good as all three claims together.
    sessions: moka::sync::Cache<(Uuid, Uuid, Uuid), Option<Role>>,
}

impl AuthSnapshots {
    pub fn new(ttl: Duration) -> Self {
        Self {
            tenants: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(ttl).build(),
            sessions: moka::sync::Cache::builder().max_capacity(100_000).time_to_live(ttl).build(),
        }
    }

    /// The tenant, if it exists.
    pub async fn tenant(&self, db: &DatabaseConnection, id: Uuid) -> ApiResult<Option<Arc<tenant::Model>>> {
        if let Some(t) = self.tenants.get(&id) {
            return Ok(Some(t));
        }
        let Some(row) = tenant::Entity::find_by_id(id).one(db).await? else { return Ok(None) };
        let row = Arc::new(row);
        self.tenants.insert(id, row.clone());
        Ok(Some(row))
    }

    /// The user's current role in the session's tenant if the session (refresh-token family) is
    /// live and the membership exists; `None` otherwise.
    pub async fn session_role(
        &self,
        db: &DatabaseConnection,
        tenant_id: Uuid,
        user_id: Uuid,
        session_id: Uuid,
    ) -> ApiResult<Option<Role>> {
        let key = (tenant_id, user_id, session_id);
        if let Some(role) = self.sessions.get(&key) {
            return Ok(role);
        }
        let live = refresh_token::Entity::find_in(tenant_id)
            .filter(refresh_token::Column::FamilyId.eq(session_id))
            .filter(refresh_token::Column::UserId.eq(user_id))
            .filter(refresh_token::Column::RevokedAt.is_null())
            .select_only()
            .column(refresh_token::Column::Id)
            .into_tuple::<Uuid>()
            .one(db)
            .await?
            .is_some();
        let role = if live {
            membership::Entity::find_in(tenant_id)
                .filter(membership::Column::UserId.eq(user_id))
                .one(db)
                .await?
                .and_then(|m| Role::parse(&m.role))
        } else {
            None
        };
        self.sessions.insert(key, role);
        Ok(role)
    }

    /// Forgets everything (after any credential or membership change).
    pub fn invalidate_all(&self) {
        self.tenants.invalidate_all();
        self.sessions.invalidate_all();
    }
}
