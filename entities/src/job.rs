//! `jobs`: the background job queue (`api/src/platform/jobs/`). `status`: `pending`, `running`,
//! `succeeded`, `dead`. Times are Unix milliseconds. `unique_key` is held only while the job is
//! pending or running. Platform jobs have no tenant; a tenant's own background operations
//! (imports, exports, …) carry `tenant_id` and are read by the tenant only through `find_in`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "jobs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub tenant_id: Option<Uuid>,
    /// The job type, e.g. `crm.import`.
    pub kind: String,
    pub queue: String,
    pub payload: Json,
    pub status: String,
    /// Runs started so far (a claim counts one).
    pub attempts: i32,
    pub max_attempts: i32,
    /// Due time, Unix ms.
    pub run_at: i64,
    /// The worker holding the lease while running.
    pub locked_by: Option<String>,
    /// The lease's end, Unix ms: past it, another worker may take the job.
    pub locked_until: Option<i64>,
    pub unique_key: Option<String>,
    /// What the job works on (an import's id, an export's id, …).
    pub subject_id: Option<Uuid>,
    pub progress: Option<Json>,
    /// The last failure's cause (operators only: may name internals).
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Entity {
    /// The jobs of one tenant.
    pub fn find_in(tenant_id: Uuid) -> Select<Entity> {
        Entity::find().filter(Column::TenantId.eq(tenant_id))
    }

    /// Every job (operators and the engine itself only: the queue is platform-wide).
    pub fn find_all_tenants() -> Select<Entity> {
        Entity::find()
    }
}
