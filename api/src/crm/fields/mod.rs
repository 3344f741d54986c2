//! CRM: fields (being built for issue 5).

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the fields routes (mounted under `/v1`).
pub fn configure(_cfg: &mut ServiceConfig) {}
