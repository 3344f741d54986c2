//! The tenant's data generation: a counter in `tenant_generations` that goes up after every
//! write to the tenant's data, shared by every server through the database. A read cache stores
//! what it computed with the generation it read *before* computing it, and serves an entry only
//! while the generation is unchanged; a write that races with the computation bumps the
//! generation after its commit, so the entry is never served again (see
//! `crm/contacts/list_cache.rs`).
//!
//! Who bumps it:
//! - [`middleware`]: after every `POST`/`PUT`/`PATCH`/`DELETE` that an authenticated tenant made,
//!   whatever it changed and whether or not it succeeded (a spurious bump costs one cache miss);
//! - work that writes outside a request calls [`bump`] after each commit (import batches).
//!
//! A new background writer of tenant data must call [`bump`] too, or cached reads can stay
//! stale until their time-to-live runs out.

use actix_web::{
    Error, HttpMessage,
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::Method,
    middleware::Next,
    web,
};
use entities::tenant_generation;
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, QueryTrait, Statement,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use crate::{platform::auth::TenantCtx, state::AppState};

/// The tenant's current generation (0 before its first write).
pub async fn current(db: &impl ConnectionTrait, tenant_id: Uuid) -> Result<i64, DbErr> {
    Ok(tenant_generation::Entity::find_in(tenant_id).one(db).await?.map_or(0, |g| g.generation))
}

/// Moves the tenant to a new generation: call after committing a write to its data.
pub async fn bump(db: &impl ConnectionTrait, tenant_id: Uuid) -> Result<(), DbErr> {
    db.execute_raw(bump_statement(tenant_id, db.get_database_backend())).await?;
    Ok(())
}

/// The statement of [`bump`], for writers that run it inside their own transaction.
pub fn bump_statement(tenant_id: Uuid, backend: DbBackend) -> Statement {
    let column = (tenant_generation::Entity, tenant_generation::Column::Generation);
    tenant_generation::Entity::insert(tenant_generation::ActiveModel {
        tenant_id: sea_orm::ActiveValue::Set(tenant_id),
        generation: sea_orm::ActiveValue::Set(1),
    })
    .on_conflict(
        OnConflict::column(tenant_generation::Column::TenantId)
            .value(tenant_generation::Column::Generation, Expr::col(column).add(1))
            .to_owned(),
    )
    .build(backend)
}

/// Middleware (innermost, after the handler): bumps the generation of the tenant that made a
/// write request. A failure is logged, not returned: the write itself has committed.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    let res = next.call(req).await?;
    if !writes {
        return Ok(res);
    }
    let tenant = res.request().extensions().get::<TenantCtx>().map(|ctx| ctx.tenant_id.uuid());
    let state = res.request().app_data::<web::Data<AppState>>().cloned();
    if let (Some(tenant_id), Some(state)) = (tenant, state)
        && let Err(e) = bump(&state.db, tenant_id).await
    {
        tracing::warn!(error = %e, "could not bump the tenant's data generation; cached reads may be stale for a while");
    }
    Ok(res)
}
