//! Reads an upload's multipart form with hard size caps: the body is refused with 413 as soon
//! as it passes the limit (and before reading it when Content-Length already says so).

use crate::api::extract::{first_nul, nul_error};
use crate::error::{Error, ProblemItem, Result};
use crate::ingest::bidi_marker;
use actix_multipart::Multipart;
use actix_web::{http::header, web, HttpRequest};
use futures_util::StreamExt;

/// Multipart overhead allowed on top of the file limit (boundaries, the small parts).
const OVERHEAD: usize = 256 * 1024;
/// Limit for the small text parts (`kind`, `mapping`).
const SMALL_PART: usize = 64 * 1024;

pub struct UploadForm {
    pub filename: String,
    pub bytes: Vec<u8>,
    pub kind: Option<String>,
    pub mapping: Option<String>,
    /// Any other small text parts, by name.
    pub other: std::collections::BTreeMap<String, String>,
}

fn too_large(limit: usize) -> Error {
    Error::problem(
        413,
        "file_too_large",
        format!("The upload is larger than the limit of {} MiB.", limit / (1024 * 1024)),
    )
}

/// Refuses early when the declared length is already over the limit.
pub fn check_declared_length(req: &HttpRequest, limit: usize) -> Result<()> {
    if let Some(len) =
        req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok())
    {
        if len > limit + OVERHEAD {
            return Err(too_large(limit));
        }
    }
    Ok(())
}

/// A file name safe to store and show: no path, no control characters (bidirectional ones
/// included: `\u{202E}gpj.exe` must not show as `exe.jpg`), at most 255 chars.
pub fn clean_filename(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let s: String = base.chars().filter(|&c| !c.is_control() && bidi_marker(c).is_none()).take(255).collect();
    let s = s.trim().to_string();
    if s.is_empty() {
        "upload".into()
    } else {
        s
    }
}

/// A text part holding a NUL character (as such, or escaped in the JSON of `mapping`) is
/// refused as JSON bodies and query strings are (see `api::extract`).
fn refuse_nul(name: &str, buf: &[u8]) -> Result<()> {
    let shown: String = name.chars().filter(|&c| c != '\0').take(80).collect();
    if buf.contains(&0) || name.contains('\0') {
        return Err(nul_error(shown, "The form part"));
    }
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(buf) {
        if let Some(pointer) = first_nul(&v, &mut String::new()) {
            return Err(nul_error(format!("{shown}{pointer}"), "The form part"));
        }
    }
    Ok(())
}

pub async fn read_form(req: &HttpRequest, payload: web::Payload, limit: usize) -> Result<UploadForm> {
    let ct = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
    if !ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        return Err(Error::problem(
            415,
            "unsupported_media_type",
            "Send the file as multipart/form-data with a part named `file`.",
        ));
    }
    let mut mp = Multipart::new(req.headers(), payload);
    let mut form =
        UploadForm { filename: String::new(), bytes: Vec::new(), kind: None, mapping: None, other: Default::default() };
    let mut have_file = false;
    let mut total = 0usize;
    while let Some(field) = mp.next().await {
        let mut field = field.map_err(|e| {
            Error::bad_request("invalid_multipart", format!("The multipart body could not be read: {e}"))
        })?;
        let name = field.name().unwrap_or("").to_string();
        let filename = field.content_disposition().and_then(|cd| cd.get_filename()).map(str::to_string);
        let cap = if name == "file" { limit } else { SMALL_PART };
        let mut buf = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(|e| {
                Error::bad_request("invalid_multipart", format!("The multipart body could not be read: {e}"))
            })?;
            total += chunk.len();
            if buf.len() + chunk.len() > cap || total > limit + OVERHEAD {
                return Err(if name == "file" || total > limit + OVERHEAD {
                    too_large(limit)
                } else {
                    Error::invalid("part_too_large", format!("The `{name}` part is too large."), Vec::new())
                });
            }
            buf.extend_from_slice(&chunk);
        }
        if name != "file" {
            refuse_nul(&name, &buf)?;
        }
        match name.as_str() {
            "file" => {
                if have_file {
                    return Err(Error::invalid("multiple_files", "Send one file per upload.", Vec::new()));
                }
                have_file = true;
                form.filename = clean_filename(filename.as_deref().unwrap_or("upload"));
                form.bytes = buf;
            }
            "kind" => form.kind = Some(String::from_utf8_lossy(&buf).trim().to_string()),
            "mapping" => form.mapping = Some(String::from_utf8_lossy(&buf).to_string()),
            other => {
                if form.other.len() < 16 {
                    form.other.insert(other.to_string(), String::from_utf8_lossy(&buf).trim().to_string());
                }
            }
        }
    }
    if !have_file {
        return Err(Error::invalid(
            "missing_file",
            "The form has no part named `file`.",
            vec![ProblemItem::field("file", "required", "a part named `file` with the spreadsheet is required")],
        ));
    }
    Ok(form)
}
