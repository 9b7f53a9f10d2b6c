//! The caller's organisation and its settings: every role reads them, admins change them.

use crate::api::extract::Json;
use crate::api::idempotency;
use crate::api::keys::rfc3339;
use crate::api::openapi as oa;
use crate::auth::{Perm, Principal};
use crate::error::{Error, ProblemItem, Result};
use crate::store::orgs::{self, OrgSettings, PaperSize, COMMON_VALUE_THRESHOLD_RANGE};
use crate::store::{keys, write_tx, DbConn, Store};
use actix_web::{get, patch, web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// Markets a PATCH may list at most (every ISO code and `EU` fit).
const MAX_MARKETS: usize = 300;

/// The organisation and its settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrganisationView {
    pub id: String,
    pub name: String,
    /// Where the organisation sells: ISO 3166 alpha-2 codes and `EU`, sorted. Empty means every
    /// market (the default). Law-dependent recommended actions (hold shipments under the UFLPA,
    /// notify under the EU regulation, ...) and the workbook's Regulatory map follow it.
    #[schema(example = json!(["DE", "US"]))]
    pub markets: Vec<String>,
    /// Values (a bank account, an address, ...) shared by more suppliers than this are common
    /// values, not network links (default 10).
    #[schema(minimum = 2, maximum = 1000)]
    pub common_value_threshold: i32,
    /// Paper size of printed reports (default `A4`).
    pub paper_size: PaperSize,
    /// When the settings were last changed (null while they are the defaults).
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

/// A change to the settings: fields left out stay as they are.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrganisationPatch {
    /// ISO 3166 alpha-2 codes (any case) and `EU`; `UK` is read as `GB`. `[]` means every
    /// market. An unknown code is 422 naming it.
    #[schema(max_items = 300, example = json!(["US", "EU"]))]
    pub markets: Option<Vec<String>>,
    /// 2 to 1000.
    #[schema(minimum = 2, maximum = 1000)]
    pub common_value_threshold: Option<i64>,
    /// `A4` or `Letter`.
    #[schema(value_type = Option<PaperSize>)]
    pub paper_size: Option<String>,
}

/// A market as stored: an ISO 3166 alpha-2 code or `EU`, upper case (`UK` is `GB`); None when
/// it is neither.
pub fn normalise_market(raw: &str) -> Option<String> {
    let code = raw.trim().to_ascii_uppercase();
    match code.as_str() {
        "EU" => Some(code),
        "UK" => Some("GB".to_string()),
        c if c.len() == 2 && rust_iso3166::from_alpha2(c).is_some() => Some(code),
        _ => None,
    }
}

/// Applies a patch to the current settings, or lists every field that is wrong.
fn apply(mut s: OrgSettings, p: &OrganisationPatch) -> Result<OrgSettings> {
    let mut errors = Vec::new();
    if let Some(markets) = &p.markets {
        if markets.len() > MAX_MARKETS {
            errors.push(ProblemItem::field(
                "markets",
                "too_many_markets",
                format!("`markets` lists at most {MAX_MARKETS} codes"),
            ));
        } else {
            let mut codes = Vec::with_capacity(markets.len());
            for m in markets {
                match normalise_market(m) {
                    Some(c) => codes.push(c),
                    None => errors.push(ProblemItem {
                        value: Some(m.chars().take(100).collect()),
                        ..ProblemItem::field(
                            "markets",
                            "unknown_market",
                            "each market must be an ISO 3166 alpha-2 country code or EU",
                        )
                    }),
                }
            }
            codes.sort();
            codes.dedup();
            s.markets = codes;
        }
    }
    if let Some(t) = p.common_value_threshold {
        match i32::try_from(t).ok().filter(|t| COMMON_VALUE_THRESHOLD_RANGE.contains(t)) {
            Some(t) => s.common_value_threshold = t,
            None => errors.push(ProblemItem {
                value: Some(t.to_string()),
                ..ProblemItem::field("common_value_threshold", "out_of_range", "must be an integer from 2 to 1000")
            }),
        }
    }
    if let Some(ps) = &p.paper_size {
        match PaperSize::from_id(ps.trim()) {
            Some(ps) => s.paper_size = ps,
            None => errors.push(ProblemItem {
                value: Some(ps.chars().take(100).collect()),
                ..ProblemItem::field("paper_size", "unknown_paper_size", "must be A4 or Letter")
            }),
        }
    }
    if errors.is_empty() {
        Ok(s)
    } else {
        Err(Error::invalid("validation_failed", "The request body has invalid fields; see `errors`.", errors))
    }
}

fn view(conn: &mut DbConn, org_id: &str, s: OrgSettings) -> Result<OrganisationView> {
    let org = keys::org_by_id(conn, org_id)?.ok_or(Error::NotFound("organisation"))?;
    Ok(OrganisationView {
        id: org.id,
        name: org.name,
        markets: s.markets,
        common_value_threshold: s.common_value_threshold,
        paper_size: s.paper_size,
        updated_at: s.updated_at.map(rfc3339),
    })
}

/// The settings as written in the audit log.
fn audit_json(s: &OrgSettings) -> serde_json::Value {
    json!({"markets": s.markets, "common_value_threshold": s.common_value_threshold, "paper_size": s.paper_size.as_str()})
}

/// The caller's organisation and its settings.
#[utoipa::path(operation_id = "get_organisation", tag = "organisation", security(("bearer" = [])),
    responses((status = 200, description = "The organisation and its settings", body = OrganisationView)))]
#[get("/organisation")]
pub async fn get_one(p: Principal, store: web::Data<Store>) -> Result<HttpResponse> {
    p.require(Perm::Read)?;
    let v = store
        .run(move |c| {
            let s = orgs::settings(c, &p.org_id)?;
            view(c, &p.org_id, s)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Changes the organisation's settings (admin keys only). Fields left out stay as they are.
/// The change is audited (`organisation.update`, before and after). Assessments already made
/// keep the actions chosen for the markets of their time; rescore to apply new markets.
#[utoipa::path(operation_id = "update_organisation", tag = "organisation", security(("bearer" = [])),
    request_body = OrganisationPatch, params(oa::IdempotencyKey),
    responses(
        (status = 200, description = "The organisation and its settings, changed", body = OrganisationView),
        (status = 400, response = oa::BadRequest),
        (status = 403, response = oa::Forbidden),
        (status = 409, response = oa::Conflict),
        (status = 413, response = oa::PayloadTooLarge),
        (status = 415, response = oa::UnsupportedMediaType),
        (status = 422, response = oa::UnprocessableContent),
    ))]
#[patch("/organisation")]
pub async fn update(
    p: Principal,
    req: HttpRequest,
    store: web::Data<Store>,
    body: Json<OrganisationPatch>,
) -> Result<HttpResponse> {
    // Settings change what every member of the organisation sees: admins only.
    p.require(Perm::ManageOrganisation)?;
    let patch = body.into_inner();
    // Validated before the Idempotency-Key is claimed: a bad body is refused the same way on retry.
    apply(OrgSettings::default(), &patch)?;
    let hash = idempotency::request_hash(
        &req,
        json!({"markets": patch.markets, "common_value_threshold": patch.common_value_threshold,
            "paper_size": patch.paper_size})
        .to_string()
        .as_bytes(),
    );
    idempotency::run(&store, &p.clone(), &req, hash, move |c, token| {
        write_tx(c, |c| {
            let before = orgs::settings(c, &p.org_id)?;
            let after = orgs::save(c, &p.org_id, &apply(before.clone(), &patch)?)?;
            crate::store::audit::record(
                c,
                p.event(
                    "organisation.update",
                    Some(p.org_id.clone()),
                    json!({"before": audit_json(&before), "after": audit_json(&after)}),
                ),
            )?;
            let v = view(c, &p.org_id, after)?;
            idempotency::record(c, token, 200, serde_json::to_value(v).map_err(Error::internal)?)
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markets_are_iso_codes_or_eu() {
        assert_eq!(normalise_market(" us "), Some("US".into()));
        assert_eq!(normalise_market("eu"), Some("EU".into()));
        assert_eq!(normalise_market("UK"), Some("GB".into()));
        for bad in ["", "XX", "USA", "E", "ZZ", "U1"] {
            assert_eq!(normalise_market(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_patch_changes_only_what_it_names_and_lists_every_bad_field() {
        let p = OrganisationPatch {
            markets: Some(vec!["us".into(), "EU".into(), "US".into()]),
            common_value_threshold: None,
            paper_size: None,
        };
        let s = apply(OrgSettings::default(), &p).unwrap();
        assert_eq!(s.markets, ["EU", "US"]);
        assert_eq!((s.common_value_threshold, s.paper_size), (10, PaperSize::A4));
        let bad = OrganisationPatch {
            markets: Some(vec!["US".into(), "XX".into()]),
            common_value_threshold: Some(1),
            paper_size: Some("A3".into()),
        };
        let Err(Error::Problem { items, .. }) = apply(s, &bad) else { panic!("accepted") };
        let got: Vec<(Option<&str>, Option<&str>)> =
            items.iter().map(|i| (i.field.as_deref(), i.value.as_deref())).collect();
        assert_eq!(
            got,
            [
                (Some("markets"), Some("XX")),
                (Some("common_value_threshold"), Some("1")),
                (Some("paper_size"), Some("A3"))
            ]
        );
    }
}
