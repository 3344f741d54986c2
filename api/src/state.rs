//! Shared application state, built once at start-up and handed to every worker.

use std::sync::Arc;

use sea_orm::DatabaseConnection;

use crate::{
    config::Settings,
    platform::auth::{api_keys::ApiKeyResolver, jwt::JwtKeys},
};

pub struct AppState {
    pub db: DatabaseConnection,
    pub redis: Option<deadpool_redis::Pool>,
    pub settings: Arc<Settings>,
    pub jwt: JwtKeys,
    pub api_keys: ApiKeyResolver,
}
