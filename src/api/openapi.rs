//! The OpenAPI document, generated from the handlers' annotations, and the offline docs page.
//!
//! Handlers list their own statuses (the `responses(...)` of each `#[utoipa::path]`). The
//! statuses that come from code every route shares are added here, by [`CommonResponses`], so
//! that no operation can forget them:
//! - 401 and 429 on every operation that takes a key (the `Principal` extractor and the
//!   per-key rate limit);
//! - 500 and 503 on every operation but `/healthz` (any handler can fail unexpectedly; the
//!   request timeout and an unreachable database answer 503);
//! - the `Idempotent-Replayed` header on the success responses of the operations that take
//!   the `Idempotency-Key` header ([`IdempotencyKey`]) and can replay.
//!
//! Every error response is `application/problem+json` with the one [`Problem`] schema.

use crate::error::{Problem, ProblemItem};
use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, Ref, RefOr, Type};
use utoipa::{IntoParams, Modify, OpenApi, ToResponse};

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

fn integer_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).build()))
        .description(Some(description))
        .build()
}

fn string_header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).build()))
        .description(Some(description))
        .build()
}

/// A problem+json response with the shared schema.
fn problem_response(description: &str, headers: Vec<(&str, Header)>) -> Response {
    let mut b = ResponseBuilder::new().description(description).content(
        PROBLEM_JSON,
        ContentBuilder::new().schema(Some(RefOr::Ref(Ref::from_schema_name("Problem")))).build(),
    );
    for (name, h) in headers {
        b = b.header(name, h);
    }
    b.build()
}

const RETRY_AFTER: &str = "Retry-After";

/// Declares reusable problem responses (`components.responses.<Name>`), each a unit struct
/// implementing `ToResponse`, for `(status = N, response = Name)` in handlers.
macro_rules! problem_responses {
    ($($(#[$doc:meta])* $name:ident => $description:expr $(, $header:expr => $hdesc:expr)*;)+) => {
        $(
            $(#[$doc])*
            pub struct $name;
            impl<'r> ToResponse<'r> for $name {
                fn response() -> (&'r str, RefOr<Response>) {
                    (stringify!($name), RefOr::T(problem_response($description, vec![$(($header, $hdesc)),*])))
                }
            }
        )+
        /// Every reusable problem response, for the components section.
        fn all_problem_responses() -> Vec<(&'static str, RefOr<Response>)> {
            vec![$(<$name as ToResponse>::response()),+]
        }
    };
}

problem_responses! {
    /// 400: the request could not be read at all.
    BadRequest => "The request could not be read: `invalid_json` (the body could not be read), \
        `invalid_multipart`, `invalid_idempotency_key` (Idempotency-Key must be 1 to 255 visible characters).";
    /// 401: no key, or not a valid one.
    Unauthorized => "A valid API key is required (`unauthorized`): send `Authorization: Bearer <key>`. \
        Missing, malformed and revoked keys alike.",
        "WWW-Authenticate" => string_header("`Bearer`");
    /// 403: a valid key whose role may not do this.
    Forbidden => "The key is valid but its role may not do this (`forbidden`).";
    /// 404: no such resource in the caller's organisation.
    NotFound => "No such resource in the caller's organisation (`not_found`). A resource of another \
        organisation is answered exactly like one that does not exist.";
    /// 409: a conflicting request.
    Conflict => "A conflicting request: `idempotency_in_progress` (a request with this Idempotency-Key \
        is still running; retry after `Retry-After`), `concurrent_update` (another request changed the same \
        supplier; retry), `watchlist_exists` (that list name and edition were already uploaded), \
        `last_admin_key` (an organisation keeps one active admin key).",
        RETRY_AFTER => integer_header("Seconds to wait before retrying (with `idempotency_in_progress`).");
    /// 413: the body is over the limit.
    PayloadTooLarge => "The body is over the limit: `body_too_large` (JSON bodies) or `file_too_large` (uploads).";
    /// 415: the body's media type is not accepted.
    UnsupportedMediaType => "The body's media type is not accepted: `unsupported_media_type` (send the \
        documented content type) or `unsupported_format` (the file is not a spreadsheet Manumit reads).";
    /// 422: understood, but not valid.
    UnprocessableContent => "The request is understood but not valid; `code` says why (e.g. \
        `validation_failed`, `invalid_json`, `invalid_query` (a query parameter is over 200 characters \
        or not valid), `nul_character` (text holding U+0000), `idempotency_key_reused`, `unreadable_file`, \
        `no_data_rows`) and `errors` names the rows, columns or fields.";
    /// 429: over the key's rate limit, or too many failed keys from one address.
    TooManyRequests => "This API key is over its rate limit (`rate_limited`), or this client address \
        sent too many missing or wrong keys within a minute (`too_many_auth_failures`).",
        RETRY_AFTER => integer_header("Seconds until a request will be accepted again.");
    /// 500: unexpected.
    InternalError => "Something unexpected went wrong (`internal_error`); `request_id` identifies it \
        in the logs. No internal details are sent.";
    /// 503: try again shortly.
    ServiceUnavailable => "Try again shortly: `database_unavailable`, `request_timeout` (the request \
        took too long and was stopped; work already committed stays committed), `too_many_uploads`, \
        `too_many_workbooks` (as many workbooks are being built as the server, or the organisation, may build at once).",
        RETRY_AFTER => integer_header("Seconds to wait before retrying.");
}

/// File bytes: the body of downloads (workbooks, original files).
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(#[allow(dead_code)] Vec<u8>);

/// The `Idempotency-Key` request header of the write operations that honour it.
#[derive(Debug, serde::Deserialize, IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IdempotencyKey {
    /// Makes the write safe to retry: the first response is stored for 24 h and replayed (with
    /// `Idempotent-Replayed: true`) for a retry with the same key and body; the same key with
    /// a different body is 422 `idempotency_key_reused`. 16 to 255 visible ASCII characters (a
    /// UUID will do): a shorter key is 422 `idempotency_key_too_short`. A replay of `POST /keys`
    /// never holds the plain key.
    #[serde(rename = "Idempotency-Key")]
    #[param(min_length = 16, max_length = 255, pattern = "^[!-~]+$", nullable = false)]
    pub idempotency_key: Option<String>,
}

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("mnm_…")
                    .description(Some(
                        "An API key: `Authorization: Bearer mnm_…`. Keys belong to one organisation and have one role.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Adds the statuses that shared code produces (see the module docs) and the reusable
/// responses' components.
struct CommonResponses;

fn response_ref(name: &str) -> RefOr<Response> {
    RefOr::Ref(Ref::new(format!("#/components/responses/{name}")))
}

fn operations_mut(item: &mut PathItem) -> impl Iterator<Item = &mut Operation> {
    [
        &mut item.get,
        &mut item.put,
        &mut item.post,
        &mut item.delete,
        &mut item.options,
        &mut item.head,
        &mut item.patch,
        &mut item.trace,
    ]
    .into_iter()
    .filter_map(|o| o.as_mut())
}

fn takes_idempotency_key(op: &Operation) -> bool {
    op.parameters.iter().flatten().any(
        |p| matches!(p, RefOr::T(p) if p.name == "Idempotency-Key" && matches!(p.parameter_in, ParameterIn::Header)),
    )
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, response) in all_problem_responses() {
            components.responses.insert(name.to_string(), response);
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let probe = path == "/healthz";
            for op in operations_mut(item) {
                let secured = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let mut add = |status: &str, name: &str| {
                    op.responses.responses.entry(status.to_string()).or_insert_with(|| response_ref(name));
                };
                if secured {
                    add("401", "Unauthorized");
                    add("429", "TooManyRequests");
                }
                if !probe {
                    add("500", "InternalError");
                    add("503", "ServiceUnavailable");
                }
                // Uploads answer a retry of the same bytes with 200 and the first report
                // (the content check runs before the Idempotency-Key one): never a replay.
                if takes_idempotency_key(op) && path != "/uploads" {
                    for (status, response) in op.responses.responses.iter_mut() {
                        if let (true, RefOr::T(r)) = (status.starts_with('2'), response) {
                            r.headers.insert(
                                "Idempotent-Replayed".into(),
                                string_header(
                                    "`true` when this is the stored response to an earlier request with the same \
                                     Idempotency-Key (nothing was done again).",
                                )
                                .into(),
                            );
                        }
                    }
                }
            }
        }
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Manumit API", description = "Supply-chain labour-trafficking risk: supplier ingest, \
        ILO-indicator scoring, compliance workbooks. Manumit reports indicators of risk, never findings of forced \
        labour.\n\nEvery `/api/v1` operation takes `Authorization: Bearer <key>`. Every error is \
        `application/problem+json` (the `Problem` schema) with a stable `code`. Every response carries \
        `X-Request-Id` (the request's own when it sends a valid one)."),
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
        super::organisation::get_one,
        super::organisation::update,
    ),
    components(schemas(Problem, ProblemItem)),
    modifiers(&BearerAuth, &CommonResponses),
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
