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
