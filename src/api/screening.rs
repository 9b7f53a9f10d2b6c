//! Screening: an organisation's own entity lists (watchlists) and people's decisions on matches.

use crate::api::extract::Json;
use crate::api::keys::rfc3339;
use crate::api::multipart::{check_declared_length, read_form};
use crate::api::openapi as oa;
use crate::auth::{Perm, Principal};
use crate::config::Settings;
use crate::domain::Sheet;
use crate::error::{Error, ProblemItem, Result};
use crate::ingest::{self, Limits};
use crate::scoring::WatchEntry;
use crate::service::assess::{assess_and_store, Cause};
use crate::store::{audit, screening, suppliers, write_tx, Store};
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::ToSchema;
use validator::Validate;

fn norm(h: &str) -> String {
    h.to_lowercase().chars().filter(|c| c.is_alphanumeric()).collect()
}

/// Reads entries from a sheet with a header row naming `name` (or entity/company), optional
/// `aliases` (separated by ; or |) and `country`. Returns entries and row errors.
pub fn entries_from_sheet(sheet: &Sheet) -> Result<(Vec<WatchEntry>, Vec<ProblemItem>)> {
    let mut header: Option<(usize, usize, Option<usize>, Option<usize>)> = None;
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for r in &sheet.rows {
        let cells: Vec<String> = r.cells.iter().map(|c| c.display().trim().to_string()).collect();
        match header {
            None => {
                let find = |names: &[&str]| cells.iter().position(|c| names.contains(&norm(c).as_str()));
                if let Some(n) = find(&["name", "entity", "entityname", "company", "companyname", "legalname"]) {
                    header = Some((
                        r.row as usize,
                        n,
                        find(&["aliases", "alias", "aka", "alsoknownas"]),
                        find(&["country", "countrycode", "iso2"]),
                    ));
                }
            }
            Some((_, n, a, c)) => {
                let name = cells.get(n).cloned().unwrap_or_default();
                if name.is_empty() {
                    if cells.iter().any(|x| !x.is_empty()) {
                        errors.push(ProblemItem {
                            row: Some(r.row),
                            column: Some("name".into()),
                            code: "missing_required".into(),
                            message: "the entity name is empty".into(),
                            ..Default::default()
                        });
                    }
                    continue;
                }
                let aliases = a.and_then(|i| cells.get(i)).map(|s| ingest::parse_list(s)).unwrap_or_default();
                let country = match c.and_then(|i| cells.get(i)).filter(|s| !s.is_empty()) {
                    Some(s) => match ingest::parse_country(s) {
                        Some(cc) => Some(cc),
                        None => {
                            errors.push(ProblemItem {
                                row: Some(r.row),
                                column: Some("country".into()),
                                value: Some(s.clone()),
                                code: "unknown_country".into(),
                                message: format!("'{s}' is not a country we know"),
                                ..Default::default()
                            });
                            continue;
                        }
                    },
                    None => None,
                };
                entries.push(WatchEntry { name, aliases, country });
            }
        }
    }
    if header.is_none() {
        return Err(Error::invalid("no_header_row", "No header row with a `name` column was found.", Vec::new()));
    }
    if entries.is_empty() {
        return Err(Error::invalid("no_data_rows", "The list has no entries.", errors));
    }
    Ok((entries, errors))
}

/// The form of POST /watchlists (documentation only: the handler reads the stream itself).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct WatchlistForm {
    /// CSV or a spreadsheet with a header row naming `name`, optional `aliases` and `country`.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// The list's name, 1 to 100 characters.
    pub name: String,
    /// Its edition (e.g. a publication date), 1 to 100 characters.
    pub edition: String,
}

/// A watchlist just stored.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchlistCreated {
    pub id: String,
    pub name: String,
    pub edition: String,
    /// Entries read.
    pub entries: usize,
    /// Rows that were left out, and why.
    pub errors: Vec<ProblemItem>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// A watchlist as listed: built-in lists (id null) and the organisation's own.
#[derive(Debug, Serialize, ToSchema)]
pub struct WatchlistView {
    /// Null for built-in lists.
    pub id: Option<String>,
    pub name: String,
    pub edition: String,
    /// Number of entries.
    pub entries: usize,
    pub builtin: bool,
    /// The organisation's own lists: when uploaded.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime, nullable = false)]
    pub created_at: Option<String>,
}

/// GET /watchlists.
#[derive(Debug, Serialize, ToSchema)]
pub struct Watchlists {
    pub items: Vec<WatchlistView>,
}

/// A decision just recorded, with the supplier's new assessment.
#[derive(Debug, Serialize, ToSchema)]
pub struct DecisionView {
    pub id: String,
    pub supplier_id: String,
    pub list: String,
    pub matched_entity: String,
    /// `confirmed` or `false_positive`.
    pub decision: String,
    pub reason: String,
    /// The name of the key that decided.
    pub decided_by: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    /// The supplier's new assessment.
    pub assessment_id: Option<String>,
}

/// Upload an entity list (CSV or xlsx with `name`, `aliases`, `country`), with parts `name`
/// and `edition`. It is used by every later assessment (rescore with POST /assessments).
#[utoipa::path(tag = "screening", security(("bearer" = [])),
    request_body(content = WatchlistForm, content_type = "multipart/form-data",
        description = "parts: `file`, `name`, `edition`"),
    responses(
        (status = 201, description = "The list, stored", body = WatchlistCreated),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[post("/watchlists")]
pub async fn create_watchlist(
    p: Principal,
    store: web::Data<Store>,
    settings: web::Data<Settings>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse> {
    p.require(Perm::ManageWatchlists)?;
    check_declared_length(&req, settings.max_upload_bytes)?;
    let form = read_form(&req, payload, settings.max_upload_bytes).await?;
    let name = form.other.get("name").cloned().unwrap_or_default();
    let edition = form.other.get("edition").cloned().unwrap_or_default();
    let mut items = Vec::new();
    if name.is_empty() || name.len() > 100 {
        items.push(ProblemItem::field("name", "length", "`name` must be 1 to 100 characters"));
    }
    if edition.is_empty() || edition.len() > 100 {
        items.push(ProblemItem::field(
            "edition",
            "length",
            "`edition` must be 1 to 100 characters (e.g. a publication date)",
        ));
    }
    if !items.is_empty() {
        return Err(Error::invalid("validation_failed", "The form has invalid fields; see `errors`.", items));
    }
    let limits = Limits { max_bytes: settings.max_upload_bytes as u64, ..Limits::default() };
    let bytes = form.bytes;
    let wb = web::block(move || {
        let exe = std::env::current_exe().map_err(|e| Error::internal(format!("current_exe: {e}")))?;
        ingest::read_workbook_sandboxed(&bytes, &limits, &exe)
            .map_err(|e| Error::problem(e.status(), e.code(), e.to_string()))
    })
    .await
    .map_err(|e| Error::internal(format!("blocking task: {e}")))??;
    let sheet = wb
        .sheets
        .iter()
        .find(|s| !s.hidden)
        .ok_or_else(|| Error::invalid("no_data_rows", "The file has no sheet.", Vec::new()))?;
    let (entries, errors) = entries_from_sheet(sheet)?;
    let v = store
        .run(move |c| {
            write_tx(c, |c| {
                let row = screening::insert_watchlist(c, &p.org_id, &name, &edition, &entries, &p.key_id)?;
                audit::record(
                    c,
                    p.event(
                        "watchlist.create",
                        Some(row.id.clone()),
                        json!({"name": name, "edition": edition, "entries": entries.len()}),
                    ),
                )?;
                Ok(WatchlistCreated {
                    id: row.id,
                    name: row.name,
                    edition: row.edition,
                    entries: entries.len(),
                    errors,
                    created_at: rfc3339(row.created_at),
                })
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}

/// The organisation's own lists (the built-in UFLPA and CBP lists always apply too).
#[utoipa::path(tag = "screening", security(("bearer" = [])),
    responses((status = 200, description = "The built-in lists and the organisation's own", body = Watchlists)))]
#[get("/watchlists")]
pub async fn list_watchlists(p: Principal, store: web::Data<Store>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let rows = store.run(move |c| screening::list_watchlists(c, &p.org_id)).await?;
    let mut items: Vec<WatchlistView> = crate::scoring::builtin_watchlists()
        .iter()
        .map(|w| WatchlistView {
            id: None,
            name: w.name.clone(),
            edition: w.edition.clone(),
            entries: w.entries.len(),
            builtin: true,
            created_at: None,
        })
        .collect();
    items.extend(rows.iter().map(|r| WatchlistView {
        id: Some(r.id.clone()),
        name: r.name.clone(),
        edition: r.edition.clone(),
        entries: serde_json::from_str::<Vec<Value>>(&r.entries_json).map(|v| v.len()).unwrap_or(0),
        builtin: false,
        created_at: Some(rfc3339(r.created_at)),
    }));
    Ok(HttpResponse::Ok().json(Watchlists { items }))
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub supplier_id: String,
    /// The list of the match, as in the assessment's `screening_matches[].list`.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub list: String,
    /// The matched entity, as in `screening_matches[].matched_entity`.
    #[validate(length(min = 1, max = 500))]
    #[schema(min_length = 1, max_length = 500)]
    pub matched_entity: String,
    /// `confirmed` or `false_positive`.
    #[schema(value_type = DecisionKind)]
    pub decision: String,
    #[validate(length(min = 1, max = 2000))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

/// A person's decision on a screening match (documents `DecisionBody::decision`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[allow(dead_code)]
pub enum DecisionKind {
    Confirmed,
    FalsePositive,
}

/// Records a person's decision on a screening match; it applies to this and every later
/// assessment. → 201 with the supplier's new assessment id.
#[utoipa::path(tag = "screening", security(("bearer" = [])), request_body = DecisionBody,
    responses(
        (status = 201, description = "The decision, with the supplier's new assessment id", body = DecisionView),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[post("/screening-decisions")]
pub async fn decide(p: Principal, store: web::Data<Store>, body: Json<DecisionBody>) -> Result<HttpResponse> {
    p.require(Perm::DecideScreening)?;
    body.validate()?;
    let b = body.into_inner();
    if b.decision != "confirmed" && b.decision != "false_positive" {
        return Err(Error::invalid(
            "validation_failed",
            "The request body has invalid fields; see `errors`.",
            vec![ProblemItem::field("decision", "invalid_choice", "`decision` must be confirmed or false_positive")],
        ));
    }
    let today = chrono::Utc::now().date_naive();
    let v = store
        .run(move |c| {
            write_tx(c, |c| {
                let s = suppliers::get(c, &p.org_id, &b.supplier_id)?;
                let row = screening::DecisionRow {
                    id: screening::new_decision_id(),
                    org_id: p.org_id.clone(),
                    supplier_id: s.id.clone(),
                    list_name: b.list.clone(),
                    matched_entity: b.matched_entity.clone(),
                    decision: b.decision.clone(),
                    reason: b.reason.clone(),
                    decided_by: p.key_name.clone(),
                    created_at: crate::store::now(),
                };
                screening::insert_decision(c, &row)?;
                audit::record(c, p.event("screening.decision", Some(s.id.clone()),
                    json!({"list": b.list, "matched_entity": b.matched_entity, "decision": b.decision, "reason": b.reason})))?;
                let stored = assess_and_store(c, &p.org_id, Some(std::slice::from_ref(&s.id)), None, Cause::Rescore, today)?;
                let aid = stored.iter().find(|(sid, _)| *sid == s.id).map(|(_, a)| a.clone());
                Ok(DecisionView {
                    id: row.id,
                    supplier_id: s.id,
                    list: row.list_name,
                    matched_entity: row.matched_entity,
                    decision: row.decision,
                    reason: row.reason,
                    decided_by: row.decided_by,
                    created_at: rfc3339(row.created_at),
                    assessment_id: aid,
                })
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(v))
}
