//! The error report: a CSV (`row,column,code,reason`) written to file storage while the import
//! runs, one line per refused cell or row.

use object_store::buffered::BufWriter;
use tokio::io::AsyncWriteExt;

use super::rows::RowError;
use crate::platform::storage::FileStore;

pub struct Report {
    out: BufWriter,
}

impl Report {
    pub async fn create(files: &FileStore, key: &object_store::path::Path) -> anyhow::Result<Self> {
        let mut report = Self { out: BufWriter::new(files.store().clone(), key.clone()) };
        let mut buf = csv::Writer::from_writer(Vec::new());
        buf.write_record(["row", "column", "code", "reason"])?;
        report.flush(buf).await?;
        Ok(report)
    }

    pub async fn write(&mut self, errors: &[RowError]) -> anyhow::Result<()> {
        if errors.is_empty() {
            return Ok(());
        }
        let mut buf = csv::Writer::from_writer(Vec::new());
        for e in errors {
            let row = e.row.to_string();
            buf.write_record([row.as_str(), e.column.as_str(), e.code, e.reason.as_str()])?;
        }
        self.flush(buf).await
    }

    async fn flush(&mut self, buf: csv::Writer<Vec<u8>>) -> anyhow::Result<()> {
        let bytes = buf.into_inner().map_err(|e| anyhow::anyhow!("writing the error report failed: {e}"))?;
        if !bytes.is_empty() {
            self.out.write_all(&bytes).await?;
        }
        Ok(())
    }

    /// Completes the upload of the report.
    pub async fn finish(mut self) -> anyhow::Result<()> {
        self.out.shutdown().await?;
        Ok(())
    }
}
