//! Supplier-list uploads: rows read and made ready on one thread, matched and written a chunk at
//! a time on the connection's thread, then every supplier scored (see `store_supplier_stream`).

use super::{audit_upload, ingest_problem, FileReport, Incoming, Outcome};
use crate::domain::FieldSource;
use crate::error::{Error, Result};
use crate::ingest::{self, RowOutcome, RowSink, SupplierList};
use crate::service::assess::{self, Cause};
use crate::store::{self, suppliers, uploads, DbConn};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

/// Stores a supplier-list upload and scores every accepted supplier. Call inside `write_tx`.
/// Takes the list, so its rows are freed once stored, before scoring needs the memory.
pub fn store_supplier_list(conn: &mut DbConn, inc: &Incoming, list: SupplierList) -> Result<Outcome> {
    let SupplierList { sheet, header_row, columns, rows, skipped } = list;
    let head = ingest::ListHead { sheet, header_row, columns, skipped, rows: rows.len() };
    store::with_bulk_cache(conn, |c| {
        let Some(mut w) = ListWriter::start(c, inc)? else {
            return Ok(Outcome::Duplicate);
        };
        let sources = ingest::RowSources::new(&head.columns, &w.upload_id, &inc.filename);
        w.reserve(rows.len() as u64);
        for r in rows {
            w.add(c, ReadyRow::new(&sources, inc.org_id, r)?)?;
        }
        w.finish(c, inc, head, true)
    })
}

/// Reads, maps and stores a supplier list as its rows arrive from `source` (a reader feeding a
/// [`RowSink`]), then scores every supplier; `score: false` stores without scoring
/// (benchmarks). Call inside `write_tx`: a file refused part-way rolls back with the rest.
///
/// Two threads share the work: a reading thread runs `source` and maps each row and makes its
/// stored JSON ([`ReadyRow`]); this thread, which holds the connection, matches and writes. They
/// hand rows over in batches through a bounded channel, so memory holds a few batches.
pub fn store_supplier_stream(
    conn: &mut DbConn,
    inc: &Incoming,
    source: impl FnOnce(&mut dyn RowSink) -> std::result::Result<(), ingest::IngestError> + Send,
    score: bool,
) -> Result<Outcome> {
    store::with_bulk_cache(conn, |c| {
        let Some(mut w) = ListWriter::start(c, inc)? else {
            return Ok(Outcome::Duplicate);
        };
        let upload_id = w.upload_id.clone();
        let (tx, rx) = std::sync::mpsc::sync_channel::<Vec<ReadyRow>>(HANDOVER_BATCHES);
        let hint = AtomicU64::new(0);
        let (written, read) = std::thread::scope(|scope| {
            let reader = scope.spawn(|| read_rows(inc, &upload_id, source, tx, &hint));
            let mut written = Ok(());
            let mut first = true;
            'rows: while let Ok(batch) = rx.recv() {
                if std::mem::take(&mut first) {
                    // Sent before the sheet's first row, so before this batch.
                    w.reserve(hint.load(Ordering::Relaxed));
                }
                for r in batch {
                    written = w.add(c, r);
                    if written.is_err() {
                        break 'rows;
                    }
                }
            }
            // Unblocks the reading thread when this one stopped early: its next send fails.
            drop(rx);
            (written, reader.join())
        });
        written?;
        let (read, head) = read.map_err(|_| Error::internal("the reading thread of an upload panicked"))?;
        read?;
        w.finish(c, inc, head.map_err(ingest_problem)?, score)
    })
}

/// The reading thread of [`store_supplier_stream`]: maps the rows `source` reads, makes them
/// ready, and sends them in batches; stops when the writer has gone. Returns how the read
/// ended (a refused file, or a row that could not be made ready) and the list's header.
fn read_rows(
    inc: &Incoming,
    upload_id: &str,
    source: impl FnOnce(&mut dyn RowSink) -> std::result::Result<(), ingest::IngestError>,
    tx: std::sync::mpsc::SyncSender<Vec<ReadyRow>>,
    hint: &AtomicU64,
) -> (Result<()>, std::result::Result<ingest::ListHead, ingest::IngestError>) {
    let mut sources: Option<ingest::RowSources> = None;
    let mut batch = Vec::with_capacity(HANDOVER_ROWS);
    let mut failed: Option<Error> = None;
    let mut mapper = ingest::ListMapper::new(inc.mapping.as_ref(), inc.today, |cols, r| {
        let sources = sources.get_or_insert_with(|| ingest::RowSources::new(cols, upload_id, &inc.filename));
        match ReadyRow::new(sources, inc.org_id, r) {
            Ok(r) => batch.push(r),
            Err(e) => {
                failed = Some(e);
                return false;
            }
        }
        batch.len() < HANDOVER_ROWS || tx.send(std::mem::replace(&mut batch, Vec::with_capacity(HANDOVER_ROWS))).is_ok()
    });
    let read = source(&mut Hinted { sink: &mut mapper, hint });
    let head = mapper.finish();
    if failed.is_none() && !batch.is_empty() {
        // A failed send means the writer stopped; it reports why.
        let _ = tx.send(batch);
    }
    let read = match failed {
        Some(e) => Err(e),
        None => read.map_err(ingest_problem),
    };
    (read, head)
}

/// A sink that notes the rows hint of the sheet being read (see [`RowSink::rows_hint`]) where
/// the writing thread reads it.
struct Hinted<'a> {
    sink: &'a mut dyn RowSink,
    hint: &'a AtomicU64,
}

impl RowSink for Hinted<'_> {
    fn sheets(&mut self, sheets: &[(String, bool)]) -> std::result::Result<ingest::Flow, ingest::IngestError> {
        self.sink.sheets(sheets)
    }
    fn begin_sheet(&mut self, name: &str, hidden: bool) -> std::result::Result<ingest::Flow, ingest::IngestError> {
        self.sink.begin_sheet(name, hidden)
    }
    fn rows_hint(&mut self, rows: u64) {
        self.hint.store(rows, Ordering::Relaxed);
        self.sink.rows_hint(rows);
    }
    fn row(&mut self, row: crate::domain::SheetRow) -> std::result::Result<ingest::Flow, ingest::IngestError> {
        self.sink.row(row)
    }
    fn end_sheet(&mut self) -> std::result::Result<ingest::Flow, ingest::IngestError> {
        self.sink.end_sheet()
    }
}

/// Rows per hand-over from the reading thread to the writing one, and hand-overs in flight.
const HANDOVER_ROWS: usize = 250;
const HANDOVER_BATCHES: usize = 8;

/// A mapped row with everything made that needs no database: its raw cells, errors and
/// warnings as stored, and for an accepted row its source and the supplier row it would make.
struct ReadyRow {
    row: u32,
    raw_json: String,
    outcome: Ready,
}

// Not boxed: nearly every row is accepted, so a box would only add an allocation per row.
#[allow(clippy::large_enum_variant)]
enum Ready {
    Accepted {
        fields: crate::domain::SupplierFields,
        extra: BTreeMap<String, String>,
        source: FieldSource,
        /// The supplier row the fields make, should they be a new supplier.
        row: suppliers::SupplierRow,
        warnings: Vec<ingest::RowError>,
        warnings_json: String,
    },
    Rejected {
        errors: Vec<ingest::RowError>,
        errors_json: String,
    },
}

impl ReadyRow {
    fn new(sources: &ingest::RowSources, org_id: &str, r: ingest::ListRow) -> Result<ReadyRow> {
        let raw_json = crate::json::to_string(&r.raw)?;
        let outcome = match r.outcome {
            RowOutcome::Accepted { fields, extra, warnings } => {
                let source = sources.source(r.row, &r.raw);
                Ready::Accepted {
                    row: suppliers::new_row(org_id, &fields, &extra, &source)?,
                    fields,
                    extra,
                    source,
                    warnings_json: crate::json::to_string(&warnings)?,
                    warnings,
                }
            }
            RowOutcome::Rejected { errors } => {
                Ready::Rejected { errors_json: crate::json::to_string(&errors)?, errors }
            }
        };
        Ok(ReadyRow { row: r.row, raw_json, outcome })
    }
}

/// The writes of one supplier-list upload, a chunk of rows at a time: the suppliers matched and
/// staged in memory, then written with the chunk's rows, so memory holds one chunk of rows.
struct ListWriter {
    upload_id: String,
    created_at: chrono::NaiveDateTime,
    index: suppliers::Index,
    chunk: Vec<ReadyRow>,
    accepted: usize,
    rejected: usize,
    created: usize,
    updated: usize,
    errors: Vec<ingest::RowError>,
    warnings: Vec<ingest::RowError>,
    touched: Vec<String>,
    org_id: String,
}

impl ListWriter {
    /// Inserts the upload row; None when a concurrent request stored the same bytes first.
    fn start(conn: &mut DbConn, inc: &Incoming) -> Result<Option<ListWriter>> {
        let upload_id = store::new_id();
        let created_at = store::now();
        let row = inc.upload_row(&upload_id, created_at, None, 0, 0, 0);
        if !uploads::insert_new(conn, &row, &inc.bytes)? {
            return Ok(None);
        }
        drop(row);
        Ok(Some(ListWriter {
            upload_id,
            created_at,
            index: suppliers::Index::load(conn, inc.org_id)?,
            chunk: Vec::with_capacity(ROW_BATCH),
            accepted: 0,
            rejected: 0,
            created: 0,
            updated: 0,
            errors: Vec::new(),
            warnings: Vec::new(),
            touched: Vec::new(),
            org_id: inc.org_id.to_string(),
        }))
    }

    /// Makes room for the suppliers of about `rows` rows (a hint: at most [`MAX_RESERVE`]), so
    /// that the index does not grow, copying itself, as they arrive.
    fn reserve(&mut self, rows: u64) {
        let rows = rows.min(MAX_RESERVE) as usize;
        self.index.reserve(rows);
        self.touched.reserve(rows);
    }

    fn add(&mut self, conn: &mut DbConn, r: ReadyRow) -> Result<()> {
        self.chunk.push(r);
        if self.chunk.len() == ROW_BATCH {
            self.write_chunk(conn)?;
        }
        Ok(())
    }

    /// Stages the chunk's suppliers, writes them, then the chunk's rows as they came in.
    fn write_chunk(&mut self, conn: &mut DbConn) -> Result<()> {
        let chunk = std::mem::take(&mut self.chunk);
        let mut records = Vec::with_capacity(chunk.len());
        for r in chunk {
            let (status, errors_json, supplier_id) = match r.outcome {
                Ready::Accepted { fields, extra, source, row, warnings, warnings_json } => {
                    let staged = self.index.stage(&self.org_id, fields, extra, source, Some(row))?;
                    if staged.created {
                        self.created += 1;
                    } else {
                        self.updated += 1;
                    }
                    self.accepted += 1;
                    self.touched.push(staged.id.clone());
                    self.warnings.extend(warnings);
                    ("accepted", warnings_json, Some(staged.id))
                }
                Ready::Rejected { errors, errors_json } => {
                    self.rejected += 1;
                    self.errors.extend(errors);
                    ("rejected", errors_json, None)
                }
            };
            records.push(uploads::UploadRowRecord {
                upload_id: self.upload_id.clone(),
                row_number: r.row as i32,
                status: status.into(),
                raw_json: r.raw_json,
                errors_json,
                supplier_id,
            });
        }
        // The suppliers first: the rows name them.
        self.index.flush(conn)?;
        uploads::insert_rows(conn, &records)
    }

    /// Writes the last chunk, scores, and stores the report.
    fn finish(mut self, conn: &mut DbConn, inc: &Incoming, head: ingest::ListHead, score: bool) -> Result<Outcome> {
        self.write_chunk(conn)?;
        let rows_total = self.accepted + self.rejected;
        let mut touched = std::mem::take(&mut self.touched);
        touched.sort();
        touched.dedup();
        let ListWriter { upload_id, created_at, index, accepted, rejected, created, updated, errors, warnings, .. } =
            self;
        let assessed: Vec<uuid::Uuid> = if score {
            // The index already holds every supplier of the organisation: no second load.
            let mut records = index.into_records()?;
            suppliers::resolve_sources(conn, inc.org_id, &mut records)?;
            let data = assess::load_org_with(conn, inc.org_id, records)?;
            let stored = assess::store_assessments(
                conn,
                inc.org_id,
                &data,
                Some(&touched),
                Some(&upload_id),
                Cause::Upload,
                inc.today,
            )?;
            // The records are freed while the report is made and the transaction commits; the
            // report needs the assessment ids only.
            crate::memory::free_elsewhere(data);
            stored.into_iter().map(|(_, a)| a).collect()
        } else {
            crate::memory::free_elsewhere(index);
            Vec::new()
        };
        let report = ListReport {
            file: FileReport::new(inc, &upload_id, created_at, &head.sheet),
            header_row: head.header_row,
            rows_total,
            rows_accepted: accepted,
            rows_rejected: rejected,
            rows_skipped: head.skipped.iter().map(|s| Skipped { row: s.row, reason: &s.reason }).collect(),
            columns: &head.columns,
            errors: &errors,
            warnings: &warnings,
            suppliers_created: created,
            suppliers_updated: updated,
            assessment_ids: &assessed,
            supplier_ids: &touched,
        };
        let report = serde_json::to_string(&report).map_err(Error::internal)?;
        uploads::set_outcome(conn, &upload_id, &head.sheet, [rows_total, accepted, rejected], &report)?;
        audit_upload(conn, inc, &upload_id, accepted, rejected)?;
        Ok(Outcome::Created(report))
    }
}

/// The report of a supplier-list upload, serialized straight to its text: its id lists have an
/// entry per supplier (200,000 strings at 100,000 rows), which a tree of JSON values would
/// allocate again while the commit waits.
#[derive(Serialize)]
struct ListReport<'a> {
    #[serde(flatten)]
    file: FileReport<'a>,
    header_row: u32,
    rows_total: usize,
    rows_accepted: usize,
    rows_rejected: usize,
    rows_skipped: Vec<Skipped<'a>>,
    columns: &'a [ingest::ColumnMapping],
    errors: &'a [ingest::RowError],
    warnings: &'a [ingest::RowError],
    suppliers_created: usize,
    suppliers_updated: usize,
    assessment_ids: &'a [uuid::Uuid],
    supplier_ids: &'a [String],
}

/// A skipped row as the report shows it (its cells are in the stored rows, not the report).
#[derive(Serialize)]
struct Skipped<'a> {
    row: u32,
    reason: &'a str,
}

/// Most rows [`ListWriter::reserve`] makes room for (the default row limit of an upload).
const MAX_RESERVE: u64 = 200_000;

/// Upload rows stored per batch (each batch is split again by `uploads::insert_rows`). Smaller
/// than the rows in flight (`HANDOVER_ROWS * HANDOVER_BATCHES`), so that the reading thread
/// keeps working while this one writes a batch.
const ROW_BATCH: usize = 500;
