//! The file writer of an export, run on a blocking thread: receives pages of rows from the job
//! and writes them to a local temporary file as they come (CSV through `csv`, XLSX through
//! `rust_xlsxwriter` in constant-memory mode), so memory does not grow with the export.

use std::{fs::File, io::BufWriter, path::Path};

use rust_xlsxwriter::Workbook;
use tokio::sync::mpsc::Receiver;

use super::{dto::ExportFormat, job::ExportError};

/// The most data rows an XLSX worksheet holds (1,048,576 rows, one of them the header).
pub const XLSX_MAX_ROWS: u32 = 1_048_575;

/// Writes `header`, then every page received, to `path`.
pub fn write(
    format: ExportFormat,
    path: &Path,
    temp_dir: &Path,
    header: &[String],
    rx: Receiver<Vec<Vec<String>>>,
) -> Result<(), ExportError> {
    match format {
        ExportFormat::Csv => write_csv(path, header, rx),
        ExportFormat::Xlsx => write_xlsx(path, temp_dir, header, rx),
    }
}

fn write_csv(path: &Path, header: &[String], mut rx: Receiver<Vec<Vec<String>>>) -> Result<(), ExportError> {
    let mut out = csv::Writer::from_writer(BufWriter::new(File::create(path).map_err(ExportError::internal)?));
    out.write_record(header).map_err(ExportError::internal)?;
    while let Some(page) = rx.blocking_recv() {
        for row in page {
            out.write_record(&row).map_err(ExportError::internal)?;
        }
    }
    let file = out.into_inner().map_err(|e| ExportError::internal(e.into_error()))?;
    file.into_inner().map_err(|e| ExportError::internal(e.into_error()))?.sync_all().map_err(ExportError::internal)
}

fn write_xlsx(
    path: &Path,
    temp_dir: &Path,
    header: &[String],
    mut rx: Receiver<Vec<Vec<String>>>,
) -> Result<(), ExportError> {
    let mut workbook = Workbook::new();
    // Constant-memory worksheets spill rows to temporary files: keep them beside the export.
    workbook.set_tempdir(temp_dir).map_err(ExportError::internal)?;
    let sheet = workbook.add_worksheet_with_constant_memory();
    sheet.set_name("Contacts").map_err(ExportError::internal)?;
    let write_row = |sheet: &mut rust_xlsxwriter::Worksheet, row: u32, cells: &[String]| -> Result<(), ExportError> {
        for (col, value) in cells.iter().enumerate() {
            if value.is_empty() {
                continue;
            }
            let col = u16::try_from(col).map_err(ExportError::internal)?;
            sheet.write_string(row, col, value).map_err(ExportError::internal)?;
        }
        Ok(())
    };
    write_row(sheet, 0, header)?;
    let mut row: u32 = 0;
    while let Some(page) = rx.blocking_recv() {
        for cells in page {
            if row >= XLSX_MAX_ROWS {
                return Err(ExportError::User(format!(
                    "an XLSX worksheet holds at most {XLSX_MAX_ROWS} contacts; export as CSV, or narrow the export \
                     with a filter"
                )));
            }
            row += 1;
            write_row(sheet, row, &cells)?;
        }
    }
    workbook.save(path).map_err(ExportError::internal)
}
