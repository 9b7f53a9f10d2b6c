//! HTTP handlers, one module per resource. Handlers parse, call the store and the core, answer.

pub mod assessments;
pub mod attachment;
pub mod audit_log;
pub mod extract;
pub mod health;
pub mod idempotency;
pub mod keys;
pub mod limits;
pub mod multipart;
pub mod openapi;
pub mod organisation;
pub mod protocol;
pub mod questionnaires;
pub mod reports;
pub mod screening;
pub mod security_headers;
pub mod supplier_writes;
pub mod suppliers;
pub mod uploads;
pub mod views;

use actix_web::web;

/// The `/api/v1` routes that need a key.
pub fn v1(cfg: &mut web::ServiceConfig) {
    cfg.service(keys::create_key)
        .service(keys::list_keys)
        .service(keys::revoke_key)
        .service(suppliers::list)
        .service(suppliers::get_one)
        .service(suppliers::risk)
        .service(suppliers::history)
        .service(assessments::get_one)
        .service(audit_log::list)
        .service(uploads::create)
        .service(uploads::list)
        .service(uploads::get_one)
        .service(uploads::file)
        .service(uploads::rejected)
        .service(supplier_writes::upsert_by_ref)
        .service(supplier_writes::submit_responses)
        .service(assessments::rescore)
        .service(assessments::networks)
        .service(questionnaires::list)
        .service(questionnaires::template)
        .service(questionnaires::get_one)
        .service(screening::create_watchlist)
        .service(screening::list_watchlists)
        .service(screening::decide)
        .service(reports::workbook)
        .service(organisation::get_one)
        .service(organisation::update);
}
