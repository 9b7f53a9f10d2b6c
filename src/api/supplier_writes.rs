//! Supplier writes for ERP systems: upsert by the caller's own supplier id, and questionnaire
//! answers as JSON. Both honour Idempotency-Key and return the new assessment.

use crate::api::extract::{Json, Path};
use crate::api::idempotency;
use crate::api::openapi as oa;
use crate::api::views;
use crate::auth::{Perm, Principal};
use crate::domain::{Cell, FieldSource};
use crate::error::{Error, ProblemItem, Result};
use crate::ingest::{self, FieldValue, CANONICAL_FIELDS};
use crate::questionnaire::{self, AnswerSource};
use crate::service::assess::{assess_and_store, Cause};
use crate::store::{assessments, audit, suppliers, write_tx, Store};
use actix_web::{post, put, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use utoipa::ToSchema;
use validator::Validate;

/// The body of PUT /suppliers/by-ref/{external_ref}: canonical supplier fields (DOMAIN.md §2)
/// and nothing else. Values are read like spreadsheet cells (text, numbers, booleans, lists of
/// text; null leaves a field out). The schema is made from [`CANONICAL_FIELDS`].
pub struct SupplierInput;

impl utoipa::PartialSchema for SupplierInput {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Type};
        let value = || {
            OneOfBuilder::new()
                .item(ObjectBuilder::new().schema_type(Type::String))
                .item(ObjectBuilder::new().schema_type(Type::Number))
                .item(ObjectBuilder::new().schema_type(Type::Boolean))
                .item(ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)))
                .item(ObjectBuilder::new().schema_type(Type::Null))
        };
        let mut b = ObjectBuilder::new()
            .description(Some(
                "Canonical supplier fields (DOMAIN.md §2). `legal_name`, `country` and `sector` are required when \
                 the supplier is created; on update, fields left out keep their values. `external_ref`, if given, \
                 must equal the path's.",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for f in CANONICAL_FIELDS {
            b = b.property(*f, value());
        }
        b.into()
    }
}

impl ToSchema for SupplierInput {}

/// A supplier as written by PUT /suppliers/by-ref/{external_ref}, with its new risk.
#[derive(Debug, Serialize, ToSchema)]
pub struct UpsertedSupplier {
    #[serde(flatten)]
    pub supplier: views::SupplierFull,
    /// The new assessment, compact.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub risk: Option<views::RiskView>,
    /// Values accepted with a remark (e.g. truncated).
    pub warnings: Vec<ingest::RowError>,
}

/// POST /suppliers/{id}/responses: the new assessment and the stored response's id.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResponseAssessment {
    #[serde(flatten)]
    pub assessment: views::AssessmentView,
    pub response_id: String,
}

fn field_items(errs: &[ingest::RowError]) -> Vec<ProblemItem> {
    errs.iter()
        .map(|e| ProblemItem {
            field: e.column.clone(),
            value: e.value.clone(),
            code: e.code.clone(),
            message: e.message.clone(),
            ..Default::default()
        })
        .collect()
}

/// Longest `notes` accepted through the API (a spreadsheet cell may hold up to 32,767).
const MAX_NOTES_CHARS: usize = 10_000;

/// Turns a JSON object of canonical fields into cells for the shared value parser.
fn json_to_values(body: &Map<String, Value>) -> Result<Vec<FieldValue<'static>>> {
    let mut unknown = Vec::new();
    let mut out = Vec::new();
    for (k, v) in body {
        if !CANONICAL_FIELDS.contains(&k.as_str()) {
            unknown.push(ProblemItem::field(k.clone(), "unknown_field", format!("`{k}` is not a supplier field")));
            continue;
        }
        if k == "notes" && v.as_str().is_some_and(|n| n.chars().count() > MAX_NOTES_CHARS) {
            unknown.push(ProblemItem::field(
                k.clone(),
                "length",
                format!("`notes` must be at most {MAX_NOTES_CHARS} characters"),
            ));
            continue;
        }
        let cell = match v {
            Value::Null => continue,
            Value::String(s) => Cell::Text(s.clone()),
            Value::Number(n) => Cell::Number(n.as_f64().unwrap_or(f64::NAN)),
            Value::Bool(b) => Cell::Bool(*b),
            Value::Array(items) => {
                let parts: Vec<String> = items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect();
                if parts.len() != items.len() {
                    unknown.push(ProblemItem::field(
                        k.clone(),
                        "invalid_type",
                        format!("`{k}` must be a list of strings"),
                    ));
                    continue;
                }
                Cell::Text(parts.join("; "))
            }
            Value::Object(_) => {
                unknown.push(ProblemItem::field(k.clone(), "invalid_type", format!("`{k}` must not be an object")));
                continue;
            }
        };
        out.push(FieldValue { field: k.clone().into(), header: k.clone().into(), cell });
    }
    if !unknown.is_empty() {
        return Err(Error::invalid("validation_failed", "The request body has invalid fields; see `errors`.", unknown));
    }
    Ok(out)
}

/// Creates or updates the supplier with this external reference, scores it, and returns it
/// with its risk: 201 when created, 200 when updated.
#[utoipa::path(tag = "suppliers", security(("bearer" = [])),
    params(
        ("external_ref" = String, Path, description = "Your own supplier id (1 to 200 characters)"),
        oa::IdempotencyKey,
    ),
    request_body(content = SupplierInput,
        description = "Canonical supplier fields (DOMAIN §2): legal_name, country, sector required on create"),
    responses(
        (status = 201, description = "Created and scored", body = UpsertedSupplier),
        (status = 200, description = "Updated and scored", body = UpsertedSupplier),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[put("/suppliers/by-ref/{external_ref}")]
pub async fn upsert_by_ref(
    p: Principal,
    store: web::Data<Store>,
    req: HttpRequest,
    path: Path<String>,
    body: Json<Map<String, Value>>,
) -> Result<HttpResponse> {
    p.require(Perm::WriteSuppliers)?;
    // Cleaned as the body's fields are: bidirectional controls are no part of a reference.
    let external_ref = crate::ingest::strip_bidi(path.into_inner().trim());
    if external_ref.is_empty() || external_ref.len() > 200 {
        return Err(Error::invalid(
            "validation_failed",
            "The external reference must be 1 to 200 characters.",
            vec![ProblemItem::field("external_ref", "length", "`external_ref` must be 1 to 200 characters")],
        ));
    }
    let mut body = body.into_inner();
    if let Some(v) = body.get("external_ref") {
        if v.as_str().map(|s| crate::ingest::strip_bidi(s.trim())).as_deref() != Some(external_ref.as_str()) {
            return Err(Error::invalid(
                "validation_failed",
                "The body's external_ref differs from the one in the path.",
                vec![ProblemItem::field(
                    "external_ref",
                    "mismatch",
                    "must equal the path's external_ref (or be left out)",
                )],
            ));
        }
    }
    body.insert("external_ref".into(), Value::String(external_ref.clone()));
    let values = json_to_values(&body)?;
    let hash = idempotency::request_hash(&req, Value::Object(body).to_string().as_bytes());
    let today = chrono::Utc::now().date_naive();
    let p2 = p.clone();
    idempotency::run(&store, &p, &req, hash, move |c, token| {
        write_tx(c, |c| {
            let existing = suppliers::by_ref(c, &p2.org_id, &external_ref)?;
            // On update, fields left out keep their values: parse the stored ones under the new.
            let mut all = values.clone();
            let required_missing = |f: &str| !values.iter().any(|v| v.field == f);
            if let Some(old) = &existing {
                let old_fields = old.fields()?;
                for (f, v) in [
                    ("legal_name", Some(old_fields.legal_name.clone())),
                    ("country", old_fields.country.as_ref().map(|c| c.as_str().to_string())),
                    ("sector", old_fields.sector.map(|s| s.to_string())),
                ] {
                    if let (true, Some(v)) = (required_missing(f), v) {
                        all.push(FieldValue { field: f.into(), header: f.into(), cell: Cell::Text(v) });
                    }
                }
            }
            // The sender can correct and resend: a value that cannot be read refuses the body
            // (a supplier list instead keeps the row and leaves the field unknown).
            let parsed = ingest::parse_fields(&all, 0, today).strict();
            let Some(fields) = parsed.fields else {
                return Err(Error::invalid(
                    "validation_failed",
                    "The supplier has invalid fields; see `errors`.",
                    field_items(&parsed.errors),
                ));
            };
            let source = FieldSource {
                upload_id: None,
                filename: None,
                row: None,
                columns: std::sync::Arc::new(
                    values.iter().map(|v| (v.field.to_string(), v.field.to_string())).collect(),
                ),
                raw: values.iter().map(|v| (v.field.clone(), v.cell.display())).collect(),
            };
            let up = suppliers::upsert(c, &p2.org_id, &fields, &BTreeMap::new(), &source)?;
            let assessed =
                assess_and_store(c, &p2.org_id, Some(std::slice::from_ref(&up.row.id)), None, Cause::Api, today)?;
            let row = suppliers::get(c, &p2.org_id, &up.row.id)?;
            let risk = match assessed.iter().find(|(sid, _)| *sid == row.id) {
                Some((_, aid)) => Some(views::risk_view(&assessments::get(c, &p2.org_id, aid)?)?),
                None => None,
            };
            let latest = suppliers::latest(c, &p2.org_id, &row.id)?;
            let v = UpsertedSupplier {
                supplier: views::supplier_full(&row, latest.as_ref())?,
                risk,
                warnings: parsed.warnings,
            };
            audit::record(
                c,
                p2.event(
                    if up.created { "supplier.create" } else { "supplier.update" },
                    Some(row.id.clone()),
                    json!({"external_ref": external_ref}),
                ),
            )?;
            let v = serde_json::to_value(v).map_err(Error::internal)?;
            idempotency::record(c, token, if up.created { 201 } else { 200 }, v)
        })
    })
    .await
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseBody {
    #[validate(length(min = 1, max = 100))]
    #[schema(min_length = 1, max_length = 100)]
    pub questionnaire_id: String,
    #[validate(length(min = 1, max = 20))]
    #[schema(min_length = 1, max_length = 20)]
    pub version: String,
    /// Question id → answer (`"Yes"`, a choice, a number, a date `YYYY-MM-DD`, text).
    #[schema(value_type = Object)]
    pub answers: Map<String, Value>,
}

/// Questionnaire answers as JSON (ERP portals): stored, evaluated and scored → 201 with the
/// new assessment.
#[utoipa::path(tag = "suppliers", security(("bearer" = [])),
    params(("id" = String, Path, description = "The supplier's id"), oa::IdempotencyKey), request_body = ResponseBody,
    responses(
        (status = 201, description = "Stored and scored: the new assessment", body = ResponseAssessment),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 404, response = oa::NotFound),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[post("/suppliers/{id}/responses")]
pub async fn submit_responses(
    p: Principal,
    store: web::Data<Store>,
    req: HttpRequest,
    id: Path<String>,
    body: Json<ResponseBody>,
) -> Result<HttpResponse> {
    p.require(Perm::SubmitResponses)?;
    body.validate()?;
    let body = body.into_inner();
    let cat = questionnaire::catalogue().map_err(Error::internal)?;
    let q = cat.by_id_version(&body.questionnaire_id, &body.version).ok_or_else(|| {
        Error::invalid(
            "unknown_questionnaire",
            format!("There is no questionnaire {} version {}.", body.questionnaire_id, body.version),
            vec![ProblemItem::field("questionnaire_id", "unknown_questionnaire", "see GET /api/v1/questionnaires")],
        )
    })?;
    let answers = questionnaire::parse_json_answers(q, &body.answers).map_err(|errs| {
        Error::invalid(
            "invalid_answers",
            "Some answers are not valid; see `errors`.",
            errs.iter()
                .map(|e| ProblemItem {
                    field: Some(format!("answers.{}", e.question_id.clone().unwrap_or_else(|| e.column.clone()))),
                    value: Some(e.value.clone()),
                    code: e.code.clone(),
                    message: e.message.clone(),
                    ..Default::default()
                })
                .collect(),
        )
    })?;
    let hash = idempotency::request_hash(&req, serde_json::to_string(&body.answers).unwrap_or_default().as_bytes());
    let today = chrono::Utc::now().date_naive();
    let supplier_id = id.into_inner();
    let p2 = p.clone();
    idempotency::run(&store, &p, &req, hash, move |c, token| {
        write_tx(c, |c| {
            let s = suppliers::get(c, &p2.org_id, &supplier_id)?;
            let evidence = questionnaire::evaluate_as_of(q, &answers, &AnswerSource::Response, Some(today));
            let response_id = assessments::new_response_id();
            assessments::insert_response(
                c,
                &assessments::ResponseRow {
                    id: response_id.clone(),
                    org_id: p2.org_id.clone(),
                    supplier_id: s.id.clone(),
                    questionnaire_id: q.id.clone(),
                    version: q.version.clone(),
                    upload_id: None,
                    answers_json: serde_json::to_string(&answers).map_err(Error::internal)?,
                    evidence_json: serde_json::to_string(&evidence).map_err(Error::internal)?,
                    created_by: p2.key_id.clone(),
                    created_at: crate::store::now(),
                },
            )?;
            let assessed =
                assess_and_store(c, &p2.org_id, Some(std::slice::from_ref(&s.id)), None, Cause::Response, today)?;
            let aid = assessed
                .iter()
                .find(|(sid, _)| *sid == s.id)
                .map(|(_, a)| a.clone())
                .ok_or_else(|| Error::internal("no assessment"))?;
            let v = ResponseAssessment {
                assessment: views::assessment_view(&assessments::get(c, &p2.org_id, &aid)?)?,
                response_id: response_id.clone(),
            };
            audit::record(
                c,
                p2.event(
                    "response.create",
                    Some(s.id.clone()),
                    json!({"questionnaire_id": q.id, "version": q.version}),
                ),
            )?;
            idempotency::record(c, token, 201, serde_json::to_value(v).map_err(Error::internal)?)
        })
    })
    .await
}
