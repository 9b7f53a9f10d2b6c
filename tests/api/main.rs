//! HTTP tests against the real binary. One test binary (fast to link); modules by resource.
//! Always SQLite; PostgreSQL too when TEST_DATABASE_URL is set (CI runs both).

mod helpers;

mod auth;
mod concurrency;
mod crash;
mod keys;
mod questionnaires;
mod service;
mod uploads;
