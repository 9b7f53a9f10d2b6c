//! Reading uploaded files: format sniffing, zip pre-checks, sandboxed calamine/csv reading, header mapping, value parsing.
//!
//! Flow used by the upload handler: [`sniff`] (optional, [`read_workbook`] sniffs too) →
//! [`read_workbook_sandboxed`] (or [`read_workbook`] in-process) → [`map_supplier_list`].
//! The value parsers ([`values`], [`parse_fields`]) are reused by other sources.

mod country;
mod csvread;
mod currency;
mod error;
mod excel;
mod fields;
mod headers;
mod mapping;
mod numfmt;
mod ods_percent;
mod row_codec;
mod sandbox;
mod sector;
mod sniff;
pub mod stream;
mod text;
pub mod values;
mod xls_percent;
mod xlsb_percent;
mod zipcheck;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod fuzz_regressions;
#[cfg(test)]
mod hostile_tests;

pub use country::parse_country;
pub use currency::{parse_currency, CurrencyError};
pub use error::IngestError;
pub use fields::{parse_fields, FieldValue, ParsedFields, RowError, CANONICAL_FIELDS};
pub use headers::match_header;
pub use mapping::{
    map_supplier_list, ColumnMapping, ListHead, ListMapper, ListRow, RowOutcome, RowSources, SkippedRow, SupplierList,
};
pub use sandbox::{read_workbook_sandboxed, worker_main, SandboxStream, LIMITS_ENV};
pub use sector::{match_sector, SectorMatch};
pub use sniff::sniff;
pub use stream::{Flow, RowSink};
pub use text::{bidi_marker, clean_text, mark_bidi, strip_bidi};
pub use values::{parse_date, parse_list, parse_money, parse_number, parse_percent, parse_sector, DateError};

use crate::domain::{FileFormat, Workbook};
use serde::{Deserialize, Serialize};

/// Caps that bound the work and memory of reading one file. All are checked before or while
/// reading, never after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Limits {
    /// Largest accepted file (413 above it).
    pub max_bytes: u64,
    /// Most entries in a zip container (xlsx/xlsm/xlsb/ods).
    pub max_zip_entries: u64,
    /// Sum of the declared uncompressed sizes of all zip entries.
    pub max_uncompressed_total: u64,
    /// Largest declared uncompressed size of one zip entry.
    pub max_entry_uncompressed: u64,
    /// Largest compression ratio (uncompressed / compressed) of an entry bigger than
    /// `ratio_check_min_bytes`.
    pub max_compression_ratio: u64,
    /// Entries smaller than this (uncompressed) are not ratio-checked.
    pub ratio_check_min_bytes: u64,
    /// Largest `uniqueCount`/`count` accepted in `xl/sharedStrings.xml` (and the xlsb
    /// `sharedStrings.bin` cstUnique/cstTotal).
    pub max_shared_strings: u64,
    /// Most non-blank rows in one sheet.
    pub max_rows: u64,
    /// Most columns (a non-empty cell beyond this column refuses the file).
    pub max_cols: u64,
    /// Most non-empty cells in the whole file.
    pub max_cells: u64,
    /// Address-space limit of the sandboxed worker process (RLIMIT_AS), bytes.
    pub worker_memory_bytes: u64,
    /// Wall-clock limit of the sandboxed worker process, seconds.
    pub worker_timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 50 * 1024 * 1024,
            max_zip_entries: 10_000,
            max_uncompressed_total: 500_000_000,
            max_entry_uncompressed: 400_000_000,
            max_compression_ratio: 100,
            ratio_check_min_bytes: 1_000_000,
            max_shared_strings: 5_000_000,
            max_rows: 200_000,
            max_cols: 200,
            max_cells: 10_000_000,
            worker_memory_bytes: 2 * 1024 * 1024 * 1024,
            worker_timeout_secs: 60,
        }
    }
}

/// Reads a whole file in-process: size cap, [`sniff`], zip pre-checks, then the format's reader.
/// Calamine calls run under `catch_unwind`; an allocation abort would still end the process,
/// so the server should prefer [`read_workbook_sandboxed`].
pub fn read_workbook(bytes: &[u8], limits: &Limits) -> Result<Workbook, IngestError> {
    let mut c = stream::Collect::default();
    let format = stream_workbook(bytes, limits, &mut c)?;
    Ok(c.into_workbook(format))
}

/// [`read_workbook`] pushing each row to `sink` as it is read, so the file is never held whole.
pub fn stream_workbook(bytes: &[u8], limits: &Limits, sink: &mut dyn RowSink) -> Result<FileFormat, IngestError> {
    if bytes.len() as u64 > limits.max_bytes {
        return Err(IngestError::FileTooLarge { size: bytes.len() as u64, limit: limits.max_bytes });
    }
    let format = sniff(bytes)?;
    match format {
        FileFormat::Csv => csvread::read_csv(bytes, limits, sink)?,
        FileFormat::Xls => excel::read_xls(bytes, limits, sink)?,
        FileFormat::Xlsx | FileFormat::Xlsm | FileFormat::Xlsb | FileFormat::Ods => {
            zipcheck::precheck_zip(bytes, limits)?;
            match format {
                FileFormat::Ods => excel::read_ods(bytes, limits, sink)?,
                FileFormat::Xlsb => excel::read_xlsb(bytes, limits, sink)?,
                _ => excel::read_xlsx(bytes, limits, sink)?,
            }
        }
    }
    Ok(format)
}
