//! CRM: contacts (people), companies, custom field definitions, tags, notes, the filter
//! language, segments, CSV import and CSV/XLSX export.

pub mod companies;
pub mod contacts;
pub mod exports;
pub mod fields;
pub mod filter;
pub mod imports;
pub mod notes;
pub mod segments;
pub mod tags;
pub mod values;

use utoipa_actix_web::service_config::ServiceConfig;

/// Registers the CRM routes (mounted under `/v1`).
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.configure(contacts::configure)
        .configure(companies::configure)
        .configure(fields::configure)
        .configure(tags::configure)
        .configure(notes::configure)
        .configure(segments::configure)
        .configure(imports::configure)
        .configure(exports::configure);
}
