//! Builds the actix application and runs the server; used by `main` and by tests.

use crate::api;
use crate::config::Settings;
use crate::error::{self, Error};
use crate::store::{audit, keys, new_id, now, write_tx, Store};
use actix_web::{guard, http::Method, middleware, web, App, HttpRequest, HttpResponse, HttpServer};
use serde_json::json;
use std::io::Write;

/// On an empty database: creates organisation `default` and one admin key, returned once.
/// When two instances start together, the unique organisation name lets only one win.
pub fn bootstrap(store: &Store) -> anyhow::Result<Option<String>> {
    let mut conn = store.conn().map_err(|e| anyhow::anyhow!("{e}"))?;
    let r = write_tx(&mut conn, |c| {
        if keys::count_orgs(c)? > 0 {
            return Ok(None);
        }
        let org = keys::Organisation { id: new_id(), name: "default".into(), created_at: now() };
        diesel::RunQueryDsl::execute(diesel::insert_into(crate::store::schema::organisations::table).values(&org), c)?;
        let (_, plain) = keys::create_key(
            c,
            &org.id,
            "bootstrap admin",
            crate::domain::Role::Admin,
            audit::AuditEvent {
                org_id: None,
                key_id: None,
                actor: "serve".into(),
                action: "key.create",
                target: None,
                detail: json!({"name": "bootstrap admin", "role": "admin", "bootstrap": true}),
                request_id: None,
            },
        )?;
        Ok(Some(plain))
    });
    match r {
        Ok(v) => Ok(v),
        // Another instance bootstrapped first.
        Err(Error::Internal(msg)) if msg.contains("UNIQUE") || msg.contains("unique") => Ok(None),
        Err(e) => Err(anyhow::anyhow!("bootstrap failed: {e}")),
    }
}

/// Registers every route on an App.
pub fn configure(settings: &Settings) -> impl Fn(&mut web::ServiceConfig) + Clone {
    let json_limit = settings.max_json_bytes;
    move |cfg: &mut web::ServiceConfig| {
        let doc = api::openapi::document();
        // Outside the document: the document itself and the Swagger UI (`/docs` redirects, any method).
        let extra = [("/api/v1/openapi.json", Method::GET), ("/docs/{_:.*}", Method::GET)];
        let methods = std::sync::Arc::new(api::protocol::Methods::new(&doc, &extra));
        cfg.app_data(web::JsonConfig::default().limit(json_limit).error_handler(error::json_error))
            .app_data(web::QueryConfig::default().error_handler(error::query_error))
            .app_data(web::PathConfig::default().error_handler(error::path_error))
            .service(api::health::healthz)
            .service(api::health::readyz)
            // The method guard on the resource, not the route: another method falls through to
            // the default service, which answers 405 with the full `Allow`.
            .service(web::resource("/api/v1/openapi.json").guard(guard::Get()).to(move || {
                let doc = doc.clone();
                async move { HttpResponse::Ok().json(doc) }
            }))
            .service(web::redirect("/docs", "/docs/"))
            .service(
                utoipa_swagger_ui::SwaggerUi::new("/docs/{_:.*}")
                    // No online validator: it would send the document's address to swagger.io
                    // (and the CSP refuses the badge anyway).
                    .config(utoipa_swagger_ui::Config::from("/api/v1/openapi.json").validator_url("none")),
            )
            .service(web::scope("/api/v1").configure(api::v1))
            .default_service(web::to(move |req: HttpRequest| {
                let methods = methods.clone();
                async move { api::protocol::no_route(&req, &methods) }
            }));
    }
}

/// Opens the store, bootstraps, binds and serves until stopped.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let store = Store::open(&settings.database_url, settings.db_pool_size())?;
    crate::questionnaire_startup_check()?;
    let admin_key = bootstrap(&store)?;
    let store_data = web::Data::new(store);
    let settings_data = web::Data::new(settings.clone());
    let slots = web::Data::new(api::uploads::UploadSlots::new(settings.upload_concurrency));
    let workbook_slots =
        web::Data::new(api::limits::Slots::new("too_many_workbooks", "workbooks", settings.workbook_concurrency, 1));
    let limiter = web::Data::new(api::limits::RateLimiter::new(settings.rate_limit_per_minute));
    let timeout_secs = settings.request_timeout_secs;
    let key_cache = web::Data::new(crate::auth::KeyCache::new(settings.key_cache_secs));
    let auth_failures = web::Data::new(crate::auth::failures::AuthFailures::new(settings.auth_failure_limit));
    let routes = configure(&settings);
    let mut server = HttpServer::new(move || {
        App::new()
            .app_data(store_data.clone())
            .app_data(settings_data.clone())
            .app_data(slots.clone())
            .app_data(workbook_slots.clone())
            .app_data(limiter.clone())
            .app_data(key_cache.clone())
            .app_data(auth_failures.clone())
            .wrap(middleware::from_fn(api::protocol::middleware))
            .wrap(middleware::from_fn(move |req, next| api::limits::timeout(timeout_secs, req, next)))
            .wrap(middleware::from_fn(api::security_headers::middleware))
            .wrap(middleware::from_fn(crate::telemetry::request_id))
            .configure(routes.clone())
    })
    .client_request_timeout(std::time::Duration::from_secs(60));
    if let Some(w) = settings.workers {
        server = server.workers(w.max(1));
    }
    let server = server.bind(&settings.bind)?;
    let addrs = server.addrs();
    let addr = addrs.first().map(|a| a.to_string()).unwrap_or_else(|| settings.bind.clone());
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "Manumit is listening on http://{addr}")?;
        if let Some(k) = admin_key {
            writeln!(
                out,
                "Created organisation 'default' with an admin API key. It is shown only this once; keep it safe:"
            )?;
            writeln!(out, "{k}")?;
        }
        writeln!(out, "API docs: http://{addr}/docs/  (OpenAPI: http://{addr}/api/v1/openapi.json)")?;
        out.flush()?;
    }
    tracing::info!(%addr, "serving");
    server.run().await?;
    Ok(())
}
