//! CRM: notes (being built for issue 5).

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the notes routes (mounted under `/v1`).
pub fn configure(_cfg: &mut ServiceConfig) {}
