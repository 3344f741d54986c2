//! File storage for uploads, error reports and exports, behind `object_store` so that S3/R2 can
//! replace the embedded default: a local directory, `<data_dir>/files`. Keys are
//! `<tenant uuid>/<kind>/<id>.<ext>`; callers build them with [`FileStore::key`] so that one
//! tenant's files never share a prefix with another's.

use std::{path::Path, sync::Arc};

use anyhow::Context;
use object_store::{ObjectStore, local::LocalFileSystem, path::Path as ObjectPath};
use uuid::Uuid;

#[derive(Clone)]
pub struct FileStore {
    inner: Arc<dyn ObjectStore>,
}

impl FileStore {
    /// Local files under `data_dir/files` (created if missing).
    pub fn local(data_dir: &Path) -> anyhow::Result<Self> {
        let dir = data_dir.join("files");
        std::fs::create_dir_all(&dir).with_context(|| format!("cannot create file storage {}", dir.display()))?;
        let fs = LocalFileSystem::new_with_prefix(&dir)
            .with_context(|| format!("cannot open file storage {}", dir.display()))?
            .with_automatic_cleanup(true);
        Ok(Self { inner: Arc::new(fs) })
    }

    /// The storage key of a tenant's file: `<tenant>/<kind>/<id>.<ext>`.
    pub fn key(tenant_id: Uuid, kind: &str, id: Uuid, ext: &str) -> ObjectPath {
        ObjectPath::from(format!("{tenant_id}/{kind}/{id}.{ext}"))
    }

    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.inner
    }
}
