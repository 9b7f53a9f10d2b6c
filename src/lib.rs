//! Manumit: audits supply chains for labour-trafficking risk.
//!
//! The core (`domain`, `ingest`, `scoring`, `reference`, `questionnaire`, `report`) is pure:
//! plain data in, plain data out. The shell (`api`, `store`, `auth`, `app`) is thin.

pub mod domain;
pub mod ingest;
pub mod questionnaire;
pub mod reference;
pub mod report;
pub mod scoring;

pub mod api;
pub mod app;
pub mod auth;
pub mod config;
pub mod error;
pub mod json;
pub mod memory;
pub mod service;
pub mod store;
pub mod telemetry;

/// Validates the compiled-in questionnaire definitions; a bad one stops start-up.
pub fn questionnaire_startup_check() -> anyhow::Result<()> {
    questionnaire::validate_all().map_err(|e| anyhow::anyhow!("questionnaire definitions are invalid: {e}"))
}
pub mod audit_cli;
pub mod cli;

/// Entry of the hidden `manumit worker parse` command (the sandboxed parser).
pub fn ingest_worker_main() -> i32 {
    ingest::worker_main()
}
