//! Scores suppliers of one organisation with everything the engine needs (all suppliers for
//! network links, latest questionnaires, own watchlists, screening decisions) and stores the
//! new assessments.

use crate::domain::SupplierRecord;
use crate::error::{Error, Result};
use crate::scoring::{self, OrgContext};
use crate::store::{assessments, orgs, screening, suppliers, DbConn};
use chrono::NaiveDate;
use std::collections::HashSet;

/// What triggered an assessment (stored with it).
#[derive(Debug, Clone, Copy)]
pub enum Cause {
    Upload,
    Api,
    Response,
    Rescore,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::Upload => "upload",
            Cause::Api => "api",
            Cause::Response => "questionnaire_response",
            Cause::Rescore => "rescore",
        }
    }
}

/// Everything loaded for scoring an organisation.
pub struct OrgData {
    pub suppliers: Vec<SupplierRecord>,
    pub watchlists: Vec<scoring::Watchlist>,
    pub decisions: Vec<scoring::ScreeningDecision>,
    pub questionnaires: std::collections::HashMap<String, crate::domain::QuestionnaireEvidence>,
    /// The organisation's markets (empty: every market); law-dependent actions follow them.
    pub markets: Vec<String>,
}

pub fn load_org(conn: &mut DbConn, org_id: &str) -> Result<OrgData> {
    let mut suppliers = suppliers::all(conn, org_id)?.iter().map(|r| r.record()).collect::<Result<Vec<_>>>()?;
    suppliers::resolve_sources(conn, org_id, &mut suppliers)?;
    load_org_with(conn, org_id, suppliers)
}

/// [`load_org`] for a caller that already holds every supplier of the organisation (an upload).
pub fn load_org_with(conn: &mut DbConn, org_id: &str, suppliers: Vec<SupplierRecord>) -> Result<OrgData> {
    Ok(OrgData {
        suppliers,
        watchlists: screening::watchlists_for_scoring(conn, org_id)?,
        decisions: screening::decisions_for_scoring(conn, org_id)?,
        questionnaires: assessments::latest_responses(conn, org_id)?,
        markets: orgs::settings(conn, org_id)?.markets,
    })
}

/// Assesses `targets` (all suppliers when None) and also every supplier that shares a network
/// with a target, since a new link changes their evidence too. Stores one new assessment per
/// supplier; returns (supplier id, assessment id) for the targets first, then the peers.
pub fn assess_and_store(
    conn: &mut DbConn,
    org_id: &str,
    targets: Option<&[String]>,
    upload_id: Option<&str>,
    cause: Cause,
    as_of: NaiveDate,
) -> Result<Vec<(String, String)>> {
    if targets.is_some_and(|t| t.is_empty()) {
        return Ok(Vec::new());
    }
    let data = load_org(conn, org_id)?;
    let stored = store_assessments(conn, org_id, &data, targets, upload_id, cause, as_of)?;
    Ok(stored.into_iter().map(|(i, a)| (data.suppliers[i].id.clone(), a.to_string())).collect())
}

/// The scoring and storing half of [`assess_and_store`], on data already loaded. Scoring
/// threads assess the suppliers a batch at a time and serialize the assessments while this
/// thread, which holds the connection, stores the batches they hand over; memory holds a few
/// batches, not the organisation's assessments. Returns (the supplier's position in
/// `data.suppliers`, the new assessment's id), targets first, then network peers.
pub fn store_assessments(
    conn: &mut DbConn,
    org_id: &str,
    data: &OrgData,
    targets: Option<&[String]>,
    upload_id: Option<&str>,
    cause: Cause,
    as_of: NaiveDate,
) -> Result<Vec<(usize, uuid::Uuid)>> {
    let ctx = OrgContext {
        suppliers: &data.suppliers,
        watchlists: &data.watchlists,
        decisions: &data.decisions,
        questionnaires: &data.questionnaires,
        as_of,
        markets: &data.markets,
    };
    let target_set: Option<HashSet<&str>> = targets.map(|t| t.iter().map(String::as_str).collect());
    let run = scoring::OrgRun::new(&ctx, target_set.as_ref(), true);
    let batches = run.len().div_ceil(BATCH);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, MAX_THREADS).min(batches.max(1));
    // (supplier's position, assessment id, is a target) of each batch, by batch number: compact,
    // as an upload holds 100,000 of them while its suppliers are still in memory.
    let mut ids: Vec<Vec<(u32, uuid::Uuid, bool)>> = vec![Vec::new(); batches];
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| -> Result<()> {
        // Four batches in flight per scoring thread (a batch is about 150 KB): with one, the
        // scoring threads stalled on a full channel while this thread wrote, and the writes
        // waited on an empty one after (whole upload of 100k rows 3-4 % slower).
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Batch>>(threads * 4);
        // Each scoring thread takes the next batch when it is done with one: handed out in
        // turn, the thread that shared its core with this one more often finished last, alone,
        // with the other core idle (0.3 s at 100k suppliers).
        for _ in 0..threads {
            let (tx, run, next) = (tx.clone(), &run, &next);
            scope.spawn(move || {
                let mut writer = match assessments::BodyWriter::new() {
                    Ok(w) => w,
                    Err(e) => return drop(tx.send(Err(e))),
                };
                loop {
                    let b = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    if b >= batches {
                        return;
                    }
                    let made = assess_batch(run, &mut writer, b, org_id, upload_id, cause);
                    let stop = made.is_err();
                    if tx.send(made).is_err() || stop {
                        return;
                    }
                }
            });
        }
        drop(tx);
        // An early return drops `rx`: the scoring threads' next send fails and they stop.
        while let Ok(made) = rx.recv() {
            let batch = made?;
            assessments::insert_batch(conn, &batch.rows)?;
            let mut made = Vec::with_capacity(batch.rows.len());
            for (r, (i, t)) in batch.rows.iter().zip(batch.suppliers) {
                made.push((i, uuid::Uuid::parse_str(&r.id).map_err(Error::internal)?, t));
            }
            ids[batch.number] = made;
        }
        Ok(())
    })?;
    let (mut stored, mut peers) = (Vec::new(), Vec::new());
    for (supplier, assessment, is_target) in ids.into_iter().flatten() {
        if is_target {
            stored.push((supplier as usize, assessment));
        } else {
            peers.push((supplier as usize, assessment));
        }
    }
    stored.extend(peers);
    Ok(stored)
}

/// The assessments of one batch of suppliers, ready to insert, and for each its supplier's
/// position and whether it is a target.
struct Batch {
    number: usize,
    rows: Vec<assessments::AssessmentRow>,
    suppliers: Vec<(u32, bool)>,
}

fn assess_batch(
    run: &scoring::OrgRun,
    writer: &mut assessments::BodyWriter,
    number: usize,
    org_id: &str,
    upload_id: Option<&str>,
    cause: Cause,
) -> Result<Batch> {
    let range = number * BATCH..((number + 1) * BATCH).min(run.len());
    let mut out = Batch { number, rows: Vec::with_capacity(range.len()), suppliers: Vec::with_capacity(range.len()) };
    for i in range {
        if let Some((s, is_target, a)) = run.assess(i) {
            out.rows.push(assessments::new_row(writer, org_id, &s.id, &a, upload_id, cause.as_str())?);
            out.suppliers.push((i as u32, is_target));
        }
    }
    Ok(out)
}

/// Suppliers assessed per batch (an assessment is about 5 KB of JSON, stored compressed: a few
/// batches in flight stay small).
const BATCH: usize = 250;

/// Scoring threads of one run at most (the writes stay on the caller's thread).
const MAX_THREADS: usize = 4;
