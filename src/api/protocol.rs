//! HTTP answers actix would otherwise give bare: HEAD is served wherever GET is, a wrong method
//! on a known path is 405 with `Allow`, over-long URIs and header blocks are refused, and every
//! error response actix builds itself (an empty body) becomes problem+json.
//!
//! Not reachable from here: what the HTTP/1 codec refuses before a request exists. A request
//! head over actix-http's 128 KiB buffer or with more than 96 headers (431 or 400), a URI over
//! the `http` crate's 65,534 bytes or a malformed request line (400), and a client that does not
//! send its head within the client request timeout (408) are answered by actix-http with an
//! empty body, and it offers no hook to shape them. [`MAX_URI_BYTES`] and [`MAX_HEADER_BYTES`]
//! sit below those limits so that most oversize requests get a problem+json answer from here.

use crate::error::Error;
use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ResourceDef, ServiceRequest, ServiceResponse},
    http::{header, Method, StatusCode},
    middleware::Next,
    HttpRequest, HttpResponse, ResponseError,
};

/// Longest request target (path and query) served; longer is 414 `uri_too_long`. Below the
/// `http` crate's own limit (65,534 bytes, answered 400 by the codec), above the longest query a
/// handler answers itself (free-text parameters are refused with 422 past their own maximum).
pub const MAX_URI_BYTES: usize = 60 * 1024;
/// Largest header block (names and values) served; larger is 431 `headers_too_large`.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// The methods each route answers, to tell "no such resource" (404) from "not with this
/// method" (405 with `Allow`).
pub struct Methods {
    routes: Vec<(ResourceDef, Method)>,
}

/// The order methods are listed in `Allow`.
const ORDER: [Method; 6] = [Method::GET, Method::HEAD, Method::POST, Method::PUT, Method::PATCH, Method::DELETE];

impl Methods {
    /// Every operation of the OpenAPI document (placed under its server, `/api/v1` or the root
    /// for the probes) and the routes outside it (`extra`: full path pattern and method).
    pub fn new(doc: &utoipa::openapi::OpenApi, extra: &[(&str, Method)]) -> Methods {
        let default_base = doc.servers.iter().flatten().next().map(|s| s.url.clone()).unwrap_or_default();
        let mut routes = Vec::new();
        for (path, item) in &doc.paths.paths {
            let base = item.servers.iter().flatten().next().map(|s| s.url.clone()).unwrap_or(default_base.clone());
            let full = format!("{}{path}", base.trim_end_matches('/'));
            let ops = [
                (&item.get, Method::GET),
                (&item.post, Method::POST),
                (&item.put, Method::PUT),
                (&item.patch, Method::PATCH),
                (&item.delete, Method::DELETE),
            ];
            for (op, m) in ops {
                if op.is_some() {
                    routes.push((ResourceDef::new(full.as_str()), m));
                }
            }
        }
        for (p, m) in extra {
            routes.push((ResourceDef::new(*p), m.clone()));
        }
        Methods { routes }
    }

    /// The methods `path` answers, in `Allow` order; HEAD wherever GET is. Empty: no such path.
    pub fn allowed(&self, path: &str) -> Vec<Method> {
        let found: Vec<&Method> = self.routes.iter().filter(|(d, _)| d.is_match(path)).map(|(_, m)| m).collect();
        ORDER
            .iter()
            .filter(|m| found.contains(m) || (**m == Method::HEAD && found.contains(&&Method::GET)))
            .cloned()
            .collect()
    }
}

/// The answer when no route took the request: 405 with `Allow` when the path exists under
/// other methods, 404 otherwise.
pub fn no_route(req: &HttpRequest, methods: &Methods) -> HttpResponse {
    let allowed = methods.allowed(req.path());
    // A method the path does answer that still reached here: the resource itself is missing.
    if allowed.is_empty() || allowed.contains(req.method()) {
        return Error::NotFound("resource").error_response();
    }
    let list = allowed.iter().map(Method::as_str).collect::<Vec<_>>().join(", ");
    let mut res = Error::problem(
        405,
        "method_not_allowed",
        format!("{} is not answered here; this path answers {list}.", req.method()),
    )
    .error_response();
    if let Ok(v) = header::HeaderValue::from_str(&list) {
        res.headers_mut().insert(header::ALLOW, v);
    }
    res
}

/// Middleware: refuses over-long URIs and header blocks, routes HEAD as GET (actix-http sends
/// the headers without the body, since it knows the request was HEAD), and turns every error
/// response without a problem+json body into one, keeping its status and headers (`Allow`,
/// `Retry-After`).
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let uri_len = req.uri().path_and_query().map_or(0, |p| p.as_str().len());
    if uri_len > MAX_URI_BYTES {
        let e = Error::problem(414, "uri_too_long", format!("The URI is longer than {MAX_URI_BYTES} bytes."));
        return Ok(req.error_response(e));
    }
    let header_bytes: usize = req.headers().iter().map(|(k, v)| k.as_str().len() + v.len()).sum();
    if header_bytes > MAX_HEADER_BYTES {
        let e = Error::problem(
            431,
            "headers_too_large",
            format!("The request headers are larger than {MAX_HEADER_BYTES} bytes."),
        );
        return Ok(req.error_response(e));
    }
    if req.method() == Method::HEAD {
        req.head_mut().method = Method::GET;
    }
    let res = next.call(req).await?.map_into_boxed_body();
    if !res.status().is_client_error() && !res.status().is_server_error() || is_problem(&res) {
        return Ok(res);
    }
    if let Some(cause) = res.response().error() {
        tracing::info!(%cause, status = res.status().as_u16(), "actix error answered as problem+json");
    }
    let (req, old) = res.into_parts();
    let mut new = Error::problem(old.status().as_u16(), code(old.status()), detail(old.status())).error_response();
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            new.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(req, new))
}

fn is_problem(res: &ServiceResponse<BoxBody>) -> bool {
    res.headers().get(header::CONTENT_TYPE).is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"))
}

fn code(status: StatusCode) -> &'static str {
    match status.as_u16() {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        406 => "not_acceptable",
        408 => "request_timeout",
        411 => "length_required",
        413 => "body_too_large",
        414 => "uri_too_long",
        415 => "unsupported_media_type",
        431 => "headers_too_large",
        500 => "internal_error",
        503 => "service_unavailable",
        s if s < 500 => "client_error",
        _ => "server_error",
    }
}

fn detail(status: StatusCode) -> String {
    match status.as_u16() {
        400 => "The request could not be read.".into(),
        405 => "This method is not answered here; see the Allow header.".into(),
        408 => "The request was not received in time.".into(),
        413 => "The request body is larger than this endpoint accepts.".into(),
        s if s >= 500 => "Something went wrong on our side. The request id identifies it in our logs.".into(),
        _ => format!("The request was refused ({}).", status.canonical_reason().unwrap_or("error")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_lists_every_method_of_the_matching_paths_with_head_beside_get() {
        let m = Methods::new(&crate::api::openapi::document(), &[("/docs/{_:.*}", Method::GET)]);
        let list = |p: &str| m.allowed(p).iter().map(|m| m.as_str().to_string()).collect::<Vec<_>>().join(", ");
        assert_eq!(list("/api/v1/keys"), "GET, HEAD, POST");
        assert_eq!(list("/api/v1/keys/abc"), "DELETE");
        assert_eq!(list("/api/v1/suppliers/by-ref/X-1"), "PUT");
        assert_eq!(list("/healthz"), "GET, HEAD");
        assert_eq!(list("/docs/index.css"), "GET, HEAD");
        assert_eq!(list("/api/v1/nope"), "");
        assert_eq!(list("/keys"), "", "documented paths live under their server");
    }

    #[test]
    fn every_status_has_a_code() {
        for s in 400..600u16 {
            let st = StatusCode::from_u16(s).unwrap();
            assert!(!code(st).is_empty() && !detail(st).is_empty());
        }
    }
}
