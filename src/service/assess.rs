//! Scores suppliers of one organisation with everything the engine needs (all suppliers for
//! network links, latest questionnaires, own watchlists, screening decisions) and stores the
//! new assessments.

use crate::domain::SupplierRecord;
use crate::error::Result;
use crate::scoring::{self, OrgContext};
use crate::store::{assessments, screening, suppliers, DbConn};
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
}

pub fn load_org(conn: &mut DbConn, org_id: &str) -> Result<OrgData> {
    let mut suppliers = suppliers::all(conn, org_id)?.iter().map(|r| r.record()).collect::<Result<Vec<_>>>()?;
    suppliers::resolve_columns(conn, org_id, &mut suppliers)?;
    load_org_with(conn, org_id, suppliers)
}

/// [`load_org`] for a caller that already holds every supplier of the organisation (an upload).
pub fn load_org_with(conn: &mut DbConn, org_id: &str, suppliers: Vec<SupplierRecord>) -> Result<OrgData> {
    Ok(OrgData {
        suppliers,
        watchlists: screening::watchlists_for_scoring(conn, org_id)?,
        decisions: screening::decisions_for_scoring(conn, org_id)?,
        questionnaires: assessments::latest_responses(conn, org_id)?,
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
    store_assessments(conn, org_id, &data, targets, upload_id, cause, as_of)
}

/// The scoring and storing half of [`assess_and_store`], on data already loaded. Assessments
/// are stored in batches as they are made, so memory does not grow with the organisation.
pub fn store_assessments(
    conn: &mut DbConn,
    org_id: &str,
    data: &OrgData,
    targets: Option<&[String]>,
    upload_id: Option<&str>,
    cause: Cause,
    as_of: NaiveDate,
) -> Result<Vec<(String, String)>> {
    let ctx = OrgContext {
        suppliers: &data.suppliers,
        watchlists: &data.watchlists,
        decisions: &data.decisions,
        questionnaires: &data.questionnaires,
        as_of,
    };
    let target_set: Option<HashSet<&str>> = targets.map(|t| t.iter().map(String::as_str).collect());
    let mut stored = Vec::new();
    let mut peers = Vec::new();
    let mut batch: Vec<assessments::AssessmentRow> = Vec::with_capacity(BATCH);
    scoring::assess_each(&ctx, target_set.as_ref(), true, |s, is_target, a| {
        let row = assessments::new_row(org_id, &s.id, &a, upload_id, cause.as_str())?;
        let ids = (s.id.clone(), row.id.clone());
        if is_target {
            stored.push(ids);
        } else {
            peers.push(ids);
        }
        batch.push(row);
        if batch.len() == BATCH {
            assessments::insert_batch(conn, &batch)?;
            batch.clear();
        }
        Ok::<(), crate::error::Error>(())
    })?;
    assessments::insert_batch(conn, &batch)?;
    stored.extend(peers);
    Ok(stored)
}

/// Assessments stored per multi-row insert.
const BATCH: usize = 500;
