//! Builds the compliance workbook's input from the store: the caller's organisation only, the
//! request's filters, latest assessments loaded in chunks and compacted to what the workbook shows.

use crate::domain::{Sector, Tier};
use crate::error::Result;
use crate::report::{ReportInput, ReportSupplier, SourceFile};
use crate::store::schema::{assessments as assessments_t, upload_rows};
use crate::store::{assessments, keys, orgs, suppliers, uploads, DbConn};
use crate::{questionnaire, scoring};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Assessments are read and compacted this many at a time, so the JSON bodies of all
/// suppliers are never in memory together.
const CHUNK: usize = 500;

/// The workbook's filters, already validated.
#[derive(Debug, Clone, Default)]
pub struct Scope {
    pub upload_id: Option<String>,
    pub supplier_id: Option<String>,
    pub sector: Option<Sector>,
    pub tier: Option<Tier>,
    pub country: Option<String>,
}

impl Scope {
    /// The filters as (name, value), for the audit log.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        if let Some(u) = &self.upload_id {
            v.push(("upload_id", u.clone()));
        }
        if let Some(s) = &self.supplier_id {
            v.push(("supplier_id", s.clone()));
        }
        if let Some(s) = self.sector {
            v.push(("sector", s.to_string()));
        }
        if let Some(t) = self.tier {
            v.push(("tier", t.to_string()));
        }
        if let Some(c) = &self.country {
            v.push(("country", c.clone()));
        }
        v
    }
}

/// Who asked, for the Summary sheet.
pub struct Requester<'a> {
    pub org_id: &'a str,
    pub name: &'a str,
    pub role: &'a str,
}

/// The suppliers an upload touched: rows it stored, and assessments it caused.
fn upload_suppliers(conn: &mut DbConn, org_id: &str, upload_id: &str) -> Result<HashSet<String>> {
    let mut ids: HashSet<String> = upload_rows::table
        .filter(upload_rows::upload_id.eq(upload_id))
        .filter(upload_rows::supplier_id.is_not_null())
        .select(upload_rows::supplier_id.assume_not_null())
        .load::<String>(conn)?
        .into_iter()
        .collect();
    ids.extend(
        assessments_t::table
            .filter(assessments_t::org_id.eq(org_id))
            .filter(assessments_t::upload_id.eq(upload_id))
            .select(assessments_t::supplier_id)
            .load::<String>(conn)?,
    );
    Ok(ids)
}

/// Everything the workbook shows for `scope`. An `upload_id` or `supplier_id` of another
/// organisation is "not found".
pub fn build_input(conn: &mut DbConn, who: &Requester, scope: &Scope, now: DateTime<Utc>) -> Result<ReportInput> {
    let org_id = who.org_id;
    let mut scope_text: Vec<(String, String)> = Vec::new();
    let upload = match &scope.upload_id {
        Some(id) => {
            let meta = uploads::meta(conn, org_id, id)?;
            scope_text.push(("Upload".into(), format!("{} ({})", meta.filename, meta.id)));
            Some((meta.id.clone(), upload_suppliers(conn, org_id, &meta.id)?))
        }
        None => None,
    };
    if let Some(id) = &scope.supplier_id {
        let s = suppliers::get(conn, org_id, id)?;
        scope_text.push(("Supplier".into(), format!("{} ({})", s.legal_name, s.id)));
    }
    if let Some(s) = scope.sector {
        scope_text.push(("Sector".into(), s.to_string()));
    }
    if let Some(t) = scope.tier {
        scope_text.push(("Tier".into(), t.to_string()));
    }
    if let Some(c) = &scope.country {
        scope_text.push(("Country".into(), c.clone()));
    }

    // All suppliers of the organisation (networks are detected over all of them), one row at a
    // time turned into a record; only the in-scope ones are kept beyond network detection.
    let tier = scope.tier.map(|t| t.to_string());
    let sector = scope.sector.map(|s| s.to_string());
    let mut records = Vec::new();
    let mut in_scope = Vec::new();
    let mut latest = suppliers::latest_all(conn, org_id)?;
    for row in suppliers::all(conn, org_id)? {
        let latest = latest.remove(&row.id);
        let keep = upload.as_ref().is_none_or(|(_, ids)| ids.contains(&row.id))
            && scope.supplier_id.as_ref().is_none_or(|id| *id == row.id)
            && sector.as_ref().is_none_or(|s| *s == row.sector)
            && scope.country.as_ref().is_none_or(|c| *c == row.country)
            && tier.as_ref().is_none_or(|t| latest.as_ref().map(|l| &l.tier) == Some(t));
        records.push(row.record()?);
        if keep {
            if let Some(aid) = latest.map(|l| l.assessment_id) {
                in_scope.push((row.id, row.external_ref, row.legal_name, row.country, row.sector, row.commodity, aid));
            }
        }
    }
    suppliers::resolve_sources(conn, org_id, &mut records)?;
    let ids: HashSet<&str> = in_scope.iter().map(|s| s.0.as_str()).collect();
    let networks = scoring::detect_networks(&records)
        .into_iter()
        .filter(|c| c.suppliers.iter().any(|m| ids.contains(m.id.as_str())))
        .collect();
    drop(ids);
    drop(records);

    // Latest assessments, a chunk at a time, compacted as they arrive.
    let mut out = Vec::with_capacity(in_scope.len());
    for chunk in in_scope.chunks(CHUNK) {
        let aids: Vec<String> = chunk.iter().map(|s| s.6.clone()).collect();
        let mut rows: HashMap<String, assessments::AssessmentRow> =
            assessments::many(conn, org_id, &aids)?.into_iter().map(|r| (r.id.clone(), r)).collect();
        for (id, ext, name, country, sector, commodity, aid) in chunk {
            let Some(row) = rows.remove(aid) else { continue };
            let mut s = ReportSupplier {
                id: id.clone(),
                external_ref: ext.clone(),
                legal_name: name.clone(),
                country: country.clone(),
                sector: sector.clone(),
                commodity: commodity.clone(),
                assessment_id: row.id.clone(),
                assessed_at: row.created_at.and_utc(),
                assessment: row.body()?,
                evidence_text: Vec::new(),
            };
            s.compact();
            out.push(s);
        }
    }

    // Questionnaire versions whose answers the in-scope assessments used; the catalogue when none.
    let wanted: HashSet<&str> = out.iter().map(|s| s.id.as_str()).collect();
    let mut used: BTreeSet<(String, String)> = assessments::latest_responses(conn, org_id)?
        .into_iter()
        .filter(|(sid, _)| wanted.contains(sid.as_str()))
        .map(|(_, e)| (e.questionnaire_id, e.version))
        .collect();
    if used.is_empty() {
        if let Ok(cat) = questionnaire::catalogue() {
            used.extend(cat.all_versions().iter().map(|q| (q.id.clone(), q.version.clone())));
        }
    }

    // Source files with the uploader key's name.
    let key_names: HashMap<String, String> =
        keys::list_keys(conn, org_id)?.into_iter().map(|k| (k.id, k.name)).collect();
    let sources = uploads::sources(conn, org_id)?
        .into_iter()
        .filter(|(id, ..)| upload.as_ref().is_none_or(|(uid, _)| uid == id))
        .map(|(_, name, sha256, at, by)| SourceFile {
            name,
            sha256,
            uploaded_at: at.and_utc(),
            uploaded_by: key_names.get(&by).cloned().unwrap_or(by),
        })
        .collect();

    Ok(ReportInput {
        scope: scope_text,
        generated_at: now,
        generated_by: format!("{} ({})", who.name, who.role),
        methodology_version: scoring::METHODOLOGY_VERSION.to_string(),
        questionnaire_versions: used.into_iter().collect(),
        reference_files: crate::report::reference_files(),
        markets: orgs::settings(conn, org_id)?.markets,
        suppliers: out,
        networks,
        sources,
    })
}

/// `manumit-compliance-YYYY-MM-DD.xlsx`
pub fn file_name(now: DateTime<Utc>) -> String {
    format!("manumit-compliance-{}.xlsx", now.format("%Y-%m-%d"))
}
