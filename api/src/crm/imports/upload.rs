//! Receiving the `multipart/form-data` upload: the `file` part is streamed straight to file
//! storage (never held in memory), counting bytes against `import_max_bytes` (413 as soon as
//! it is passed); the first 64 KiB are kept to read the header row. The `options` part is
//! small JSON.

use actix_multipart::Multipart;
use actix_web::{HttpRequest, http::header, web};
use futures_util::StreamExt;
use object_store::{buffered::BufWriter, path::Path as ObjectPath};
use tokio::io::AsyncWriteExt;

use super::dto::ImportOptions;
use crate::{
    error::{ApiError, ApiResult, FieldError},
    state::AppState,
};

/// How much of the file's start is kept to read the header row.
const HEAD_BYTES: usize = 64 * 1024;
/// The largest `options` part.
const MAX_OPTIONS_BYTES: usize = 64 * 1024;
/// The longest file name kept.
const MAX_FILENAME_CHARS: usize = 255;
/// Room for the other parts and the multipart framing beside the file.
const FRAMING_BYTES: u64 = 1024 * 1024;

/// A received upload (the file is in storage under the key given to [`receive`]).
pub struct Upload {
    pub filename: String,
    pub size: u64,
    /// The header row (trimmed; a byte-order mark removed).
    pub headers: Vec<String>,
    pub options: ImportOptions,
}

fn invalid(field: &str, code: &str, message: impl Into<String>) -> ApiError {
    ApiError::Validation { errors: vec![FieldError::new(field, code, message)] }
}

fn is_multipart(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("multipart/form-data"))
        .unwrap_or(false)
}

/// Whether a part's declared type can be CSV (browsers and tools disagree on what to send).
fn csv_like(essence: Option<String>) -> bool {
    let Some(essence) = essence else { return true };
    matches!(
        essence.as_str(),
        "text/csv"
            | "application/csv"
            | "text/plain"
            | "text/comma-separated-values"
            | "application/vnd.ms-excel"
            | "application/octet-stream"
            | "text/x-csv"
            | "application/x-csv"
    )
}

/// Reads the upload, storing the file under `key`. On any error the stored file is removed.
pub async fn receive(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    key: &ObjectPath,
) -> ApiResult<Upload> {
    if !is_multipart(req) {
        return Err(ApiError::UnsupportedMediaType {
            detail: "This operation takes `multipart/form-data` with a `file` part (the CSV) and an optional `options` part (JSON).".into(),
        });
    }
    let limit = state.settings.import_max_bytes;
    let declared =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > limit.saturating_add(FRAMING_BYTES)) {
        return Err(too_large(limit));
    }
    let mut stored = false;
    let result = read_parts(state, req, payload, key, limit, &mut stored).await;
    if result.is_err() && stored {
        let _ = state.files.store().delete(key).await;
    }
    result
}

fn too_large(limit: u64) -> ApiError {
    ApiError::PayloadTooLarge { limit: usize::try_from(limit).unwrap_or(usize::MAX) }
}

fn multipart_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request("invalid_multipart", format!("The multipart body could not be read: {e}"))
}

async fn read_parts(
    state: &AppState,
    req: &HttpRequest,
    payload: web::Payload,
    key: &ObjectPath,
    limit: u64,
    stored: &mut bool,
) -> ApiResult<Upload> {
    let mut multipart = Multipart::new(req.headers(), payload);
    let mut options: Option<ImportOptions> = None;
    let mut file: Option<(String, u64, Vec<u8>)> = None;
    while let Some(field) = multipart.next().await {
        let mut field = field.map_err(multipart_error)?;
        let name = field.name().unwrap_or("").to_owned();
        match name.as_str() {
            "options" => {
                if options.is_some() {
                    return Err(invalid("options", "duplicate_part", "send one `options` part"));
                }
                let mut body = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = chunk.map_err(multipart_error)?;
                    if body.len() + chunk.len() > MAX_OPTIONS_BYTES {
                        return Err(invalid("options", "length", format!("must be at most {MAX_OPTIONS_BYTES} bytes")));
                    }
                    body.extend_from_slice(&chunk);
                }
                options = Some(parse_options(&body)?);
            }
            "file" => {
                if file.is_some() {
                    return Err(invalid("file", "duplicate_part", "send one `file` part"));
                }
                if !csv_like(field.content_type().map(|m| m.essence_str().to_ascii_lowercase())) {
                    return Err(invalid("file", "not_csv", "the file must be a CSV (`text/csv`)"));
                }
                let filename = field
                    .content_disposition()
                    .and_then(|cd| cd.get_filename())
                    .map(|f| f.chars().filter(|c| !c.is_control()).take(MAX_FILENAME_CHARS).collect::<String>())
                    .filter(|f| !f.is_empty())
                    .unwrap_or_else(|| "upload.csv".to_owned());
                let mut out = BufWriter::new(state.files.store().clone(), key.clone());
                *stored = true;
                let mut size: u64 = 0;
                let mut head = Vec::new();
                while let Some(chunk) = field.next().await {
                    let chunk = match chunk {
                        Ok(chunk) => chunk,
                        Err(e) => {
                            let _ = out.abort().await;
                            return Err(multipart_error(e));
                        }
                    };
                    size += chunk.len() as u64;
                    if size > limit {
                        let _ = out.abort().await;
                        return Err(too_large(limit));
                    }
                    if head.len() < HEAD_BYTES {
                        let take = (HEAD_BYTES - head.len()).min(chunk.len());
                        head.extend_from_slice(&chunk[..take]);
                    }
                    if let Err(e) = out.write_all(&chunk).await {
                        let _ = out.abort().await;
                        return Err(ApiError::internal(e));
                    }
                }
                out.shutdown().await.map_err(ApiError::internal)?;
                file = Some((filename, size, head));
            }
            other => {
                let other = other.chars().take(100).collect::<String>();
                return Err(invalid(&other, "unknown_field", "parts are `file` and `options`"));
            }
        }
    }
    let Some((filename, size, head)) = file else {
        return Err(invalid("file", "required", "send the CSV as a `file` part"));
    };
    let headers = header_row(&head, size)?;
    Ok(Upload { filename, size, headers, options: options.unwrap_or_default() })
}

fn parse_options(body: &[u8]) -> ApiResult<ImportOptions> {
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        let syntax = inner.is_syntax() || inner.is_eof();
        let field = if path == "." || syntax { "options".to_owned() } else { format!("options.{path}") };
        let message = inner.to_string();
        let message = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message,
        };
        let code = if syntax {
            "invalid_json"
        } else if message.starts_with("unknown field") {
            "unknown_field"
        } else {
            "invalid_type"
        };
        invalid(&field, code, message)
    })
}

/// The header row from the file's first bytes. Refuses an empty file, binary data, text that is
/// not UTF-8 and a header row that names no column.
fn header_row(head: &[u8], size: u64) -> ApiResult<Vec<String>> {
    if size == 0 {
        return Err(invalid("file", "empty_file", "the file is empty"));
    }
    let head = head.strip_prefix(b"\xef\xbb\xbf").unwrap_or(head);
    if head.contains(&0) {
        return Err(invalid("file", "not_csv", "the file is binary, not a CSV"));
    }
    let line_end = head.iter().position(|&b| b == b'\n');
    if line_end.is_none() && size as usize > head.len() + 3 {
        return Err(invalid("file", "header_too_long", "the header row is longer than 64 KiB"));
    }
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(head);
    let mut record = csv::StringRecord::new();
    match reader.read_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err(invalid("file", "missing_header", "the first row must name the columns")),
        Err(_) => return Err(invalid("file", "not_csv", "the file must be UTF-8 text (a CSV)")),
    }
    let headers: Vec<String> = record.iter().map(|h| h.trim().to_owned()).collect();
    if headers.iter().all(String::is_empty) {
        return Err(invalid("file", "missing_header", "the first row must name the columns"));
    }
    Ok(headers)
}
