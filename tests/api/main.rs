//! HTTP tests against the real binary. One test binary (fast to link); modules by resource.
//! Always SQLite; PostgreSQL too when TEST_DATABASE_URL is set (CI runs both).

mod helpers;

mod hostile;

mod abuse;
mod auth;
mod auth_failures;
mod concurrency;
mod crash;
mod keys;
mod limits;
mod openapi;
mod organisation;
mod protocol;
mod questionnaires;
mod reports;
mod scenarios;
mod screening;
mod service;
mod suppliers;
mod uploads;
