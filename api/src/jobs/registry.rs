//! Every job type the service runs, the recurring schedules, and how a job names the object it
//! works on. A new job type is added here (and nowhere else) so that every worker knows it.

use uuid::Uuid;

use super::{dto::JobResource, sweep::SweepJobs};
use crate::events::sweep::SweepEvents;
use crate::platform::{
    ids::{ExportId, ImportId, WebhookMessageId},
    jobs::{Job, NewJob, Recurring, Registry},
};
use crate::webhooks::{delivery::DeliverJob, sweep::SweepWebhooks};

/// The registry of every job type (with the diagnostic one when `diagnostic` is on).
pub fn all(diagnostic: bool) -> Registry {
    let mut r = Registry::default();
    r.register::<crate::crm::imports::ImportJob>()
        .register::<crate::crm::exports::ExportJob>()
        .register::<SweepJobs>()
        .register::<SweepEvents>()
        .register::<DeliverJob>()
        .register::<SweepWebhooks>();
    if diagnostic {
        r.register::<super::diagnostic::Receipt>();
    }
    r
}

/// The recurring jobs.
pub fn schedules() -> Vec<Recurring> {
    vec![
        Recurring { name: SweepJobs::KIND, cron: "0 */10 * * * *".into(), job: || NewJob::of(&SweepJobs {}) },
        Recurring { name: SweepEvents::KIND, cron: "0 7 * * * *".into(), job: || NewJob::of(&SweepEvents {}) },
        Recurring { name: SweepWebhooks::KIND, cron: "0 17 * * * *".into(), job: || NewJob::of(&SweepWebhooks {}) },
    ]
}

/// The API's name and prefixed id of the object a job of `kind` works on.
pub fn resource_of(kind: &str, id: Uuid) -> Option<JobResource> {
    let (kind, id) = match kind {
        crate::crm::imports::ImportJob::KIND => ("import", ImportId::from_uuid(id).to_string()),
        crate::crm::exports::ExportJob::KIND => ("export", ExportId::from_uuid(id).to_string()),
        DeliverJob::KIND => ("webhook_message", WebhookMessageId::from_uuid(id).to_string()),
        _ => return None,
    };
    Some(JobResource { kind: kind.to_owned(), id })
}
