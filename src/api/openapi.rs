//! The OpenAPI document, generated from the handlers' annotations, and the offline docs page.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("mnm_…").build()),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Manumit API", description = "Supply-chain labour-trafficking risk: supplier ingest, ILO-indicator scoring, compliance workbooks. Manumit reports indicators of risk, never findings of forced labour."),
    paths(
        super::health::healthz,
        super::health::readyz,
        super::keys::create_key,
        super::keys::list_keys,
        super::keys::revoke_key,
        super::suppliers::list,
        super::suppliers::get_one,
        super::suppliers::risk,
        super::suppliers::history,
        super::assessments::get_one,
        super::audit_log::list,
        super::uploads::create,
        super::uploads::list,
        super::uploads::get_one,
        super::uploads::file,
        super::uploads::rejected,
        super::supplier_writes::upsert_by_ref,
        super::supplier_writes::submit_responses,
        super::assessments::rescore,
        super::assessments::networks,
        super::questionnaires::list,
        super::questionnaires::get_one,
        super::questionnaires::template,
        super::screening::create_watchlist,
        super::screening::list_watchlists,
        super::screening::decide,
        super::reports::workbook,
    ),
    components(schemas(crate::error::ProblemItem)),
    modifiers(&BearerAuth),
    servers((url = "/api/v1", description = "API base path"))
)]
pub struct ApiDoc;

/// The document served at /api/v1/openapi.json. Paths are relative to the `/api/v1` server,
/// except the probes, which live at the root.
pub fn document() -> utoipa::openapi::OpenApi {
    let mut doc = ApiDoc::openapi();
    doc.info.version = env!("CARGO_PKG_VERSION").to_string();
    // The probes are served at the root, outside /api/v1: give them their own server entry.
    for p in ["/healthz", "/readyz"] {
        if let Some(item) = doc.paths.paths.get_mut(p) {
            item.servers = Some(vec![utoipa::openapi::server::Server::new("/")]);
        }
    }
    doc
}
