//! Security headers on every response, errors included: no MIME sniffing, no framing, no
//! referrer, a Content-Security-Policy (nothing at all for the API, what the vendored Swagger UI
//! needs on /docs), and `Cache-Control: no-store` on everything but the docs page's assets, so
//! that no cache keeps a new API key or an organisation's data. A handler's own header wins.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderMap, HeaderName, HeaderValue},
    middleware::Next,
};

/// The API answers JSON and spreadsheets: nothing in them may load, run or be framed.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Swagger UI (served from the binary, no CDN): its own scripts and styles, its inline SVG icons
/// (`data:` images), and fetching the OpenAPI document and trying operations on this origin.
/// The one inline style is the `<style>` of the logo SVG in the vendored bundle, allowed by its
/// hash (checked in headless Chromium: no CSP violation in the console); another Swagger UI
/// version may change it, which only loses the logo's colours.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; img-src 'self' data:; \
    connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/// Middleware: adds the headers to every response. An error a middleware returns instead of a
/// response (the request timeout) is rendered by actix after every middleware has run: it gets
/// the same headers from [`crate::error::Error`]'s rendering, which calls [`apply`].
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let path = req.path();
    let docs = path == "/docs" || path.starts_with("/docs/");
    let mut res = next.call(req).await?;
    apply(res.headers_mut(), docs);
    Ok(res)
}

/// Adds the headers a response lacks; `docs` for the Swagger UI's page and assets.
pub fn apply(h: &mut HeaderMap, docs: bool) {
    add(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    add(h, header::X_FRAME_OPTIONS, "DENY");
    add(h, header::REFERRER_POLICY, "no-referrer");
    add(h, header::CONTENT_SECURITY_POLICY, if docs { DOCS_CSP } else { API_CSP });
    if !docs {
        add(h, header::CACHE_CONTROL, "no-store");
    }
}

fn add(h: &mut HeaderMap, name: HeaderName, value: &'static str) {
    if !h.contains_key(&name) {
        h.insert(name, HeaderValue::from_static(value));
    }
}
