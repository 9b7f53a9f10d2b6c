//! One error type for the service, rendered as RFC 9457 problem+json with a stable `code`
//! and the request id. Internal details are logged, never sent.

use crate::telemetry::current_request_id;
use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;

/// One item of a problem's `errors` list: which row/column/field, the value, and why.
/// Parts that do not apply are left out (never `null`).
#[derive(Debug, Clone, Serialize, Default, PartialEq, utoipa::ToSchema)]
pub struct ProblemItem {
    /// The spreadsheet's own 1-based row number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub row: Option<u32>,
    /// The column header as written in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub column: Option<String>,
    /// The request field (JSON body, form part or query parameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub field: Option<String>,
    /// The offending value, as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub value: Option<String>,
    /// Stable snake_case reason, e.g. `unknown_country`.
    pub code: String,
    /// The reason in plain words.
    pub message: String,
}

/// Every error body: RFC 9457 problem details (`application/problem+json`) with a stable
/// `code` and the request id. `errors` is present only when there are items to list.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Problem {
    /// `https://manumit.dev/problems/<code with dashes>`.
    #[serde(rename = "type")]
    #[schema(format = "uri")]
    pub type_: String,
    /// The HTTP reason phrase of `status`.
    pub title: String,
    /// The HTTP status code, repeated.
    #[schema(minimum = 400, maximum = 599)]
    pub status: u16,
    /// What went wrong, in plain words. Never internal details.
    pub detail: String,
    /// Stable snake_case error code, e.g. `validation_failed`, `not_found`, `rate_limited`.
    pub code: String,
    /// The request id (also in the `X-Request-Id` header), to find the request in the logs.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub request_id: Option<String>,
    /// Which rows, columns or fields are wrong, and why: at most the first 100.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(required = false, max_items = 100)]
    pub errors: Vec<ProblemItem>,
    /// How many items there were in all, present when `errors` lists only the first 100.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 101)]
    pub errors_total: Option<usize>,
}

/// The most items a problem body lists: a request with thousands of wrong fields must not get
/// an answer many times its own size.
pub const MAX_PROBLEM_ITEMS: usize = 100;

impl ProblemItem {
    pub fn field(field: impl Into<String>, code: impl Into<String>, message: impl Into<String>) -> Self {
        ProblemItem { field: Some(field.into()), code: code.into(), message: message.into(), ..Default::default() }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("A valid API key is required: send `Authorization: Bearer <key>`.")]
    Unauthorized,
    #[error("This API key's role ({0}) may not do this.")]
    Forbidden(String),
    #[error("No such {0}.")]
    NotFound(&'static str),
    /// 400/409/413/415/422/429/503 with a stable code and a plain-words detail.
    #[error("{detail}")]
    Problem { status: u16, code: &'static str, detail: String, items: Vec<ProblemItem>, retry_after: Option<u64> },
    /// Anything unexpected: logged with its cause, answered with a generic 500.
    #[error("internal error")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn problem(status: u16, code: &'static str, detail: impl Into<String>) -> Error {
        Error::Problem { status, code, detail: detail.into(), items: Vec::new(), retry_after: None }
    }
    pub fn invalid(code: &'static str, detail: impl Into<String>, items: Vec<ProblemItem>) -> Error {
        Error::Problem { status: 422, code, detail: detail.into(), items, retry_after: None }
    }
    pub fn bad_request(code: &'static str, detail: impl Into<String>) -> Error {
        Error::problem(400, code, detail)
    }
    pub fn internal(what: impl std::fmt::Display) -> Error {
        Error::Internal(what.to_string())
    }
    pub fn with_retry_after(self, secs: u64) -> Error {
        match self {
            Error::Problem { status, code, detail, items, .. } => {
                Error::Problem { status, code, detail, items, retry_after: Some(secs) }
            }
            other => other,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            Error::Unauthorized => "unauthorized",
            Error::Forbidden(_) => "forbidden",
            Error::NotFound(_) => "not_found",
            Error::Problem { code, .. } => code,
            Error::Internal(_) => "internal_error",
        }
    }

    fn title(status: StatusCode) -> &'static str {
        status.canonical_reason().unwrap_or("Error")
    }

    /// The problem+json body.
    pub fn body(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            Error::Internal(_) => {
                "Something went wrong on our side. The request id identifies it in our logs.".to_string()
            }
            other => other.to_string(),
        };
        Problem {
            type_: format!("https://manumit.dev/problems/{}", self.code().replace('_', "-")),
            title: Error::title(status).to_string(),
            status: status.as_u16(),
            detail,
            code: self.code().to_string(),
            request_id: current_request_id(),
            errors: match self {
                Error::Problem { items, .. } => items.iter().take(MAX_PROBLEM_ITEMS).cloned().collect(),
                _ => Vec::new(),
            },
            errors_total: match self {
                Error::Problem { items, .. } if items.len() > MAX_PROBLEM_ITEMS => Some(items.len()),
                _ => None,
            },
        }
    }
}

impl ResponseError for Error {
    fn status_code(&self) -> StatusCode {
        match self {
            Error::Unauthorized => StatusCode::UNAUTHORIZED,
            Error::Forbidden(_) => StatusCode::FORBIDDEN,
            Error::NotFound(_) => StatusCode::NOT_FOUND,
            Error::Problem { status, .. } => StatusCode::from_u16(*status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
            Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        if let Error::Internal(cause) = self {
            tracing::error!(%cause, "internal error");
        }
        let mut resp = HttpResponse::build(self.status_code());
        resp.content_type("application/problem+json");
        if matches!(self, Error::Unauthorized) {
            resp.insert_header(("WWW-Authenticate", "Bearer"));
        }
        if let Error::Problem { retry_after: Some(s), .. } = self {
            resp.insert_header(("Retry-After", s.to_string()));
        }
        let mut resp = resp.body(serde_json::to_string(&self.body()).unwrap_or_default());
        // Also when rendered outside the middleware (an error returned by a middleware).
        crate::api::security_headers::apply(resp.headers_mut(), false);
        resp
    }
}

impl From<diesel::result::Error> for Error {
    fn from(e: diesel::result::Error) -> Self {
        match e {
            diesel::result::Error::NotFound => Error::NotFound("resource"),
            other => Error::Internal(format!("database: {other}")),
        }
    }
}

impl From<diesel::r2d2::PoolError> for Error {
    fn from(e: diesel::r2d2::PoolError) -> Self {
        Error::problem(503, "database_unavailable", "The database is not answering; try again shortly.")
            .with_retry_after(1)
            .log_cause(e)
    }
}

impl From<validator::ValidationErrors> for Error {
    fn from(errs: validator::ValidationErrors) -> Self {
        let mut items = Vec::new();
        for (field, kinds) in errs.field_errors() {
            for k in kinds {
                let message = k.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| match k.code.as_ref() {
                    "length" => "has the wrong length".to_string(),
                    "range" => "is out of range".to_string(),
                    other => format!("is not valid ({other})"),
                });
                items.push(ProblemItem::field(field.to_string(), k.code.to_string(), format!("`{field}` {message}")));
            }
        }
        items.sort_by(|a, b| a.field.cmp(&b.field));
        Error::invalid("validation_failed", "The request body has invalid fields; see `errors`.", items)
    }
}

impl Error {
    /// Logs the underlying cause (never sent to the client) and returns self.
    pub fn with_cause(self, cause: impl std::fmt::Display) -> Error {
        self.log_cause(cause)
    }

    fn log_cause(self, cause: impl std::fmt::Display) -> Error {
        tracing::warn!(%cause, code = self.code(), "request failed");
        self
    }
}

/// Turns actix's JSON extractor errors into problem+json (unknown fields, bad types, too large).
pub fn json_error(err: actix_web::error::JsonPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    use actix_web::error::JsonPayloadError as J;
    let e = match &err {
        J::OverflowKnownLength { .. } | J::Overflow { .. } => {
            Error::problem(413, "body_too_large", "The JSON body is larger than this endpoint accepts.")
        }
        J::ContentType => Error::problem(415, "unsupported_media_type", "Send the body as application/json."),
        J::Deserialize(d) => Error::invalid(
            "invalid_json",
            format!("The JSON body does not match what this endpoint takes: {d}"),
            vec![ProblemItem { code: "invalid_json".into(), message: d.to_string(), ..Default::default() }],
        ),
        other => Error::bad_request("invalid_json", format!("The JSON body could not be read: {other}")),
    };
    e.into()
}

/// Query-string errors (bad filter or page values) as problem+json.
pub fn query_error(err: actix_web::error::QueryPayloadError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    Error::invalid("invalid_query", format!("The query string is not valid: {err}"), Vec::new()).into()
}

/// Path errors as problem+json.
pub fn path_error(err: actix_web::error::PathError, _req: &actix_web::HttpRequest) -> actix_web::Error {
    Error::NotFound("resource").log_cause(err).into()
}
