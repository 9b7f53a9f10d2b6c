//! Scores suppliers of one organisation with everything the engine needs (all suppliers for
//! network links, latest questionnaires, own watchlists, screening decisions) and stores the
//! new assessments.

use crate::domain::SupplierRecord;
use crate::error::Result;
use crate::scoring::{self, OrgContext};
use crate::store::{assessments, screening, suppliers, DbConn};
use chrono::NaiveDate;
use std::collections::BTreeSet;

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
    let suppliers = suppliers::all(conn, org_id)?.iter().map(|r| r.record()).collect::<Result<Vec<_>>>()?;
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
    let data = load_org(conn, org_id)?;
    let ctx = OrgContext {
        suppliers: &data.suppliers,
        watchlists: &data.watchlists,
        decisions: &data.decisions,
        questionnaires: &data.questionnaires,
        as_of,
    };
    let target_set: Option<BTreeSet<&str>> = targets.map(|t| t.iter().map(String::as_str).collect());
    let (results, _clusters) = match &target_set {
        None => scoring::assess_org(&ctx, &[]),
        Some(set) if set.is_empty() => return Ok(Vec::new()),
        Some(set) => {
            // Widen to network peers: a new link changes their evidence too.
            let clusters = scoring::detect_networks(&data.suppliers);
            let mut wanted: BTreeSet<&str> = set.clone();
            for c in &clusters {
                if c.suppliers.iter().any(|m| set.contains(m.id.as_str())) {
                    wanted.extend(c.suppliers.iter().map(|m| m.id.as_str()));
                }
            }
            let wanted: Vec<&str> = wanted.into_iter().collect();
            scoring::assess_org(&ctx, &wanted)
        }
    };
    let mut stored = Vec::with_capacity(results.len());
    let mut peers = Vec::new();
    for (sid, a) in results {
        let row = assessments::insert(conn, org_id, &sid, &a, upload_id, cause.as_str())?;
        let is_target = target_set.as_ref().is_none_or(|s| s.contains(sid.as_str()));
        if is_target {
            stored.push((sid, row.id));
        } else {
            peers.push((sid, row.id));
        }
    }
    stored.extend(peers);
    Ok(stored)
}
