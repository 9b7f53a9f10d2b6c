//! Assessments (immutable, append-only) and their findings; questionnaire responses.

use super::assessment_body;
pub use super::assessment_body::BodyWriter;
use super::schema::{assessments, questionnaire_responses};
use super::suppliers::Latest;
use super::{new_id, now, DbConn};
use crate::domain::{Assessment, QuestionnaireEvidence};
use crate::error::{Error, Result};
use chrono::NaiveDateTime;
use diesel::prelude::*;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = assessments)]
#[diesel(treat_none_as_default_value = false)]
pub struct AssessmentRow {
    pub id: String,
    pub org_id: String,
    pub supplier_id: String,
    pub methodology_version: String,
    pub tier: String,
    pub overall: f64,
    pub forced_labour_likely: bool,
    pub completeness: f64,
    pub inputs_hash: String,
    pub upload_id: Option<String>,
    pub cause: String,
    /// The body of a row written before bodies were compressed; empty since.
    pub body_json: String,
    pub created_at: NaiveDateTime,
    /// The body as `assessment_body` stores it.
    pub body_zstd: Option<Vec<u8>>,
}

impl AssessmentRow {
    pub fn body(&self) -> Result<Assessment> {
        let read = match &self.body_zstd {
            Some(stored) => assessment_body::decode(stored),
            None => serde_json::from_str(&self.body_json).map_err(Error::internal),
        };
        read.map_err(|e| Error::internal(format!("assessment {}: {e}", self.id)))
    }
}

/// A new assessment row, ready for [`insert_batch`]; `writer` compresses its body.
pub fn new_row(
    writer: &mut BodyWriter,
    org_id: &str,
    supplier_id: &str,
    a: &Assessment,
    upload_id: Option<&str>,
    cause: &str,
) -> Result<AssessmentRow> {
    Ok(AssessmentRow {
        id: new_id(),
        org_id: org_id.to_string(),
        supplier_id: supplier_id.to_string(),
        methodology_version: a.methodology_version.clone(),
        tier: a.tier.to_string(),
        overall: a.overall,
        forced_labour_likely: a.forced_labour_likely,
        completeness: a.completeness,
        inputs_hash: a.inputs_hash.clone(),
        upload_id: upload_id.map(str::to_string),
        cause: cause.to_string(),
        // The whole assessment (findings with their evidence) is one immutable document: the
        // risk route answers from it with one indexed read.
        body_json: String::new(),
        body_zstd: Some(writer.encode(a)?),
        created_at: now(),
    })
}

/// Stores a new assessment and makes it the supplier's latest.
pub fn insert(
    conn: &mut DbConn,
    org_id: &str,
    supplier_id: &str,
    a: &Assessment,
    upload_id: Option<&str>,
    cause: &str,
) -> Result<AssessmentRow> {
    let row = new_row(&mut BodyWriter::new()?, org_id, supplier_id, a, upload_id, cause)?;
    insert_batch(conn, std::slice::from_ref(&row))?;
    Ok(row)
}

/// Stores assessments (at most one per supplier) and makes each its supplier's latest (a row of
/// the narrow `supplier_latest`, replaced or upserted, not an UPDATE of the supplier's wide row).
pub fn insert_batch(conn: &mut DbConn, rows: &[AssessmentRow]) -> Result<()> {
    use super::schema::supplier_latest::dsl as l;
    use diesel::upsert::excluded;
    let latest = |r: &AssessmentRow| Latest {
        supplier_id: r.supplier_id.clone(),
        org_id: r.org_id.clone(),
        assessment_id: r.id.clone(),
        tier: r.tier.clone(),
        overall: r.overall,
    };
    // 14 columns a row: 500 rows stay far below both backends' bind-parameter limits.
    for chunk in rows.chunks(500) {
        match conn {
            // Prepared statements run per row, without diesel (see `raw_sqlite`): a multi-row
            // statement needs a statement journal (see `store::with_bulk_cache`).
            DbConn::Sqlite(c) => super::raw_sqlite::insert_assessments(c, chunk)?,
            DbConn::Pg(c) => {
                diesel::insert_into(assessments::table).values(chunk).execute(c)?;
                diesel::insert_into(l::supplier_latest)
                    .values(chunk.iter().map(latest).collect::<Vec<_>>())
                    .on_conflict(l::supplier_id)
                    .do_update()
                    .set((
                        l::assessment_id.eq(excluded(l::assessment_id)),
                        l::tier.eq(excluded(l::tier)),
                        l::overall.eq(excluded(l::overall)),
                    ))
                    .execute(c)?;
            }
        }
    }
    Ok(())
}

pub fn get(conn: &mut DbConn, org_id: &str, id: &str) -> Result<AssessmentRow> {
    assessments::table
        .filter(assessments::id.eq(id))
        .filter(assessments::org_id.eq(org_id))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?
        .ok_or(Error::NotFound("assessment"))
}

pub fn many(conn: &mut DbConn, org_id: &str, ids: &[String]) -> Result<Vec<AssessmentRow>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        out.extend(
            assessments::table
                .filter(assessments::org_id.eq(org_id))
                .filter(assessments::id.eq_any(chunk))
                .select(AssessmentRow::as_select())
                .load(conn)?,
        );
    }
    Ok(out)
}

/// The supplier's latest assessment (None for a supplier of another organisation, or none yet).
pub fn latest_for_supplier(conn: &mut DbConn, org_id: &str, supplier_id: &str) -> Result<Option<AssessmentRow>> {
    Ok(assessments::table
        .filter(assessments::org_id.eq(org_id))
        .filter(assessments::supplier_id.eq(supplier_id))
        .order((assessments::created_at.desc(), assessments::id.desc()))
        .select(AssessmentRow::as_select())
        .first(conn)
        .optional()?)
}

/// The supplier's assessments, newest first.
pub fn history(conn: &mut DbConn, org_id: &str, supplier_id: &str) -> Result<Vec<AssessmentRow>> {
    Ok(assessments::table
        .filter(assessments::org_id.eq(org_id))
        .filter(assessments::supplier_id.eq(supplier_id))
        .order((assessments::created_at.desc(), assessments::id.desc()))
        .select(AssessmentRow::as_select())
        .load(conn)?)
}

pub fn ids_for_upload(conn: &mut DbConn, org_id: &str, upload_id: &str) -> Result<Vec<String>> {
    Ok(assessments::table
        .filter(assessments::org_id.eq(org_id))
        .filter(assessments::upload_id.eq(upload_id))
        .order(assessments::id.asc())
        .select(assessments::id)
        .load(conn)?)
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = questionnaire_responses)]
pub struct ResponseRow {
    pub id: String,
    pub org_id: String,
    pub supplier_id: String,
    pub questionnaire_id: String,
    pub version: String,
    pub upload_id: Option<String>,
    pub answers_json: String,
    pub evidence_json: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
}

pub fn insert_response(conn: &mut DbConn, row: &ResponseRow) -> Result<()> {
    diesel::insert_into(questionnaire_responses::table).values(row).execute(conn)?;
    Ok(())
}

pub fn new_response_id() -> String {
    new_id()
}

/// The latest evaluated questionnaire of each supplier of the organisation.
pub fn latest_responses(
    conn: &mut DbConn,
    org_id: &str,
) -> Result<std::collections::HashMap<String, QuestionnaireEvidence>> {
    let rows: Vec<(String, String)> = questionnaire_responses::table
        .filter(questionnaire_responses::org_id.eq(org_id))
        .order((questionnaire_responses::created_at.asc(), questionnaire_responses::id.asc()))
        .select((questionnaire_responses::supplier_id, questionnaire_responses::evidence_json))
        .load(conn)?;
    let mut out = std::collections::HashMap::new();
    for (sid, ev) in rows {
        if let Ok(e) = serde_json::from_str::<QuestionnaireEvidence>(&ev) {
            out.insert(sid, e);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(a: &Assessment) -> AssessmentRow {
        new_row(&mut BodyWriter::new().unwrap(), "org", "sup", a, None, "api").unwrap()
    }

    #[test]
    fn new_rows_store_the_body_compressed_and_read_it_back() {
        let a: Assessment = super::assessment_body::tests_sample();
        let r = row(&a);
        assert!(r.body_json.is_empty());
        assert!(r.body_zstd.as_ref().is_some_and(|z| z.len() * 4 < serde_json::to_string(&a).unwrap().len()));
        assert_eq!(r.body().unwrap(), a);
    }

    /// A second assessment of a supplier replaces its latest row (SQLite updates the row it
    /// inserted, PostgreSQL upserts): one row, naming the newer assessment.
    #[test]
    fn the_newest_assessment_becomes_the_suppliers_latest() {
        use crate::store::{schema::supplier_latest, suppliers, Store};
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&format!("sqlite://{}", dir.path().join("t.db").display()), 2).unwrap();
        crate::app::bootstrap(&store).unwrap();
        let mut c = store.conn().unwrap();
        let org: String = crate::store::schema::organisations::table
            .select(crate::store::schema::organisations::id)
            .first(&mut *c)
            .unwrap();
        let f = crate::domain::SupplierFields {
            legal_name: "Acme".into(),
            country: crate::domain::CountryCode::new("TH"),
            ..Default::default()
        };
        let sup = suppliers::upsert(&mut c, &org, &f, &Default::default(), &Default::default()).unwrap().row.id;
        let mut a: Assessment = super::assessment_body::tests_sample();
        let first = insert(&mut c, &org, &sup, &a, None, "api").unwrap();
        a.tier = crate::domain::Tier::Low;
        a.overall /= 2.0;
        let second = insert(&mut c, &org, &sup, &a, None, "api").unwrap();
        assert_ne!(first.id, second.id);
        let rows: Vec<(String, String, String, String, f64)> = supplier_latest::table
            .select((
                supplier_latest::supplier_id,
                supplier_latest::org_id,
                supplier_latest::assessment_id,
                supplier_latest::tier,
                supplier_latest::overall,
            ))
            .load(&mut *c)
            .unwrap();
        assert_eq!(rows, [(sup.clone(), org.clone(), second.id.clone(), second.tier.clone(), second.overall)]);
        assert_ne!((&first.tier, first.overall), (&second.tier, second.overall), "tier and score were replaced too");
        let latest = suppliers::latest(&mut c, &org, &sup).unwrap().unwrap();
        assert_eq!(latest.assessment_id, second.id);
    }

    #[test]
    fn rows_written_before_compression_still_read() {
        let a: Assessment = super::assessment_body::tests_sample();
        let mut r = row(&a);
        r.body_zstd = None;
        r.body_json = serde_json::to_string(&a).unwrap();
        assert_eq!(r.body().unwrap(), a);
        // A damaged stored body names the assessment.
        r.body_zstd = Some(vec![1, 2, 3]);
        match r.body() {
            Err(Error::Internal(e)) => assert!(e.contains(&r.id), "{e}"),
            other => panic!("{other:?}"),
        }
    }
}
