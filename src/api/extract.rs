//! The one place request bodies (JSON), query strings and path parameters are read, for every
//! handler. Beyond what actix's extractors check, it refuses text that no backend stores
//! alike: a NUL character (PostgreSQL refuses it, SQLite cuts the text there) is a 422 naming
//! the field (a 404 in a path: no resource has such an id), and a query parameter longer than
//! [`MAX_QUERY_CHARS`] is a 422 naming the parameter.

use crate::error::{json_error, Error, ProblemItem};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The longest value any query parameter takes (documented as `maxLength` on each).
pub const MAX_QUERY_CHARS: usize = 200;

/// A JSON body: actix's `web::Json` (same size limit, content type and errors), refusing NUL
/// characters in any string or key.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Json<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = web::Json::<Value>::from_request(req, payload);
        let req = req.clone();
        Box::pin(async move {
            let value = body.await?.into_inner();
            if let Some(pointer) = first_nul(&value, &mut String::new()) {
                return Err(nul_error(pointer, "The JSON body").into());
            }
            serde_json::from_value(value)
                .map(Json)
                .map_err(|e| json_error(actix_web::error::JsonPayloadError::Deserialize(e), &req))
        })
    }
}

/// A query string: actix's `web::Query` (same errors), refusing NUL characters and values
/// longer than [`MAX_QUERY_CHARS`].
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Query<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let checked = check_query(req.query_string());
        let query = web::Query::<T>::from_request(req, payload);
        Box::pin(async move {
            checked?;
            Ok(Query(query.await?.into_inner()))
        })
    }
}

/// Path parameters: actix's `web::Path` (same errors); one holding a NUL character names no
/// resource (404).
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<T> Path<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Path<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Path<T> {
    type Error = actix_web::Error;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let nul = req.match_info().iter().any(|(_, v)| v.contains('\0'));
        let path = web::Path::<T>::from_request(req, payload);
        Box::pin(async move {
            if nul {
                return Err(Error::NotFound("resource").into());
            }
            Ok(Path(path.await?.into_inner()))
        })
    }
}

/// The first parameter (in order) with a NUL character or too long a value.
fn check_query(qs: &str) -> Result<(), Error> {
    // Malformed query strings are left to actix's own extractor and its error.
    let Ok(pairs) = web::Query::<Vec<(String, String)>>::from_query(qs) else { return Ok(()) };
    for (name, value) in pairs.iter() {
        let shown: String = name.chars().filter(|&c| c != '\0').take(80).collect();
        if name.contains('\0') || value.contains('\0') {
            return Err(nul_error(shown, "The query parameter"));
        }
        if value.len() > MAX_QUERY_CHARS && value.chars().count() > MAX_QUERY_CHARS {
            return Err(Error::invalid(
                "invalid_query",
                format!("The query parameter `{shown}` is longer than {MAX_QUERY_CHARS} characters."),
                vec![ProblemItem::field(
                    shown.clone(),
                    "length",
                    format!("`{shown}` must be at most {MAX_QUERY_CHARS} characters"),
                )],
            ));
        }
    }
    Ok(())
}

pub(crate) fn nul_error(field: String, what: &str) -> Error {
    Error::invalid(
        "nul_character",
        format!("{what} `{field}` holds a NUL character (U+0000), which text may not contain."),
        vec![ProblemItem::field(field, "nul_character", "must not contain a NUL character (U+0000)")],
    )
}

/// The JSON pointer (RFC 6901) of the first string or key holding a NUL character.
pub(crate) fn first_nul(v: &Value, at: &mut String) -> Option<String> {
    match v {
        Value::String(s) if s.contains('\0') => Some(if at.is_empty() { "/".to_string() } else { at.clone() }),
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            let len = at.len();
            at.push('/');
            at.push_str(&i.to_string());
            let found = first_nul(item, at);
            at.truncate(len);
            found
        }),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            let len = at.len();
            at.push('/');
            at.push_str(&k.replace('~', "~0").replace('/', "~1"));
            let found = if k.contains('\0') { Some(at.clone()) } else { first_nul(item, at) };
            at.truncate(len);
            found
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn finds_the_first_nul_by_json_pointer() {
        assert_eq!(
            first_nul(&json!({"a": "ok", "b": ["x", {"c/d~": "y\u{0}"}]}), &mut String::new()).as_deref(),
            Some("/b/1/c~1d~0")
        );
        assert_eq!(first_nul(&json!({"k\u{0}": 1}), &mut String::new()).as_deref(), Some("/k\u{0}"));
        assert_eq!(first_nul(&json!("\u{0}"), &mut String::new()).as_deref(), Some("/"));
        assert_eq!(first_nul(&json!({"a": ["b", 1, null, {"c": "d"}]}), &mut String::new()), None);
    }

    #[test]
    fn refuses_nul_and_long_query_values_naming_the_parameter() {
        assert!(check_query("q=abc&page=2").is_ok());
        assert!(check_query(&format!("q={}", "é".repeat(MAX_QUERY_CHARS))).is_ok());
        let e = check_query("page=1&supplier_id=a%00b").unwrap_err();
        assert_eq!((e.code(), e.body().errors[0].field.as_deref()), ("nul_character", Some("supplier_id")));
        let e = check_query(&format!("q={}", "a".repeat(MAX_QUERY_CHARS + 1))).unwrap_err();
        assert_eq!((e.code(), e.body().errors[0].field.as_deref()), ("invalid_query", Some("q")));
    }
}
