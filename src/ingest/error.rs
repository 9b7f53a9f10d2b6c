//! File-level ingest errors: each has an HTTP status, a stable snake_case code and a plain message.

use serde::{Deserialize, Serialize};

/// Why a whole file was refused. Row-level problems are [`super::RowError`]s instead.
///
/// Serializable so that the sandboxed worker process can hand it back to the server.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum IngestError {
    #[error("The file is {size} bytes; the limit is {limit} bytes.")]
    FileTooLarge { size: u64, limit: u64 },
    #[error("The file is empty.")]
    EmptyFile,
    #[error("This is not a spreadsheet Manumit can read ({detail}). Send xlsx, xlsm, xlsb, xls, ods or csv.")]
    UnsupportedFormat { detail: String },
    #[error("The workbook is password-protected (encrypted). Remove the password in Excel and upload it again.")]
    PasswordProtected,
    #[error("The file could not be read: {detail}.")]
    UnreadableFile { detail: String },
    #[error("The file is refused as a compressed-archive bomb: {detail}.")]
    ArchiveBomb { detail: String },
    #[error("The sheet has more than {limit} rows with data.")]
    TooManyRows { limit: u64 },
    #[error("The sheet has data beyond column {limit}; at most {limit} columns are read.")]
    TooManyColumns { limit: u64 },
    #[error("The file has more than {limit} cells with data.")]
    TooManyCells { limit: u64 },
    #[error("The shared-strings table declares {declared} strings; at most {limit} are accepted.")]
    TooManyStrings { declared: u64, limit: u64 },
    #[error("Reading the file took longer than {seconds} s and was stopped.")]
    Timeout { seconds: u64 },
    #[error("No header row was found: no sheet has a row naming at least two known columns (for example \"Supplier name\", \"Country\", \"Sector\").")]
    NoHeaderRow,
    #[error("The header row was found on sheet \"{sheet}\" (row {header_row}) but no data rows follow it.")]
    NoDataRows { sheet: String, header_row: u32 },
    #[error("The column mapping names an unknown field \"{field}\" (for header \"{header}\").")]
    UnknownField { header: String, field: String },
}

impl IngestError {
    /// The HTTP status for this error: 413 too large, 415 not a spreadsheet, 422 otherwise.
    pub fn status(&self) -> u16 {
        match self {
            IngestError::FileTooLarge { .. } => 413,
            IngestError::UnsupportedFormat { .. } => 415,
            _ => 422,
        }
    }

    /// Stable snake_case code, used as the problem+json `code`.
    pub fn code(&self) -> &'static str {
        match self {
            IngestError::FileTooLarge { .. } => "file_too_large",
            IngestError::EmptyFile => "empty_file",
            IngestError::UnsupportedFormat { .. } => "unsupported_format",
            IngestError::PasswordProtected => "password_protected",
            IngestError::UnreadableFile { .. } => "unreadable_file",
            IngestError::ArchiveBomb { .. } => "archive_bomb",
            IngestError::TooManyRows { .. } => "too_many_rows",
            IngestError::TooManyColumns { .. } => "too_many_columns",
            IngestError::TooManyCells { .. } => "too_many_cells",
            IngestError::TooManyStrings { .. } => "too_many_strings",
            IngestError::Timeout { .. } => "parse_timeout",
            IngestError::NoHeaderRow => "no_header_row",
            IngestError::NoDataRows { .. } => "no_data_rows",
            IngestError::UnknownField { .. } => "unknown_field",
        }
    }

    pub(crate) fn unreadable(detail: impl std::fmt::Display) -> Self {
        IngestError::UnreadableFile { detail: detail.to_string() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_and_codes() {
        let e = IngestError::FileTooLarge { size: 10, limit: 5 };
        assert_eq!((e.status(), e.code()), (413, "file_too_large"));
        let e = IngestError::UnsupportedFormat { detail: "PDF".into() };
        assert_eq!((e.status(), e.code()), (415, "unsupported_format"));
        assert_eq!(IngestError::PasswordProtected.status(), 422);
        assert_eq!(IngestError::EmptyFile.code(), "empty_file");
        assert!(IngestError::PasswordProtected.to_string().contains("password"));
    }

    #[test]
    fn round_trips_as_json() {
        let e = IngestError::TooManyCells { limit: 7 };
        let j = serde_json::to_string(&e).unwrap();
        assert!(j.contains("\"code\":\"too_many_cells\""), "{j}");
        assert_eq!(serde_json::from_str::<IngestError>(&j).unwrap(), e);
    }
}
